using System.Numerics;
using Backprop.Layers;
using Backprop.Numerics;

namespace Backprop.Losses;

/// <summary>The loss the output layer is trained on.</summary>
public enum Loss
{
    /// <summary>
    /// Cross-entropy. With sigmoid outputs: the ex4 cost, binary cross-entropy summed over the classes,
    /// −Σₖ [yₖ log hₖ + (1−yₖ) log(1−hₖ)]. With softmax outputs: the negative log-likelihood −Σₖ yₖ log pₖ.
    /// </summary>
    CrossEntropy,
    /// <summary>Squared error ½ Σₖ (oₖ − tₖ)², with any element-wise output activation.</summary>
    SquaredError,
}

/// <summary>
/// Losses as a small table: for each (output activation, loss) pair, the per-sample value and the output delta
/// dCost/dZ (the types below). Costs are means over the m samples of the batch.
/// </summary>
public static class LossFunctions
{
    public static Loss Parse(string name) => name.Trim().ToLowerInvariant() switch
    {
        "cross-entropy" or "crossentropy" or "ce" or "log-loss" or "nll" => Loss.CrossEntropy,
        "squared-error" or "squared" or "mse" or "se" => Loss.SquaredError,
        _ => throw new ArgumentException($"Unknown loss '{name}': expected cross-entropy or squared-error."),
    };

    public static string Name(Loss loss) => loss == Loss.CrossEntropy ? "cross-entropy" : "squared-error";

    /// <summary>The loss that goes with an output activation when the user names only the activation.</summary>
    public static Loss DefaultFor(Activation output) =>
        output is Activation.Sigmoid or Activation.Softmax ? Loss.CrossEntropy : Loss.SquaredError;

    /// <summary>Throws unless the output activation and loss form a pair with a well-defined delta.</summary>
    public static void Validate(Activation output, Loss loss)
    {
        if (loss == Loss.CrossEntropy && output is not (Activation.Sigmoid or Activation.Softmax))
            throw new ArgumentException($"The cross-entropy loss needs sigmoid or softmax outputs, not {Activations.Name(output)}.");
        if (loss == Loss.SquaredError && output == Activation.Softmax)
            throw new ArgumentException("Softmax outputs go with the cross-entropy loss, not squared error.");
    }

    /// <summary>The loss of one sample: z and a are the output layer's pre-activation and activation rows, y the target row.</summary>
    public static double Value<T>(Activation output, Loss loss, ReadOnlySpan<T> z, ReadOnlySpan<T> a, ReadOnlySpan<T> y)
        where T : unmanaged, IFloatingPointIeee754<T> => (loss, output) switch
    {
        (Loss.CrossEntropy, Activation.Sigmoid) => SigmoidCrossEntropy.Value(z, y),
        (Loss.CrossEntropy, Activation.Softmax) => SoftmaxCrossEntropy.Value(z, y),
        (Loss.SquaredError, _) => SquaredError.Value(a, y),
        _ => Invalid(output, loss),
    };

