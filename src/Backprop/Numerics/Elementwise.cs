using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Backprop.Numerics;

/// <summary>
/// The element-wise operations the engine runs between its products, over spans of any length. Each picks its
/// vector kernel (under Kernels/); the maths is <see cref="Scalar"/>'s. Every element's result depends only on the
/// element, never on the span's length or the element's place in it, so blocks split over threads agree bit for bit.
/// </summary>
public static class Elementwise
{
    /// <summary>a = f(z), in place over one row (softmax needs the whole row).</summary>
    public static void Apply<T>(Nonlinearity f, Span<T> row) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (row.IsEmpty) return; // (TensorPrimitives.Sigmoid refuses an empty span)
        switch (f)
        {
            case Nonlinearity.Sigmoid:
                if (typeof(T) == typeof(float) && Vector256.IsHardwareAccelerated) ActivationKernels.SigmoidSingle(MemoryMarshal.Cast<T, float>(row));
                else TensorPrimitives.Sigmoid<T>(row, row);
                break;
            case Nonlinearity.Tanh: TensorPrimitives.Tanh<T>(row, row); break;
            case Nonlinearity.Relu: TensorPrimitives.Max<T>(row, T.Zero, row); break;
            case Nonlinearity.Identity: break;
            case Nonlinearity.Softmax: SoftmaxKernel.Row(row); break;
            default: throw new ArgumentOutOfRangeException(nameof(f), f, null);
        }
    }

    /// <summary>
    /// a = f(a) over a span of any length with the result of the vector code for every element: a short span goes
    /// through <see cref="VectorPath"/>'s zero-padded buffer (softmax rows are computed whole).
    /// </summary>
    public static void ApplyAnyLength<T>(Nonlinearity f, Span<T> a) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (f is Nonlinearity.Identity or Nonlinearity.Relu or Nonlinearity.Softmax || a.IsEmpty)
        {
            Apply(f, a); // ReLU is exact; softmax always gets whole rows
            return;
        }
        Span<T> buffer = stackalloc T[VectorPath.Length];
        var work = VectorPath.Prepare(a, buffer, T.Zero);
        Apply(f, work);
        VectorPath.Finish(work, a);
    }

    /// <summary>dZ = dA ⊙ f′ with f′ written through a = f(z) (<see cref="Scalar.Derivative{T}"/>), in place over dA.</summary>
    public static void MultiplyDerivative<T>(Nonlinearity f, ReadOnlySpan<T> a, Span<T> dA) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (a.Length < dA.Length)
            throw new ArgumentException($"The activations have {a.Length} elements; the gradient has {dA.Length}.", nameof(a));
        switch (f)
        {
            case Nonlinearity.Sigmoid:
            case Nonlinearity.Tanh:
            case Nonlinearity.Relu:
                ActivationKernels.MultiplyDerivative(f, a, dA);
                break;
            case Nonlinearity.Identity:
                break;
            case Nonlinearity.Softmax:
                throw new NotSupportedException("Softmax has a full Jacobian; it is only used as an output with the cross-entropy loss, whose delta is fused.");
            default:
                throw new ArgumentOutOfRangeException(nameof(f), f, null);
        }
    }

    /// <summary>Softmax of every row of a block of whole rows of <paramref name="width"/> elements.</summary>
    public static void SoftmaxRows<T>(Span<T> block, int width) where T : unmanaged, IFloatingPointIeee754<T> => SoftmaxKernel.Rows(block, width);

    /// <summary>Overflow-safe softmax of one row; the same values as the row gets in <see cref="SoftmaxRows{T}"/>.</summary>
    public static void Softmax<T>(Span<T> row) where T : unmanaged, IFloatingPointIeee754<T> => SoftmaxKernel.Row(row);

    /// <summary>delta = (a − y)·s element by element (two roundings each, vectorized).</summary>
    public static void ScaledDifference<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> y, T s, Span<T> delta) where T : unmanaged, IFloatingPointIeee754<T>
    {
        TensorPrimitives.Subtract(a, y, delta[..a.Length]);
        TensorPrimitives.Multiply(delta[..a.Length], s, delta[..a.Length]);
    }

    /// <summary>x ⊙= m, element by element.</summary>
    public static void MultiplyInPlace<T>(Span<T> x, ReadOnlySpan<T> m) where T : unmanaged, IFloatingPointIeee754<T> =>
        TensorPrimitives.Multiply<T>(x, m[..x.Length], x);

    /// <summary>product = x ⊙ m, element by element.</summary>
    public static void Multiply<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> m, Span<T> product) where T : unmanaged, IFloatingPointIeee754<T> =>
        TensorPrimitives.Multiply<T>(x, m, product);

    /// <summary>mask[i] = draws[i] ≥ threshold ? scale : 0 (a dropout mask from uniform 32-bit draws).</summary>
    public static void SelectAtLeast<T>(ReadOnlySpan<uint> draws, uint threshold, T scale, Span<T> mask) where T : unmanaged, IFloatingPointIeee754<T> =>
        NumericKernels.SelectAtLeast(draws, threshold, scale, mask);

    /// <summary>
    /// Σ over the elements of the logistic loss of logits z with targets y, max(z, 0) − y·z + log(1 + e^−|z|), when a
    /// vector kernel applies (false otherwise: the caller sums the scalar formula). float32 reads the outputs a = σ(z)
    /// the forward pass computed (one float32 log per element, no exp) and sums in float64, within a few float32 ulps of
    /// the float64 formula; float64 computes the formula in float64 vectors.
    /// </summary>
    public static bool TrySigmoidCrossEntropySum<T>(ReadOnlySpan<T> z, ReadOnlySpan<T> a, ReadOnlySpan<T> y, out double sum)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (typeof(T) == typeof(float) && !z.IsEmpty)
            sum = CrossEntropyKernels.SingleSigmoidCrossEntropySum(MemoryMarshal.Cast<T, float>(z), MemoryMarshal.Cast<T, float>(a), MemoryMarshal.Cast<T, float>(y));
        else if (Vector256.IsHardwareAccelerated)
            sum = CrossEntropyKernels.SigmoidCrossEntropySum(z, y);
        else
        {
            sum = 0;
            return false;
        }
        return true;
    }

    /// <summary>
    /// Σ over <paramref name="rows"/> rows of −Σₖ yₖ log aₖ for softmax outputs a of logits z, when a vector kernel applies
    /// (float32; false otherwise). One float32 log per non-zero target, summed in float64; an output that has underflowed
    /// takes its term from z exactly.
    /// </summary>
    public static bool TrySoftmaxCrossEntropySum<T>(ReadOnlySpan<T> z, ReadOnlySpan<T> a, ReadOnlySpan<T> y, int rows, out double sum)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        sum = 0;
        if (typeof(T) != typeof(float) || rows <= 0) return false;
        sum = CrossEntropyKernels.SingleSoftmaxCrossEntropySum(MemoryMarshal.Cast<T, float>(z), MemoryMarshal.Cast<T, float>(a), MemoryMarshal.Cast<T, float>(y), rows);
        return true;
    }
}
