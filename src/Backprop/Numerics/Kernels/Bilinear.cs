using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Backprop.Numerics;

/// <summary>
/// Bilinear resampling of one output row of an image at given source points, 0 for a point outside the image
/// (<c>scipy.ndimage.map_coordinates(order=1, mode='constant', cval=0)</c>). float32 runs eight pixels at a time with
/// AVX2 gathers; every pixel gets the same operations on either path, so the two give the same values.
/// </summary>
internal static class Bilinear
{
    /// <summary>Whether float32 takes the AVX2 path where the machine has it (tests compare it with the scalar one).</summary>
    internal static bool UseAvx2 = true;

    /// <summary>
    /// output[c] = the image at (y, x), y = y0 + dy·c + rowShift[c], x = x0 + dx·c + columnShift[c], for c &lt; output.Length.
    /// <paramref name="padded"/> holds the image's <paramref name="height"/> rows of width − 1 = <paramref name="paddedWidth"/> − 1
    /// pixels, each followed by a 0, then a row of zeros: a point on the last row or column reads a neighbour of weight 0
    /// there. A point is outside unless 0 ≤ y ≤ height − 1 and 0 ≤ x ≤ width − 1 (NaN is outside).
    /// </summary>
    public static void SampleRow<T>(ReadOnlySpan<T> padded, int height, int paddedWidth, T y0, T dy, T x0, T dx,
        ReadOnlySpan<T> rowShift, ReadOnlySpan<T> columnShift, Span<T> output)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int width = paddedWidth - 1;
        if (padded.Length < (height + 1) * paddedWidth || rowShift.Length < output.Length || columnShift.Length < output.Length)
            throw new ArgumentException("The padded image or the displacements are too short for the row.");
        T lastRow = T.CreateTruncating(height - 1), lastColumn = T.CreateTruncating(width - 1);
        int c = 0;
        if (typeof(T) == typeof(float) && Avx2.IsSupported && UseAvx2)
            c = SampleRowAvx2(MemoryMarshal.Cast<T, float>(padded), paddedWidth, float.CreateTruncating(y0), float.CreateTruncating(dy), float.CreateTruncating(x0), float.CreateTruncating(dx),
                float.CreateTruncating(lastRow), float.CreateTruncating(lastColumn), MemoryMarshal.Cast<T, float>(rowShift), MemoryMarshal.Cast<T, float>(columnShift), MemoryMarshal.Cast<T, float>(output));
        for (; c < output.Length; c++)
        {
            T tc = T.CreateTruncating(c);
            T y = y0 + dy * tc + rowShift[c];
            T x = x0 + dx * tc + columnShift[c];
            T value = T.Zero;
            if (y >= T.Zero && y <= lastRow && x >= T.Zero && x <= lastColumn)
            {
                int iy = int.CreateTruncating(y), ix = int.CreateTruncating(x);
                T fy = y - T.CreateTruncating(iy), fx = x - T.CreateTruncating(ix);
                int p = iy * paddedWidth + ix;
                T top = padded[p] + fx * (padded[p + 1] - padded[p]);
                T bottom = padded[p + paddedWidth] + fx * (padded[p + paddedWidth + 1] - padded[p + paddedWidth]);
                value = top + fy * (bottom - top);
            }
            output[c] = value;
        }
    }

    /// <summary>
    /// <see cref="SampleRow{T}"/> for float32, eight pixels at a time; a row that is not a whole number of vectors ends
    /// with a vector that overlaps the previous one (its pixels get the same values again). Returns the pixels done.
    /// </summary>
    private static unsafe int SampleRowAvx2(ReadOnlySpan<float> padded, int paddedWidth, float y0, float dy, float x0, float dx, float lastRow, float lastColumn,
        ReadOnlySpan<float> rowShift, ReadOnlySpan<float> columnShift, Span<float> output)
    {
        int n = output.Length;
        if (n < 8) return 0;
        fixed (float* image = padded, rows = rowShift, columns = columnShift, o = output)
        {
            for (int c = 0; ; c += 8)
            {
                c = Math.Min(c, n - 8);
                var tc = Vector256.Create(0f, 1, 2, 3, 4, 5, 6, 7) + Vector256.Create((float)c);
                var y = Vector256.Create(y0) + Vector256.Create(dy) * tc + Vector256.Load(rows + c);
                var x = Vector256.Create(x0) + Vector256.Create(dx) * tc + Vector256.Load(columns + c);
                var inside = Vector256.GreaterThanOrEqual(y, Vector256<float>.Zero) & Vector256.LessThanOrEqual(y, Vector256.Create(lastRow))
                           & Vector256.GreaterThanOrEqual(x, Vector256<float>.Zero) & Vector256.LessThanOrEqual(x, Vector256.Create(lastColumn));
                // Points outside read pixel (0, 0) and are set to 0 at the end.
                y &= inside;
                x &= inside;
                var iy = Vector256.ConvertToInt32(y);
                var ix = Vector256.ConvertToInt32(x);
                var fy = y - Vector256.ConvertToSingle(iy);
                var fx = x - Vector256.ConvertToSingle(ix);
                var p = iy * Vector256.Create(paddedWidth) + ix;
                var v00 = Avx2.GatherVector256(image, p, 4);
                var v01 = Avx2.GatherVector256(image + 1, p, 4);
                var v10 = Avx2.GatherVector256(image + paddedWidth, p, 4);
                var v11 = Avx2.GatherVector256(image + paddedWidth + 1, p, 4);
                var top = v00 + fx * (v01 - v00);
                var bottom = v10 + fx * (v11 - v10);
                ((top + fy * (bottom - top)) & inside).Store(o + c);
                if (c == n - 8) return n;
            }
        }
    }
}
