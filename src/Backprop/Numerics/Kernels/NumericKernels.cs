using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Backprop.Numerics;

/// <summary>Small vectorized reductions the training step needs besides the products.</summary>
public static class NumericKernels
{
    /// <summary>
    /// Column sums: dst[j] += Σ_r block[r·width + j] over <paramref name="rows"/> rows of width dst.Length,
    /// each column accumulated row after row (the same order as adding the rows one by one) with the partial sums of
    /// up to 64 columns held in registers. The bias gradient of a layer: Σ over the batch of dZ [rows, out].
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void AddRows<T>(Span<T> dst, ReadOnlySpan<T> block, int rows) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int width = dst.Length;
        if (rows < 0 || (long)rows * width > block.Length)
            throw new ArgumentException($"A block of {block.Length} elements does not hold {rows} rows of {width}.", nameof(block));
        ref T b = ref MemoryMarshal.GetReference(block);
        int j = 0;
        int lanes = Vector<T>.Count;
        if (Vector.IsHardwareAccelerated && Vector<T>.IsSupported)
        {
            ref T d = ref MemoryMarshal.GetReference(dst);
            for (; j <= width - 2 * lanes; j += 2 * lanes)
            {
                var s0 = Vector.LoadUnsafe(ref d, (nuint)j);
                var s1 = Vector.LoadUnsafe(ref d, (nuint)(j + lanes));
                for (int r = 0; r < rows; r++)
                {
                    nuint at = (nuint)((long)r * width + j);
                    s0 += Vector.LoadUnsafe(ref b, at);
                    s1 += Vector.LoadUnsafe(ref b, at + (nuint)lanes);
                }
                s0.StoreUnsafe(ref d, (nuint)j);
                s1.StoreUnsafe(ref d, (nuint)(j + lanes));
            }
            for (; j <= width - lanes; j += lanes)
            {
                var s0 = Vector.LoadUnsafe(ref d, (nuint)j);
                for (int r = 0; r < rows; r++) s0 += Vector.LoadUnsafe(ref b, (nuint)((long)r * width + j));
                s0.StoreUnsafe(ref d, (nuint)j);
            }
        }
        for (; j < width; j++)
        {
            T sum = dst[j];
            for (int r = 0; r < rows; r++) sum += block[r * width + j];
            dst[j] = sum;
        }
    }

    /// <summary>
    /// dst[i] += src[i], as TensorPrimitives.Add(dst, src, dst) computes it (same element-wise result) but
    /// inlined: the network calls it once per row of short rows (a bias of 10–25 units, 5000 rows), where a
    /// library call per row costs more than the additions.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void AddInPlace<T>(Span<T> dst, ReadOnlySpan<T> src) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (src.Length != dst.Length) throw new ArgumentException($"Length mismatch: {dst.Length} vs {src.Length}.", nameof(src));
        int i = 0;
        if (Vector.IsHardwareAccelerated && Vector<T>.IsSupported)
        {
            ref T d = ref MemoryMarshal.GetReference(dst);
            ref T s = ref MemoryMarshal.GetReference(src);
            for (; i <= dst.Length - Vector<T>.Count; i += Vector<T>.Count)
                (Vector.LoadUnsafe(ref d, (nuint)i) + Vector.LoadUnsafe(ref s, (nuint)i)).StoreUnsafe(ref d, (nuint)i);
        }
        for (; i < dst.Length; i++) dst[i] += src[i];
    }

    /// <summary>Σ x² accumulated in float64 (float32 elements are widened first, so the sum keeps double precision).</summary>
    public static double SumOfSquares<T>(ReadOnlySpan<T> values) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (typeof(T) == typeof(double))
            return TensorPrimitives.SumOfSquares(MemoryMarshal.Cast<T, double>(values));
        if (typeof(T) == typeof(float))
        {
            var x = MemoryMarshal.Cast<T, float>(values);
            int i = 0;
            double sum = 0;
            if (Vector512.IsHardwareAccelerated && x.Length >= 64)
            {
                // Eight independent float64 accumulators (a single one waits on its own add every step); a float32
                // square is exact in float64, so only the additions round.
                ref float r = ref MemoryMarshal.GetReference(x);
                Vector512<double> a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default, a6 = default, a7 = default;
                for (; i <= x.Length - 64; i += 64)
                {
                    var (l0, h0) = Vector512.Widen(Vector512.LoadUnsafe(ref r, (nuint)i));
                    var (l1, h1) = Vector512.Widen(Vector512.LoadUnsafe(ref r, (nuint)(i + 16)));
                    var (l2, h2) = Vector512.Widen(Vector512.LoadUnsafe(ref r, (nuint)(i + 32)));
                    var (l3, h3) = Vector512.Widen(Vector512.LoadUnsafe(ref r, (nuint)(i + 48)));
                    a0 += l0 * l0; a1 += h0 * h0; a2 += l1 * l1; a3 += h1 * h1;
                    a4 += l2 * l2; a5 += h2 * h2; a6 += l3 * l3; a7 += h3 * h3;
                }
                sum = Vector512.Sum((a0 + a1) + (a2 + a3) + ((a4 + a5) + (a6 + a7)));
            }
            else if (Vector.IsHardwareAccelerated && x.Length >= Vector<float>.Count)
            {
                Vector<double> acc0 = Vector<double>.Zero, acc1 = Vector<double>.Zero;
                var vectors = MemoryMarshal.Cast<float, Vector<float>>(x);
                for (; i < vectors.Length; i++)
                {
                    Vector.Widen(vectors[i], out var lo, out var hi);
                    acc0 += lo * lo;
                    acc1 += hi * hi;
                }
                sum = Vector.Sum(acc0 + acc1);
                i *= Vector<float>.Count;
            }
            for (; i < x.Length; i++) sum += (double)x[i] * x[i];
            return sum;
        }
        double s = 0;
        foreach (var v in values)
        {
            double d = double.CreateTruncating(v);
            s += d * d;
        }
        return s;
    }

    /// <summary>mask[i] = draws[i] ≥ threshold ? scale : 0 (a vector at a time for float32).</summary>
    internal static void SelectAtLeast<T>(ReadOnlySpan<uint> draws, uint threshold, T scale, Span<T> mask) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int i = 0;
        if (typeof(T) == typeof(float) && Vector.IsHardwareAccelerated)
        {
            var single = MemoryMarshal.Cast<T, float>(mask);
            var limit = new Vector<uint>(threshold);
            var bits = new Vector<uint>(BitConverter.SingleToUInt32Bits(float.CreateTruncating(scale)));
            for (; i <= draws.Length - Vector<uint>.Count; i += Vector<uint>.Count)
                Vector.AsVectorSingle(Vector.GreaterThanOrEqual(new Vector<uint>(draws[i..]), limit) & bits).CopyTo(single[i..]);
        }
        for (; i < draws.Length; i++)
            mask[i] = draws[i] >= threshold ? scale : T.Zero;
    }
}
