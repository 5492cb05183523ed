using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;

namespace Backprop.Numerics;

/// <summary>Small vectorized reductions the training step needs besides the products.</summary>
public static class NumericKernels
{
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
