using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Backprop.Numerics;

namespace Backprop.Layers;

/// <summary>The activation functions a layer can use.</summary>
public enum Activation
{
    Sigmoid,
    Tanh,
    Relu,
    Identity,
    /// <summary>Output layers only: a probability distribution over the row.</summary>
    Softmax,
}

/// <summary>
/// Activations as a small table: the value, applied in place to a pre-activation row, and the derivative,
/// expressed through the activation's output a = f(z) so that the forward pass need not keep z.
/// </summary>
public static class Activations
{
    public static Activation Parse(string name) => name.Trim().ToLowerInvariant() switch
    {
        "sigmoid" or "logistic" => Activation.Sigmoid,
        "tanh" => Activation.Tanh,
        "relu" => Activation.Relu,
        "identity" or "linear" or "none" => Activation.Identity,
        "softmax" => Activation.Softmax,
        _ => throw new ArgumentException($"Unknown activation '{name}': expected sigmoid, tanh, relu, identity or softmax."),
    };

    public static string Name(Activation activation) => activation.ToString().ToLowerInvariant();

    /// <summary>a = f(z), in place over one row (softmax needs the whole row).</summary>
    public static void Apply<T>(Activation activation, Span<T> row) where T : unmanaged, IFloatingPointIeee754<T>
    {
        switch (activation)
        {
            case Activation.Sigmoid:
                if (typeof(T) == typeof(float) && Vector256.IsHardwareAccelerated) SigmoidSingle(MemoryMarshal.Cast<T, float>(row));
                else TensorPrimitives.Sigmoid<T>(row, row);
                break;
            case Activation.Tanh: TensorPrimitives.Tanh<T>(row, row); break;
            case Activation.Relu: TensorPrimitives.Max<T>(row, T.Zero, row); break;
            case Activation.Identity: break;
            case Activation.Softmax: Softmax(row); break;
            default: throw new ArgumentOutOfRangeException(nameof(activation), activation, null);
        }
    }

