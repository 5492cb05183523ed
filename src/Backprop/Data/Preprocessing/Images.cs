namespace Backprop.Data.Preprocessing;

/// <summary>
/// Reorders image pixels between column-major (MATLAB; the ex4 data's 20x20 digits are stored column by column)
/// and row-major order. Single-channel images only.
/// </summary>
public static class Images
{
    /// <summary>For each of <paramref name="count"/> samples, pixel (r, c) moves from c·height + r to r·width + c.</summary>
    public static double[] ColumnMajorToRowMajor(ReadOnlySpan<double> features, int count, int height, int width)
        => Reorder(features, count, height, width, toRowMajor: true);

    /// <summary>For each sample, pixel (r, c) moves from r·width + c to c·height + r.</summary>
    public static double[] RowMajorToColumnMajor(ReadOnlySpan<double> features, int count, int height, int width)
        => Reorder(features, count, height, width, toRowMajor: false);

    /// <summary>The data set with row-major pixels; unchanged if already row-major. Its <see cref="Dataset.Image"/> must be set.</summary>
    public static Dataset ToRowMajor(Dataset data) => Convert(data, toRowMajor: true);

    /// <summary>The data set with column-major pixels; unchanged if already column-major. Its <see cref="Dataset.Image"/> must be set.</summary>
    public static Dataset ToColumnMajor(Dataset data) => Convert(data, toRowMajor: false);

    private static Dataset Convert(Dataset data, bool toRowMajor)
    {
        ArgumentNullException.ThrowIfNull(data);
        var img = data.Image ?? throw new ArgumentException($"Data set '{data.Name}' has no image shape; say how its features form an image first.", nameof(data));
        if (img.Channels != 1)
            throw new ArgumentException($"Data set '{data.Name}': only single-channel images can be reordered (image {img}).", nameof(data));
        if (img.ColumnMajor != toRowMajor) return data;
        var x = Reorder(data.Features, data.Count, img.Height, img.Width, toRowMajor);
        return new Dataset(data.Name, x, data.Count, data.FeatureCount, data.Labels, data.Classes, data.ClassNames, img with { ColumnMajor = !toRowMajor });
    }

    private static double[] Reorder(ReadOnlySpan<double> features, int count, int height, int width, bool toRowMajor)
    {
        if (count < 0 || height < 1 || width < 1)
            throw new ArgumentException($"Invalid image layout: {count} samples of {height}x{width}.");
        int size = height * width;
        if ((long)count * size != features.Length)
            throw new ArgumentException($"Expected {count} samples of {height}x{width} = {(long)count * size} values, found {features.Length}.");
        var result = new double[features.Length];
        for (int s = 0; s < count; s++)
        {
            var src = features.Slice(s * size, size);
            var dst = result.AsSpan(s * size, size);
            for (int r = 0; r < height; r++)
                for (int c = 0; c < width; c++)
                {
                    if (toRowMajor) dst[r * width + c] = src[c * height + r];
                    else dst[c * height + r] = src[r * width + c];
                }
        }
        return result;
    }
}
