using System.Numerics;

namespace Backprop.Data.Preprocessing;

/// <summary>One-hot encoding of class indices, and its inverse (argmax).</summary>
public static class OneHot
{
    /// <summary>A row-major [labels.Length, classes] matrix with a 1 in column labels[i] of row i.</summary>
    public static double[] Encode(int[] labels, int classes)
    {
        ArgumentNullException.ThrowIfNull(labels);
        var result = new double[(long)labels.Length * classes];
        Encode<double>(labels, classes, result);
        return result;
    }

    /// <summary>Writes the one-hot rows of <paramref name="labels"/> into <paramref name="dest"/> ([labels.Length, classes], row-major).</summary>
    public static void Encode<T>(ReadOnlySpan<int> labels, int classes, Span<T> dest) where T : INumberBase<T>
    {
        if (classes < 1) throw new ArgumentOutOfRangeException(nameof(classes), $"The number of classes must be at least 1, got {classes}.");
        if (dest.Length != (long)labels.Length * classes)
            throw new ArgumentException($"The destination holds {dest.Length} values; {labels.Length} x {classes} are needed.", nameof(dest));
        dest.Fill(T.Zero);
        for (int i = 0; i < labels.Length; i++)
        {
            if ((uint)labels[i] >= (uint)classes)
                throw new ArgumentOutOfRangeException(nameof(labels), $"Label {labels[i]} of sample {i} is outside 0..{classes - 1}.");
            dest[i * classes + labels[i]] = T.One;
        }
    }

    /// <summary>
    /// The index of the largest value in each row of a row-major [n, classes] matrix. Like NumPy's argmax,
    /// ties go to the first index and a NaN counts as the largest value.
    /// </summary>
    public static int[] Decode<T>(ReadOnlySpan<T> rows, int classes) where T : INumber<T>
    {
        if (classes < 1) throw new ArgumentOutOfRangeException(nameof(classes), $"The number of classes must be at least 1, got {classes}.");
        if (rows.Length % classes != 0)
            throw new ArgumentException($"{rows.Length} values are not whole rows of {classes}.", nameof(rows));
        var result = new int[rows.Length / classes];
        for (int i = 0; i < result.Length; i++)
        {
            var row = rows.Slice(i * classes, classes);
            int best = 0;
            if (!T.IsNaN(row[0]))
                for (int k = 1; k < classes; k++)
                {
                    if (T.IsNaN(row[k])) { best = k; break; }
                    if (row[k] > row[best]) best = k;
                }
            result[i] = best;
        }
        return result;
    }

    /// <summary><see cref="Decode{T}(ReadOnlySpan{T}, int)"/> for double arrays.</summary>
    public static int[] Decode(double[] rows, int classes) => Decode<double>(rows, classes);
}
