namespace Backprop.Data.Preprocessing;

/// <summary>
/// MATLAB's classic <c>imresize(A, [h w], 'bicubic')</c>, the resize that made the course's 20x20 digits from
/// MNIST's 28x28 ones: Keys' cubic kernel (a = −0.5), widened by the scale when shrinking (antialiasing),
/// weights normalised per output pixel, input indices outside the image clamped to its edge; separable,
/// along the rows (first dimension) first, then along the columns.
/// </summary>
public static class ImageResize
{
    /// <summary>One output pixel's taps along one dimension: input indices (0-based, clamped) and normalised weights.</summary>
    public readonly record struct Taps(int[] Index, double[] Weight);

    /// <summary>Keys' cubic convolution kernel with a = −0.5 (MATLAB's <c>cubic</c>).</summary>
    public static double Cubic(double x)
    {
        double ax = Math.Abs(x), ax2 = ax * ax, ax3 = ax2 * ax;
        return (ax <= 1 ? 1.5 * ax3 - 2.5 * ax2 + 1 : 0)
             + (ax > 1 && ax <= 2 ? -0.5 * ax3 + 2.5 * ax2 - 4 * ax + 2 : 0);
    }

    /// <summary>
    /// MATLAB's <c>contributions</c>: for each of <paramref name="outLength"/> output positions, the taps over
    /// <paramref name="inLength"/> inputs (kernel width 4, or 4/scale when shrinking with antialiasing).
    /// </summary>
    public static Taps[] Contributions(int inLength, int outLength)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(inLength, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(outLength, 1);
        double scale = (double)outLength / inLength;
        double kernelWidth = 4;
        bool shrink = scale < 1;
        if (shrink) kernelWidth /= scale;
        int p = (int)Math.Ceiling(kernelWidth) + 2;
        var taps = new Taps[outLength];
        for (int o = 0; o < outLength; o++)
        {
            double u = (o + 1) / scale + 0.5 * (1 - 1 / scale);   // the output pixel's centre in 1-based input coordinates
            double left = Math.Floor(u - kernelWidth / 2);
            var index = new int[p];
            var weight = new double[p];
            double sum = 0;
            for (int k = 0; k < p; k++)
            {
                double d = u - (left + k);
                weight[k] = shrink ? scale * Cubic(scale * d) : Cubic(d);
                sum += weight[k];
                index[k] = (int)Math.Clamp(left + k, 1, inLength) - 1;
            }
            for (int k = 0; k < p; k++) weight[k] /= sum;
            taps[o] = new Taps(index, weight);
        }
        return taps;
    }

    /// <summary>
    /// Resizes a <paramref name="height"/> x <paramref name="width"/> image stored row-major to
    /// <paramref name="outHeight"/> x <paramref name="outWidth"/> (row-major), as MATLAB's bicubic imresize does.
    /// </summary>
    public static double[] Bicubic(ReadOnlySpan<double> image, int height, int width, int outHeight, int outWidth)
    {
        if (image.Length != height * width)
            throw new ArgumentException($"The image holds {image.Length} pixels, not {height}x{width}.", nameof(image));
        return Bicubic(image, height, width, Contributions(height, outHeight), Contributions(width, outWidth));
    }

    /// <summary>The resize with precomputed taps (reuse them for many images of one size).</summary>
    public static double[] Bicubic(ReadOnlySpan<double> image, int height, int width, Taps[] alongRows, Taps[] alongColumns)
    {
        int outHeight = alongRows.Length, outWidth = alongColumns.Length;
        // First along the rows (the first dimension): [height, width] -> [outHeight, width].
        var tall = new double[outHeight * width];
        for (int o = 0; o < outHeight; o++)
        {
            var (index, weight) = (alongRows[o].Index, alongRows[o].Weight);
            for (int c = 0; c < width; c++)
            {
                double s = 0;
                for (int k = 0; k < index.Length; k++) s += weight[k] * image[index[k] * width + c];
                tall[o * width + c] = s;
            }
        }
        // Then along the columns: [outHeight, width] -> [outHeight, outWidth].
        var result = new double[outHeight * outWidth];
        for (int r = 0; r < outHeight; r++)
            for (int o = 0; o < outWidth; o++)
            {
                var (index, weight) = (alongColumns[o].Index, alongColumns[o].Weight);
                double s = 0;
                for (int k = 0; k < index.Length; k++) s += weight[k] * tall[r * width + index[k]];
                result[r * outWidth + o] = s;
            }
        return result;
    }
}
