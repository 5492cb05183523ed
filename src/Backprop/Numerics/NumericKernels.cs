using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Backprop.Numerics;

/// <summary>Small vectorized reductions the training step needs besides the products.</summary>
public static class NumericKernels
{
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
            if (Vector.IsHardwareAccelerated && x.Length >= Vector<float>.Count)
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
}
