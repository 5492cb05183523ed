using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Backprop.Numerics;

/// <summary>Row softmax, exp(z − max z) / Σ exp(z − max z), for single rows and blocks of whole rows
/// (the narrow float32 blocks through <see cref="NarrowSoftmax"/>).</summary>
internal static class SoftmaxKernel
{
    /// <summary>
    /// <see cref="Row{T}"/> of every row of a block of whole rows (rows of <paramref name="width"/> elements). Narrow
    /// float32 rows (10 classes) share one vector exp over the block instead of five library calls per row; the row maxima,
    /// sums and divisions are scalar, in order. Every element gets the same operations whichever block its row is in.
    /// </summary>
    [SkipLocalsInit]
    public static void Rows<T>(Span<T> block, int width) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (width <= 0 || block.Length % width != 0)
            throw new ArgumentException($"A block of {block.Length} elements is not whole rows of {width}.", nameof(block));
        if (width >= VectorPath.Length || typeof(T) != typeof(float))
        {
            // Wide rows, and float64 (the exact path keeps its arithmetic): row by row.
            for (int r = 0; r < block.Length; r += width) Whole(block.Slice(r, width));
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
    /// <see cref="Rows{T}"/>'s arithmetic, so a row gets the same values alone or in a block.</summary>
    public static void Row<T>(Span<T> row) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (row.Length < VectorPath.Length && typeof(T) == typeof(float))
        {
            if (!row.IsEmpty) Rows(row, row.Length);
            return;
        }
        Whole(row);
    }

    private static void Whole<T>(Span<T> row) where T : unmanaged, IFloatingPointIeee754<T>
    {
        T max = TensorPrimitives.Max<T>(row);
        TensorPrimitives.Subtract<T>(row, max, row);
        TensorPrimitives.Exp<T>(row, row);
        T sum = TensorPrimitives.Sum<T>(row);
        TensorPrimitives.Divide<T>(row, sum, row);
    }
}
