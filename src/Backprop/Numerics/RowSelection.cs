using System.Numerics;

namespace Backprop.Numerics;

/// <summary>
/// A batch that is a selection of rows of a larger matrix: row r of the batch is row
/// <c>Index[Start + r]</c> of <see cref="Source"/> (a shuffled mini-batch of the training set). The products of a
/// first layer — the forward product X·Wᵀ and the weight gradient dZᵀ·X — read the rows where they are, so a
/// mini-batch is never copied; where a kernel cannot (another provider, or shapes the row-reading kernels do not
/// cover), the rows are first gathered into a per-thread buffer. Either way the arithmetic is the same as on a
/// copied batch, bit for bit.
/// </summary>
public readonly struct RowSelection<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Rows <paramref name="index"/>[start .. start + count) of <paramref name="source"/>; every index is checked.</summary>
    public RowSelection(Matrix<T> source, int[] index, int start, int count)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(index);
        if (start < 0 || count < 0 || (long)start + count > index.Length)
            throw new ArgumentOutOfRangeException(nameof(start), $"Entries [{start}, {(long)start + count}) are outside a row index of {index.Length}.");
        for (int r = start; r < start + count; r++)
            if ((uint)index[r] >= (uint)source.Rows)
                throw new ArgumentOutOfRangeException(nameof(index), $"Row index entry {r} is {index[r]}; the matrix has rows 0..{source.Rows - 1}.");
        Source = source;
        Index = index;
        Start = start;
        Count = count;
    }

    public Matrix<T> Source { get; }
    public int[] Index { get; }
    public int Start { get; }
    /// <summary>Rows in the batch.</summary>
    public int Count { get; }
    public int Cols => Source.Cols;

    /// <summary>Row r of the batch (row <c>Index[Start + r]</c> of the source).</summary>
    public Span<T> Row(int r) => Source.Row(Index[Start + r]);

    /// <summary>Copies the selected rows into <paramref name="destination"/> [Count, Cols].</summary>
    public void CopyTo(Matrix<T> destination)
    {
        ArgumentNullException.ThrowIfNull(destination);
        if (destination.Rows != Count || destination.Cols != Cols)
            throw new ArgumentException($"The destination must be {Count}x{Cols}, got {destination.Rows}x{destination.Cols}.", nameof(destination));
        for (int r = 0; r < Count; r++) Row(r).CopyTo(destination.Row(r));
    }
}