    /// <summary>
    /// Σ over the rows of the per-sample loss (<see cref="Value{T}"/> for each row). The cross-entropies take the
    /// vector kernels where they apply (<see cref="Elementwise.TrySigmoidCrossEntropySum{T}"/>: float64 formula in
    /// vectors; float32 through the outputs a the forward pass computed, summed in float64, within a few float32 ulps
    /// of the float64 formula); the rest go row by row.
    /// </summary>
    public static double Sum<T>(Activation output, Loss loss, ReadOnlySpan<T> z, ReadOnlySpan<T> a, ReadOnlySpan<T> y, int rows)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (loss == Loss.CrossEntropy && output == Activation.Softmax && Elementwise.TrySoftmaxCrossEntropySum(z, a, y, rows, out double softmax))
            return softmax;
        if (loss == Loss.CrossEntropy && output == Activation.Sigmoid && Elementwise.TrySigmoidCrossEntropySum(z, a, y, out double sigmoid))
            return sigmoid;
        int width = rows == 0 ? 0 : z.Length / rows;
        double sum = 0;
        for (int r = 0; r < rows; r++)
            sum += Value(output, loss, z.Slice(r * width, width), a.Slice(r * width, width), y.Slice(r * width, width));
        return sum;
    }

    /// <summary>
    /// The output delta dCost/dZ for one sample (or a block of whole rows) of a batch of m, written into <paramref name="delta"/>:
    /// (a − y)/m for the cross-entropy pairs, (a − y) ⊙ f'(z)/m for squared error.
    /// </summary>
    public static void Delta<T>(Activation output, Loss loss, ReadOnlySpan<T> a, ReadOnlySpan<T> y, T invM, Span<T> delta)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (loss == Loss.SquaredError) SquaredError.Delta(output, a, y, invM, delta);
        else CrossEntropyDelta(a, y, invM, delta);
    }

    /// <summary>dZ = (a − y)/m: for sigmoid + binary cross-entropy and softmax + log-likelihood alike, the activation's
    /// derivative cancels against the loss's.   a, y, dZ: [rows, outputs].</summary>
    private static void CrossEntropyDelta<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> y, T invM, Span<T> delta)
        where T : unmanaged, IFloatingPointIeee754<T> => Elementwise.ScaledDifference(a, y, invM, delta);

    private static double Invalid(Activation output, Loss loss)
    {
        Validate(output, loss);
        throw new InvalidOperationException("unreachable");
    }
}

/// <summary>Sigmoid outputs with binary cross-entropy (ex4): per sample −Σₖ [yₖ log σ(zₖ) + (1−yₖ) log(1−σ(zₖ))].   z, y: [outputs].</summary>
public static class SigmoidCrossEntropy
{
    /// <summary>Written as max(z, 0) − y·z + log(1 + e^−|z|), which is finite for any z.</summary>
    public static double Value<T>(ReadOnlySpan<T> z, ReadOnlySpan<T> y) where T : unmanaged, IFloatingPointIeee754<T>
    {
        double sum = 0;
        for (int k = 0; k < z.Length; k++)
        {
            double zk = double.CreateTruncating(z[k]), yk = double.CreateTruncating(y[k]);
            sum += Math.Max(zk, 0) - yk * zk + Math.Log(1 + Math.Exp(-Math.Abs(zk)));
        }
        return sum;
    }
}

/// <summary>Softmax outputs with the negative log-likelihood: per sample −Σₖ yₖ log pₖ.   z, y: [outputs].</summary>
public static class SoftmaxCrossEntropy
{
    /// <summary>With log pₖ = zₖ − log Σ exp(z) (the maximum shifted out), finite for any z.</summary>
    public static double Value<T>(ReadOnlySpan<T> z, ReadOnlySpan<T> y) where T : unmanaged, IFloatingPointIeee754<T>
    {
        double max = double.NegativeInfinity;
        for (int k = 0; k < z.Length; k++) max = Math.Max(max, double.CreateTruncating(z[k]));
        double expSum = 0;
        for (int k = 0; k < z.Length; k++) expSum += Math.Exp(double.CreateTruncating(z[k]) - max);
        double logSum = max + Math.Log(expSum);
        double sum = 0;
        for (int k = 0; k < z.Length; k++)
        {
            double yk = double.CreateTruncating(y[k]);
            if (yk != 0) sum -= yk * (double.CreateTruncating(z[k]) - logSum);
        }
        return sum;
    }
}

/// <summary>Squared error with any element-wise output activation f: per sample ½ Σₖ (aₖ − yₖ)².   a, y: [outputs].</summary>
public static class SquaredError
{
    public static double Value<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> y) where T : unmanaged, IFloatingPointIeee754<T>
    {
        double sum = 0;
        for (int k = 0; k < a.Length; k++)
        {
            double d = double.CreateTruncating(a[k]) - double.CreateTruncating(y[k]);
            sum += 0.5 * d * d;
        }
        return sum;
    }

    /// <summary>dZ = (a − y)/m ⊙ f′, with f′ written through a.   a, y, dZ: [rows, outputs].</summary>
    public static void Delta<T>(Activation output, ReadOnlySpan<T> a, ReadOnlySpan<T> y, T invM, Span<T> delta)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Elementwise.ScaledDifference(a, y, invM, delta);
        Activations.MultiplyDerivative(output, a, delta);
    }
}
