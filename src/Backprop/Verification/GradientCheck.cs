using Backprop.Networks;
using Backprop.Numerics;

namespace Backprop.Verification;

/// <summary>The largest disagreement between numerical and analytical gradient within one layer.</summary>
/// <param name="Layer">1-based, as Theta1, Theta2, …</param>
/// <param name="Location">e.g. "W[3,17]" (unit 3, input 17, 0-based) or "b[2]".</param>
public sealed record LayerGradientError(int Layer, double MaxAbsoluteError, string Location, double Numerical, double Analytical);

/// <summary>The outcome of a gradient check.</summary>
/// <param name="RelativeDifference">‖num − ana‖ / ‖num + ana‖ over the whole flat vector (ex4 expects &lt; 1e-9).</param>
public sealed record GradientCheckResult(double RelativeDifference, double Cost, int Parameters, double[] Numerical, double[] Analytical,
    IReadOnlyList<LayerGradientError> Layers);

/// <summary>
/// Numerical gradient checking by central differences over the flat parameter vector, in float64:
/// numᵢ = (J(θ + ε·eᵢ) − J(θ − ε·eᵢ)) / 2ε, compared with backpropagation's gradient.
/// </summary>
public static class GradientCheck
{
    public const double DefaultEpsilon = 1e-4;

    /// <summary>With <paramref name="dropout"/>, checks the thinned network its current (fixed) masks define.</summary>
    public static GradientCheckResult Run(Network<double> network, Matrix<double> x, Matrix<double> targets, double lambda = 0,
        double epsilon = DefaultEpsilon, Dropout<double>? dropout = null)
    {
        ArgumentNullException.ThrowIfNull(network);
        if (!(epsilon > 0) || !double.IsFinite(epsilon))
            throw new ArgumentOutOfRangeException(nameof(epsilon), $"Epsilon must be a positive finite number, got {epsilon}.");
        double cost = network.CostAndGradient(x, targets, lambda, dropout);
        var analytical = (double[])network.Gradient.Clone();
        var theta = network.Parameters;
        var numerical = new double[theta.Length];
        for (int i = 0; i < theta.Length; i++)
        {
            double saved = theta[i];
            theta[i] = saved + epsilon;
            double plus = network.Cost(x, targets, lambda, dropout);
            theta[i] = saved - epsilon;
            double minus = network.Cost(x, targets, lambda, dropout);
            theta[i] = saved;
            numerical[i] = (plus - minus) / (2 * epsilon);
        }
        double diff = 0, sum = 0;
        for (int i = 0; i < theta.Length; i++)
        {
            diff += (numerical[i] - analytical[i]) * (numerical[i] - analytical[i]);
            sum += (numerical[i] + analytical[i]) * (numerical[i] + analytical[i]);
        }
        double relative = sum == 0 ? Math.Sqrt(diff) : Math.Sqrt(diff) / Math.Sqrt(sum);
        return new GradientCheckResult(relative, cost, theta.Length, numerical, analytical, PerLayer(network, numerical, analytical));
    }

    private static List<LayerGradientError> PerLayer(Network<double> network, double[] numerical, double[] analytical)
    {
        var result = new List<LayerGradientError>();
        for (int l = 0; l < network.Layers.Count; l++)
        {
            var layer = network.Layers[l];
            int worst = layer.Offset;
            double worstError = -1;
            for (int i = layer.Offset; i < layer.Offset + layer.ParameterCount; i++)
            {
                double e = Math.Abs(numerical[i] - analytical[i]);
                if (e > worstError) { worstError = e; worst = i; }
            }
            int local = worst - layer.Offset, weights = layer.Inputs * layer.Outputs;
            string location = local < weights ? $"W[{local / layer.Inputs},{local % layer.Inputs}]" : $"b[{local - weights}]";
            result.Add(new LayerGradientError(l + 1, worstError, location, numerical[worst], analytical[worst]));
        }
        return result;
    }
}
