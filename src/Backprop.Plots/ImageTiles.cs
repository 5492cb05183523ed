using Backprop.Data;

namespace Backprop.Plots;

/// <summary>How a tile's values become gray levels (0 = black, 1 = white).</summary>
public enum GrayScaling
{
    /// <summary><see cref="Symmetric"/> when the tile has negative values, otherwise <see cref="MinMax"/>.</summary>
    Auto,
    /// <summary>ex4's displayData: v / max|v| mapped from [−1, 1] to black..white (0 is mid-gray).</summary>
    Symmetric,
    /// <summary>The tile's own minimum → black, its maximum → white (a constant tile is black).</summary>
    MinMax,
}

/// <summary>The arithmetic shared by every image figure: pixel order and gray levels.</summary>
public static class ImageTiles
{
    /// <summary>
    /// The values of one <paramref name="height"/>x<paramref name="width"/> image in display order (row by row, top to bottom),
    /// reading <paramref name="values"/> column by column when <paramref name="columnMajor"/> (MATLAB / ex4) and row by row otherwise (MNIST).
    /// </summary>
    public static double[] ToDisplayOrder(ReadOnlySpan<double> values, int height, int width, bool columnMajor)
    {
        if (height < 1 || width < 1) throw new ArgumentException($"Invalid image size {height}x{width}.");
        if (values.Length != height * width)
            throw new ArgumentException($"An image of {height}x{width} needs {height * width} values, got {values.Length}.");
        var result = new double[values.Length];
        for (int r = 0; r < height; r++)
            for (int c = 0; c < width; c++)
                result[r * width + c] = columnMajor ? values[c * height + r] : values[r * width + c];
        return result;
    }

    /// <summary>Gray levels 0..1 for <paramref name="values"/>, scaled as <paramref name="scaling"/> says (per tile).</summary>
    public static double[] ToGray(ReadOnlySpan<double> values, GrayScaling scaling = GrayScaling.Auto)
    {
        var gray = new double[values.Length];
        if (values.Length == 0) return gray;
        double min = double.PositiveInfinity, max = double.NegativeInfinity;
        foreach (var v in values)
        {
            if (!double.IsFinite(v)) throw new ArgumentException($"Image values must be finite numbers, found {v}.");
            min = Math.Min(min, v);
            max = Math.Max(max, v);
        }
        if (scaling == GrayScaling.Auto) scaling = min < 0 ? GrayScaling.Symmetric : GrayScaling.MinMax;
        if (scaling == GrayScaling.Symmetric)
        {
            double m = Math.Max(Math.Abs(min), Math.Abs(max));
            for (int i = 0; i < gray.Length; i++) gray[i] = m > 0 ? (values[i] / m + 1) / 2 : 0.5;
        }
        else
        {
            double range = max - min;
            for (int i = 0; i < gray.Length; i++) gray[i] = range > 0 ? (values[i] - min) / range : 0;
        }
        return gray;
    }

    /// <summary>The 8-bit level a gray value 0..1 is drawn with.</summary>
    public static byte Level(double gray) => (byte)Math.Round(Math.Clamp(gray, 0, 1) * 255, MidpointRounding.AwayFromZero);

    /// <summary>
    /// The image shape of samples with <paramref name="featureCount"/> features: <paramref name="image"/> when known
    /// (single-channel only), else a square whose side is √featureCount.
    /// </summary>
    public static ImageShape ShapeOf(ImageShape? image, int featureCount, string what)
    {
        if (image is { } img)
        {
            if (img.Channels != 1) throw new ArgumentException($"{what}: only single-channel images can be drawn (image {img}).");
            return img;
        }
        int side = (int)Math.Round(Math.Sqrt(featureCount));
        if (side < 1 || side * side != featureCount)
            throw new ArgumentException($"{what}: {featureCount} features do not form a square image, and no image shape is known.");
        return new ImageShape(side, side);
    }

    /// <summary>A scale (screen pixels per image pixel) that makes a tile about <paramref name="target"/> pixels across.</summary>
    public static int DefaultScale(int height, int width, int target = 56) => Math.Max(1, (int)Math.Round((double)target / Math.Max(height, width)));
}
