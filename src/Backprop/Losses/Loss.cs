using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Numerics.Tensors;
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
/// Losses as a small table: the per-sample value (computed from the pre-activation z where that is what
/// keeps it finite) and the output delta dCost/dZ. Costs are means over the m samples of the batch.
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
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        double sum = 0;
        switch (loss, output)
        {
            case (Loss.CrossEntropy, Activation.Sigmoid):
                // −y log σ(z) − (1−y) log(1−σ(z)) = max(z, 0) − y·z + log(1 + e^−|z|): finite for any z.
                for (int k = 0; k < z.Length; k++)
                {
                    double zk = double.CreateTruncating(z[k]), yk = double.CreateTruncating(y[k]);
                    sum += Math.Max(zk, 0) - yk * zk + Math.Log(1 + Math.Exp(-Math.Abs(zk)));
                }
                return sum;
            case (Loss.CrossEntropy, Activation.Softmax):
                // −Σ yₖ log pₖ with log pₖ = zₖ − log Σ exp(z): finite for any z.
                double max = double.NegativeInfinity;
                for (int k = 0; k < z.Length; k++) max = Math.Max(max, double.CreateTruncating(z[k]));
                double expSum = 0;
                for (int k = 0; k < z.Length; k++) expSum += Math.Exp(double.CreateTruncating(z[k]) - max);
                double logSum = max + Math.Log(expSum);
                for (int k = 0; k < z.Length; k++)
                {
                    double yk = double.CreateTruncating(y[k]);
                    if (yk != 0) sum -= yk * (double.CreateTruncating(z[k]) - logSum);
                }
                return sum;
            case (Loss.SquaredError, _):
                for (int k = 0; k < a.Length; k++)
                {
                    double d = double.CreateTruncating(a[k]) - double.CreateTruncating(y[k]);
                    sum += 0.5 * d * d;
                }
                return sum;
            default:
                Validate(output, loss);
                throw new InvalidOperationException("unreachable");
        }
    }

    /// <summary>
    /// Σ over the rows of the per-sample loss (<see cref="Value{T}"/> for each row). In float64 the sigmoid
    /// cross-entropy, element-wise over the whole block, is vectorized (float64 arithmetic, vector exp/log); the others
    /// go row by row. In float32 both cross-entropies are computed through the outputs a the forward pass already
    /// computed (one log per element or per non-zero target, no exp) and summed in float64: within a few float32 ulps of
    /// the float64 formula, and several times faster.
    /// </summary>
    public static double Sum<T>(Activation output, Loss loss, ReadOnlySpan<T> z, ReadOnlySpan<T> a, ReadOnlySpan<T> y, int rows)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (typeof(T) == typeof(float) && loss == Loss.CrossEntropy && rows > 0)
        {
            var zf = MemoryMarshal.Cast<T, float>(z);
            var yf = MemoryMarshal.Cast<T, float>(y);
            if (output == Activation.Sigmoid) return SingleSigmoidCrossEntropySum(zf, MemoryMarshal.Cast<T, float>(a), yf);
            if (output == Activation.Softmax) return SingleSoftmaxCrossEntropySum(zf, MemoryMarshal.Cast<T, float>(a), yf, rows);
        }
        if (loss == Loss.CrossEntropy && output == Activation.Sigmoid && System.Runtime.Intrinsics.Vector256.IsHardwareAccelerated)
            return SigmoidCrossEntropySum(z, y);
        int width = rows == 0 ? 0 : z.Length / rows;
        double sum = 0;
        for (int r = 0; r < rows; r++)
            sum += Value(output, loss, z.Slice(r * width, width), a.Slice(r * width, width), y.Slice(r * width, width));
        return sum;
    }

    /// <summary>Elements per float32 block of the vectorized cross-entropies (on the stack).</summary>
    private const int SingleChunk = 512;

    /// <summary>
    /// Σ max(z, 0) − y·z + log(1 + e^−|z|) with the last term written through the outputs a = σ(z) the forward pass
    /// already computed: log(1 + e^−|z|) = −log σ(|z|) = −log max(a, 1 − a). One float32 vector log per element and no
    /// exp; block sums in float64. Where a rounds to 1 the term is below float32's resolution of the loss anyway.
    /// </summary>
    [SkipLocalsInit]
    private static double SingleSigmoidCrossEntropySum(ReadOnlySpan<float> z, ReadOnlySpan<float> a, ReadOnlySpan<float> y)
    {
        Span<float> t = stackalloc float[SingleChunk];
        Span<float> u = stackalloc float[SingleChunk];
        double sum = 0;
        for (int i = 0; i < z.Length; i += SingleChunk)
        {
            int n = Math.Min(SingleChunk, z.Length - i);
            ReadOnlySpan<float> zc = z.Slice(i, n), ac = a.Slice(i, n), yc = y.Slice(i, n);
            Span<float> tc = t[..n], uc = u[..n];
            TensorPrimitives.Subtract(1f, ac, uc);
            TensorPrimitives.Max(ac, uc, uc);
            TensorPrimitives.Log<float>(uc, uc);               // log σ(|z|) = −log(1 + e^−|z|)
            TensorPrimitives.Max(zc, 0f, tc);
            TensorPrimitives.Subtract(tc, uc, tc);             // max(z, 0) + log(1 + e^−|z|)
            TensorPrimitives.Multiply(yc, zc, uc);
            TensorPrimitives.Subtract(tc, uc, tc);             // − y·z
            sum += TensorPrimitives.Sum<float>(tc);
        }
        return sum;
    }

    /// <summary>
    /// Σ over rows of Σₖ yₖ·(−log aₖ) through the softmax outputs a the forward pass already computed (log aₖ = zₖ − log Σⱼ e^zⱼ):
    /// one log per non-zero target, in float64. Where an output has underflowed (below 1e-30) the row's term comes from
    /// z exactly, so a confidently wrong sample still costs what it should.
    /// </summary>
    [SkipLocalsInit]
    private static double SingleSoftmaxCrossEntropySum(ReadOnlySpan<float> z, ReadOnlySpan<float> a, ReadOnlySpan<float> y, int rows)
    {
        int width = z.Length / rows;
        double sum = 0;
        // The outputs with a non-zero target, gathered and passed through one vector log per block.
        Span<float> picked = stackalloc float[SingleChunk];
        Span<float> weight = stackalloc float[SingleChunk];
        int n = 0;
        for (int r = 0; r < rows; r++)
        {
            var ar = a.Slice(r * width, width);
            var yr = y.Slice(r * width, width);
            for (int k = 0; k < width; k++)
            {
                float yk = yr[k];
                if (yk == 0) continue;
                if (ar[k] < 1e-30f)
                {
                    sum += yk * (LogSumExp(z.Slice(r * width, width)) - z[r * width + k]);
                    continue;
                }
                picked[n] = ar[k];
                weight[n++] = yk;
                if (n == SingleChunk)
                {
                    sum += WeightedNegativeLogs(picked, weight);
                    n = 0;
                }
            }
        }
        return sum + WeightedNegativeLogs(picked[..n], weight[..n]);
    }

    /// <summary>Σ −wᵢ·log pᵢ: the logs in float32 vectors (through a zero-padded block when short, so that every value takes
    /// the vector code), the sum in float64.</summary>
    private static double WeightedNegativeLogs(Span<float> p, ReadOnlySpan<float> w)
    {
        if (p.IsEmpty) return 0;
        Span<float> buffer = stackalloc float[VectorPath.Length];
        var work = VectorPath.Prepare(p, buffer, 1f);
        TensorPrimitives.Log<float>(work, work);
        VectorPath.Finish(work, p);
        double sum = 0;
        for (int i = 0; i < p.Length; i++) sum -= (double)w[i] * p[i];
        return sum;
    }

    private static double LogSumExp(ReadOnlySpan<float> row)
    {
        double max = double.NegativeInfinity, sum = 0;
        foreach (float v in row) max = Math.Max(max, v);
        foreach (float v in row) sum += Math.Exp(v - max);
        return max + Math.Log(sum);
    }

    /// <summary>Σ max(z, 0) − y·z + log(1 + e^−|z|) in float64, eight (AVX-512) or four elements per vector (float32 elements are
    /// widened in registers, 8 at a time: the same four-lane accumulation order as float64).</summary>
    private static double SigmoidCrossEntropySum<T>(ReadOnlySpan<T> z, ReadOnlySpan<T> y) where T : unmanaged, IFloatingPointIeee754<T>
    {
        const int W = 4;
        var acc = Vector256<double>.Zero;
        int i = 0;
        if (Vector512.IsHardwareAccelerated && (typeof(T) == typeof(double) || typeof(T) == typeof(float)))
        {
            // Eight float64 lanes: the whole groups of eight (float32: of sixteen, widened), folded into the
            // four-lane accumulator below; the rest as usual.
            var acc8 = Vector512<double>.Zero;
            if (typeof(T) == typeof(double))
            {
                var zd = MemoryMarshal.Cast<T, double>(z);
                var yd = MemoryMarshal.Cast<T, double>(y);
                for (; i <= z.Length - 8; i += 8)
                    acc8 += SigmoidCrossEntropyTerm(Vector512.Create(zd.Slice(i, 8)), Vector512.Create(yd.Slice(i, 8)));
            }
            else
            {
                var zf = MemoryMarshal.Cast<T, float>(z);
                var yf = MemoryMarshal.Cast<T, float>(y);
                for (; i <= z.Length - 16; i += 16)
                {
                    var (zLo, zHi) = Vector512.Widen(Vector512.Create(zf.Slice(i, 16)));
                    var (yLo, yHi) = Vector512.Widen(Vector512.Create(yf.Slice(i, 16)));
                    acc8 += SigmoidCrossEntropyTerm(zLo, yLo);
                    acc8 += SigmoidCrossEntropyTerm(zHi, yHi);
                }
            }
            acc = acc8.GetLower() + acc8.GetUpper();
        }
        if (typeof(T) == typeof(double))
        {
            var zd = MemoryMarshal.Cast<T, double>(z);
            var yd = MemoryMarshal.Cast<T, double>(y);
            for (; i <= z.Length - W; i += W)
                acc += SigmoidCrossEntropyTerm(Vector256.Create(zd.Slice(i, W)), Vector256.Create(yd.Slice(i, W)));
        }
        else if (typeof(T) == typeof(float))
        {
            var zf = MemoryMarshal.Cast<T, float>(z);
            var yf = MemoryMarshal.Cast<T, float>(y);
            for (; i <= z.Length - 2 * W; i += 2 * W)
            {
                var (zLo, zHi) = Vector256.Widen(Vector256.Create(zf.Slice(i, 2 * W)));
                var (yLo, yHi) = Vector256.Widen(Vector256.Create(yf.Slice(i, 2 * W)));
                acc += SigmoidCrossEntropyTerm(zLo, yLo);
                acc += SigmoidCrossEntropyTerm(zHi, yHi);
            }
        }
        if (i <= z.Length - W)
        {
            // float32 (or another type): the remaining whole groups of four through a small buffer.
            Span<double> zb = stackalloc double[W], yb = stackalloc double[W];
            for (; i <= z.Length - W; i += W)
            {
                for (int q = 0; q < W; q++)
                {
                    zb[q] = double.CreateTruncating(z[i + q]);
                    yb[q] = double.CreateTruncating(y[i + q]);
                }
                acc += SigmoidCrossEntropyTerm(Vector256.Create<double>(zb), Vector256.Create<double>(yb));
            }
        }
        double sum = Vector256.Sum(acc);
        for (; i < z.Length; i++)
        {
            double zk = double.CreateTruncating(z[i]), yk = double.CreateTruncating(y[i]);
            sum += Math.Max(zk, 0) - yk * zk + Math.Log(1 + Math.Exp(-Math.Abs(zk)));
        }
        return sum;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<double> SigmoidCrossEntropyTerm(Vector512<double> vz, Vector512<double> vy) =>
        Vector512.Max(vz, Vector512<double>.Zero) - vy * vz + Vector512.Log(Vector512<double>.One + Vector512.Exp(-Vector512.Abs(vz)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<double> SigmoidCrossEntropyTerm(Vector256<double> vz, Vector256<double> vy) =>
        Vector256.Max(vz, Vector256<double>.Zero) - vy * vz + Vector256.Log(Vector256<double>.One + Vector256.Exp(-Vector256.Abs(vz)));

    /// <summary>
    /// The output delta dCost/dZ for one sample (or a block of whole rows) of a batch of m, written into <paramref name="delta"/>:
    /// (a − y)/m for the cross-entropy pairs, (a − y) ⊙ f'(z)/m for squared error.
    /// </summary>
    public static void Delta<T>(Activation output, Loss loss, ReadOnlySpan<T> a, ReadOnlySpan<T> y, T invM, Span<T> delta)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        // (a − y)·(1/m) element by element (vectorized; the same two roundings per element as a scalar loop).
        System.Numerics.Tensors.TensorPrimitives.Subtract(a, y, delta[..a.Length]);
        System.Numerics.Tensors.TensorPrimitives.Multiply(delta[..a.Length], invM, delta[..a.Length]);
        if (loss == Loss.SquaredError)
            Activations.MultiplyDerivative(output, a, delta);
    }
}
