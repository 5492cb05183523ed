using Backprop.Layers;
using Backprop.Networks;
using Backprop.Numerics;

namespace Backprop.Tests.Layers;

/// <summary>DenseLayer's Forward and Backward against the formulas in its comments, written as scalar loops,
/// under both GEMM providers.</summary>
[Collection(KernelSettingsCollection.Name)]
public sealed class DenseLayerTests
{
    private const int Batch = 6, In = 5, Out = 4;

    private static (DenseLayer<double> Layer, Matrix<double> X) Layer(Activation activation)
    {
        var random = new Random(3);
        var spec = new NetworkSpec([In, Out], [activation], activation == Activation.Sigmoid ? Backprop.Losses.Loss.CrossEntropy : Backprop.Losses.Loss.SquaredError);
        var net = new Network<double>(spec, Enumerable.Range(0, spec.ParameterCount).Select(_ => random.NextDouble() - 0.5).ToArray());
        var x = new Matrix<double>(Batch, In, Enumerable.Range(0, Batch * In).Select(_ => random.NextDouble() * 2 - 1).ToArray());
        return (net.Layers[0], x);
    }

    [Theory]
    [InlineData(Activation.Sigmoid, "managed")]
    [InlineData(Activation.Tanh, "reference")]
    [InlineData(Activation.Relu, "managed")]
    [InlineData(Activation.Relu, "reference")]
    [InlineData(Activation.Sigmoid, "reference")]
    public void ForwardIsXTimesWTransposedPlusBThenF(Activation activation, string provider) => Providers.Under(provider, () =>
    {
        var (layer, x) = Layer(activation);
        var z = new Matrix<double>(Batch, Out);
        var a = new Matrix<double>(Batch, Out);
        layer.Forward(x, z, a);
        for (int r = 0; r < Batch; r++)
            for (int j = 0; j < Out; j++)
            {
                double expected = layer.Bias.Span[j];
                for (int i = 0; i < In; i++) expected += x[r, i] * layer.Weights[j, i];
                Assert.Equal(expected, z[r, j], 1e-14);
                Assert.Equal(Activations.Value(activation, expected), a[r, j], 1e-14);
            }
    });

    [Theory]
    [InlineData("managed")]
    [InlineData("reference")]
    public void BackwardGivesDwDbAndThePreviousDelta(string provider) => Providers.Under(provider, () =>
    {
        var (layer, x) = Layer(Activation.Sigmoid);
        var random = new Random(8);
        var dz = new Matrix<double>(Batch, Out, Enumerable.Range(0, Batch * Out).Select(_ => random.NextDouble() - 0.5).ToArray());
        // X as the sigmoid outputs of a layer before, so that f′ through X is a(1 − a).
        var input = new Matrix<double>(Batch, In, x.Span.ToArray().Select(v => (v + 1) / 2).ToArray());
        var dx = new Matrix<double>(Batch, In);
        const double l2 = 0.25;
        layer.Backward(input, dz, l2, dx, Activation.Sigmoid);
        for (int j = 0; j < Out; j++)
        {
            double db = 0;
            for (int r = 0; r < Batch; r++) db += dz[r, j];
            Assert.Equal(db, layer.BiasGradient.Span[j], 1e-14);
            for (int i = 0; i < In; i++)
            {
                double dw = l2 * layer.Weights[j, i];
                for (int r = 0; r < Batch; r++) dw += dz[r, j] * input[r, i];
                Assert.Equal(dw, layer.WeightsGradient[j, i], 1e-14);
            }
        }
        for (int r = 0; r < Batch; r++)
            for (int i = 0; i < In; i++)
            {
                double sum = 0;
                for (int j = 0; j < Out; j++) sum += dz[r, j] * layer.Weights[j, i];
                Assert.Equal(sum * input[r, i] * (1 - input[r, i]), dx[r, i], 1e-14);
            }
    });
}
