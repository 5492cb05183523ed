using Backprop.Networks;
using Backprop.Numerics;

namespace Backprop.Verification;

/// <summary>A small network with data and targets, ready for a gradient check.</summary>
public sealed record GradientProblem(Network<double> Network, Matrix<double> X, int[] Labels, Matrix<double> Targets);

/// <summary>
/// The ex4 exercise's checkNNGradients network: 3-5-3 sigmoid, m = 5, every weight matrix and X filled by
/// debugInitializeWeights — <c>W = reshape(sin(1:numel(W)), size(W)) / 10</c> in MATLAB's column order —
/// and y = 1 + mod(1:m, 3) (here 0-based: 1, 2, 0, 1, 2).
/// </summary>
public static class DebugNetwork
{
    public const int InputLayerSize = 3, HiddenLayerSize = 5, NumLabels = 3, Samples = 5;

    /// <summary>The first five entries of the unrolled gradient at λ = 0 as the ex4 text prints them.</summary>
    public static readonly double[] PublishedGradient = [-9.2783e-03, 8.8991e-03, -8.3601e-03, 7.6281e-03, -6.7480e-03];

    public static GradientProblem Create()
    {
        var theta1 = DebugInitializeWeights(HiddenLayerSize, InputLayerSize);
        var theta2 = DebugInitializeWeights(NumLabels, HiddenLayerSize);
        var network = MatlabTheta.ToNetwork([theta1, theta2]);
        // X = debugInitializeWeights(m, input_layer_size - 1): an m x input_layer_size matrix.
        var x = DebugInitializeWeights(Samples, InputLayerSize - 1);
        var labels = new int[Samples];
        for (int t = 1; t <= Samples; t++) labels[t - 1] = 1 + t % NumLabels - 1;
        return new GradientProblem(network, x, labels, Targets.OneHot<double>(labels, NumLabels));
    }

    /// <summary>W = zeros(fanOut, 1 + fanIn); W = reshape(sin(1:numel(W)), size(W)) / 10.</summary>
    public static Matrix<double> DebugInitializeWeights(int fanOut, int fanIn)
    {
        var w = new Matrix<double>(fanOut, fanIn + 1);
        int k = 1;
        for (int c = 0; c < w.Cols; c++)
            for (int r = 0; r < w.Rows; r++)
                w[r, c] = Math.Sin(k++) / 10;
        return w;
    }
}