    /// <summary>dZ = dA ⊙ f'(z), with f'(z) written through a = f(z):
    /// sigmoid a(1−a), tanh 1−a², ReLU [a &gt; 0], identity 1. In place over dA.
    /// <para>Vectorized; every element gets exactly the scalar operations dA·(a·(1−a)) / dA·(1−a·a) (no fused
    /// multiply-add), so the result does not depend on the span's length or where an element sits in it.</para></summary>
    public static void MultiplyDerivative<T>(Activation activation, ReadOnlySpan<T> a, Span<T> dA) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (a.Length < dA.Length)
            throw new ArgumentException($"The activations have {a.Length} elements; the gradient has {dA.Length}.", nameof(a));
        switch (activation)
        {
            case Activation.Sigmoid:
            case Activation.Tanh:
            case Activation.Relu:
                DerivativeKernel(activation, a, dA);
                break;
            case Activation.Identity:
                break;
            case Activation.Softmax:
                throw new NotSupportedException("Softmax has a full Jacobian; it is only used as an output with the cross-entropy loss, whose delta is fused.");
            default:
                throw new ArgumentOutOfRangeException(nameof(activation), activation, null);
        }
    }

    private static void DerivativeKernel<T>(Activation activation, ReadOnlySpan<T> a, Span<T> dA) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int n = dA.Length, i = 0;
        ref T ra = ref MemoryMarshal.GetReference(a);
        ref T rd = ref MemoryMarshal.GetReference(dA);
        if (Vector512.IsHardwareAccelerated && Vector512<T>.IsSupported)
        {
            int lanes = Vector512<T>.Count;
            for (; i <= n - lanes; i += lanes)
            {
                var va = Vector512.LoadUnsafe(ref ra, (nuint)i);
                var vd = Vector512.LoadUnsafe(ref rd, (nuint)i);
                vd = activation switch
                {
                    Activation.Sigmoid => vd * (va * (Vector512<T>.One - va)),
                    Activation.Tanh => vd * (Vector512<T>.One - va * va),
                    _ => Vector512.ConditionalSelect(Vector512.GreaterThan(va, Vector512<T>.Zero), vd, Vector512<T>.Zero),
                };
                vd.StoreUnsafe(ref rd, (nuint)i);
            }
        }
        else if (Vector256.IsHardwareAccelerated && Vector256<T>.IsSupported)
        {
            int lanes = Vector256<T>.Count;
            for (; i <= n - lanes; i += lanes)
            {
                var va = Vector256.LoadUnsafe(ref ra, (nuint)i);
                var vd = Vector256.LoadUnsafe(ref rd, (nuint)i);
                vd = activation switch
                {
                    Activation.Sigmoid => vd * (va * (Vector256<T>.One - va)),
                    Activation.Tanh => vd * (Vector256<T>.One - va * va),
                    _ => Vector256.ConditionalSelect(Vector256.GreaterThan(va, Vector256<T>.Zero), vd, Vector256<T>.Zero),
                };
                vd.StoreUnsafe(ref rd, (nuint)i);
            }
        }
        for (; i < n; i++)
        {
            T ai = a[i];
            dA[i] = activation switch
            {
                Activation.Sigmoid => dA[i] * (ai * (T.One - ai)),
                Activation.Tanh => dA[i] * (T.One - ai * ai),
                _ => ai > T.Zero ? dA[i] : T.Zero,
            };
        }
    }

    /// <summary>
    /// float32 sigmoid 1/(1 + e^−x) with a float32 vector exp (below): within 3 ulps of the float64 value, about
    /// ten times as fast as TensorPrimitives' float32 sigmoid here (which computes its exp in float64). Every element takes the vector path (a short tail goes through a zero-padded vector), so an
    /// element's result never depends on the span's length or its position in it.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void SigmoidSingle(Span<float> x)
    {
        int n = x.Length, i = 0;
        ref float r = ref MemoryMarshal.GetReference(x);
        if (Vector512.IsHardwareAccelerated)
        {
            for (; i <= n - Vector512<float>.Count; i += Vector512<float>.Count)
                Sigmoid512(Vector512.LoadUnsafe(ref r, (nuint)i)).StoreUnsafe(ref r, (nuint)i);
            if (i < n)
            {
                Span<float> tail = stackalloc float[Vector512<float>.Count];
                tail.Clear();
                x[i..].CopyTo(tail);
                Sigmoid512(Vector512.Create<float>(tail)).CopyTo(tail);
                tail[..(n - i)].CopyTo(x[i..]);
            }
            return;
        }
        for (; i <= n - Vector256<float>.Count; i += Vector256<float>.Count)
            Sigmoid256(Vector256.LoadUnsafe(ref r, (nuint)i)).StoreUnsafe(ref r, (nuint)i);
        if (i < n)
        {
            Span<float> tail = stackalloc float[Vector256<float>.Count];
            tail.Clear();
            x[i..].CopyTo(tail);
            Sigmoid256(Vector256.Create<float>(tail)).CopyTo(tail);
            tail[..(n - i)].CopyTo(x[i..]);
        }
    }

    // float32 e^t on [-87, 88] (Cephes expf: t = n·ln2 + r, |r| ≤ ½ln2, degree-6 polynomial, 2^n in the exponent bits);
    // about 1 ulp. Beyond 88 the sigmoid is below 1e-38 and is returned as 0; below −87, e^t < 2e-38 and σ rounds to 1.
    private const float ExpHi = 88f, ExpLo = -87f, Log2E = 1.44269504088896341f, Ln2Hi = 0.693359375f, Ln2Lo = -2.12194440e-4f;
    private const float P0 = 1.9875691500E-4f, P1 = 1.3981999507E-3f, P2 = 8.3334519073E-3f, P3 = 4.1665795894E-2f, P4 = 1.6666665459E-1f, P5 = 5.0000001201E-1f;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Sigmoid512(Vector512<float> v)
    {
        var t = -v;
        var big = Vector512.GreaterThan(t, Vector512.Create(ExpHi));
        t = Vector512.Min(Vector512.Max(t, Vector512.Create(ExpLo)), Vector512.Create(ExpHi));
        var n = Vector512.Floor(t * Log2E + Vector512.Create(0.5f));
        var r = t - n * Ln2Hi - n * Ln2Lo;
        var z = r * r;
        var y = ((((P0 * r + Vector512.Create(P1)) * r + Vector512.Create(P2)) * r + Vector512.Create(P3)) * r + Vector512.Create(P4)) * r + Vector512.Create(P5);
        y = y * z + r + Vector512<float>.One;
        var scale = (Vector512.ConvertToInt32(n) + Vector512.Create(127)) << 23;
        var e = y * scale.AsSingle();
        var s = Vector512<float>.One / (Vector512<float>.One + e);
        var nan = ~Vector512.Equals(v, v);
        return Vector512.ConditionalSelect(nan, v, Vector512.ConditionalSelect(big, Vector512<float>.Zero, s));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Sigmoid256(Vector256<float> v)
    {
        var t = -v;
        var big = Vector256.GreaterThan(t, Vector256.Create(ExpHi));
        t = Vector256.Min(Vector256.Max(t, Vector256.Create(ExpLo)), Vector256.Create(ExpHi));
        var n = Vector256.Floor(t * Log2E + Vector256.Create(0.5f));
        var r = t - n * Ln2Hi - n * Ln2Lo;
        var z = r * r;
        var y = ((((P0 * r + Vector256.Create(P1)) * r + Vector256.Create(P2)) * r + Vector256.Create(P3)) * r + Vector256.Create(P4)) * r + Vector256.Create(P5);
        y = y * z + r + Vector256<float>.One;
        var scale = (Vector256.ConvertToInt32(n) + Vector256.Create(127)) << 23;
        var e = y * scale.AsSingle();
        var s = Vector256<float>.One / (Vector256<float>.One + e);
        var nan = ~Vector256.Equals(v, v);
        return Vector256.ConditionalSelect(nan, v, Vector256.ConditionalSelect(big, Vector256<float>.Zero, s));
    }

    /// <summary>
    /// <see cref="Softmax{T}"/> of every row of a block of whole rows (rows of <paramref name="width"/> elements). Narrow
    /// float32 rows (10 classes) share one vector exp over the block instead of five library calls per row; the row maxima,
    /// sums and divisions are scalar, in order. Every element gets the same operations whichever block its row is in.
    /// </summary>
    [SkipLocalsInit]
    public static void SoftmaxRows<T>(Span<T> block, int width) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (width <= 0 || block.Length % width != 0)
            throw new ArgumentException($"A block of {block.Length} elements is not whole rows of {width}.", nameof(block));
        if (width >= VectorPath.Length || typeof(T) != typeof(float))
        {
            // Wide rows, and float64 (the exact path keeps its arithmetic): row by row.
            for (int r = 0; r < block.Length; r += width) SoftmaxRow(block.Slice(r, width));
            return;
        }
        bool narrow = NarrowSoftmax.Supports(width);
        if (narrow) NarrowSoftmax.Shift(MemoryMarshal.Cast<T, float>(block), width, ShiftByMax);
        else
            for (int r = 0; r < block.Length; r += width) ShiftByMax(block.Slice(r, width));
        // A short block through a zero-padded buffer, so that the exp is the vector code's, as in a long block.
        Span<T> buffer = stackalloc T[VectorPath.Length];
        var work = VectorPath.Prepare(block, buffer, T.Zero);
        TensorPrimitives.Exp<T>(work, work);
        VectorPath.Finish(work, block);
        if (narrow)
        {
            NarrowSoftmax.Normalize(MemoryMarshal.Cast<T, float>(block), width);
            return;
        }
        for (int r = 0; r < block.Length; r += width)
        {
            var row = block.Slice(r, width);
            T sum = T.Zero;
            for (int k = 0; k < width; k++) sum += row[k];
            for (int k = 0; k < width; k++) row[k] /= sum;
        }
    }

    /// <summary>row −= max(row), where a NaN anywhere makes the maximum NaN.</summary>
    private static void ShiftByMax<T>(Span<T> row) where T : unmanaged, IFloatingPointIeee754<T>
    {
        T max = row[0];
        for (int k = 1; k < row.Length; k++) if (row[k] > max || T.IsNaN(row[k])) max = row[k];
        for (int k = 0; k < row.Length; k++) row[k] -= max;
    }

    /// <summary>Overflow-safe softmax: exp(z − max z) / Σ exp(z − max z). float32 rows shorter than 64 elements take
    /// <see cref="SoftmaxRows{T}"/>'s arithmetic, so a row gets the same values alone or in a block.</summary>
    public static void Softmax<T>(Span<T> row) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (row.Length < VectorPath.Length && typeof(T) == typeof(float))
        {
            if (!row.IsEmpty) SoftmaxRows(row, row.Length);
            return;
        }
        SoftmaxRow(row);
    }

    private static void SoftmaxRow<T>(Span<T> row) where T : unmanaged, IFloatingPointIeee754<T>
    {
        T max = TensorPrimitives.Max<T>(row);
        TensorPrimitives.Subtract<T>(row, max, row);
        TensorPrimitives.Exp<T>(row, row);
        T sum = TensorPrimitives.Sum<T>(row);
        TensorPrimitives.Divide<T>(row, sum, row);
    }
}
