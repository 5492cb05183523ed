using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Backprop.Numerics;

/// <summary>
/// The vectorized sums behind <see cref="Elementwise.TrySigmoidCrossEntropySum{T}"/> and
/// <see cref="Elementwise.TrySoftmaxCrossEntropySum{T}"/>: the cross-entropy of a block of output rows.
/// </summary>
internal static class CrossEntropyKernels
{
    /// <summary>Elements per float32 block of the vectorized cross-entropies (on the stack).</summary>
    private const int SingleChunk = 512;

    /// <summary>
    /// Σ max(z, 0) − y·z + log(1 + e^−|z|) with the last term written through the outputs a = σ(z) the forward pass
    /// already computed: log(1 + e^−|z|) = −log σ(|z|) = −log max(a, 1 − a). One float32 vector log per element and no
    /// exp; block sums in float64. Where a rounds to 1 the term is below float32's resolution of the loss anyway.
    /// </summary>
    [SkipLocalsInit]
    public static double SingleSigmoidCrossEntropySum(ReadOnlySpan<float> z, ReadOnlySpan<float> a, ReadOnlySpan<float> y)
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
    public static double SingleSoftmaxCrossEntropySum(ReadOnlySpan<float> z, ReadOnlySpan<float> a, ReadOnlySpan<float> y, int rows)
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
    public static double SigmoidCrossEntropySum<T>(ReadOnlySpan<T> z, ReadOnlySpan<T> y) where T : unmanaged, IFloatingPointIeee754<T>
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
}
