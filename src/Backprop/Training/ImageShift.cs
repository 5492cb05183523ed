using Backprop.Data;
using Backprop.Numerics;

namespace Backprop.Training;

/// <summary>
/// Translation of single-channel images by whole pixels with the edge pixels repeated into the vacated
/// border — <c>scipy.ndimage.shift(image, (dy, dx), order=0, mode='nearest')</c>. The trainer uses it to
/// augment image data: every sample of every mini-batch moved by a random (dy, dx) in [−s, s]².
/// </summary>
public static class ImageShift
{
    /// <summary>
    /// output[r, c] = image[clamp(r − dy), clamp(c − dx)] for an image of <paramref name="height"/> rows of
    /// <paramref name="width"/> pixels stored row by row (positive dy moves the content down, positive dx right).
    /// </summary>
    public static void Shift<T>(ReadOnlySpan<T> image, Span<T> output, int height, int width, int dy, int dx)
    {
        if (height < 1 || width < 1 || image.Length != height * width || output.Length != image.Length)
            throw new ArgumentException($"An image of {height}x{width} pixels needs {(long)height * width} values in and out; got {image.Length} and {output.Length}.");
        if (image.Overlaps(output))
            throw new ArgumentException("The shifted image cannot overlap the source.", nameof(output));
        int right = Math.Clamp(dx, -width, width);
        for (int r = 0; r < height; r++)
        {
            var src = image.Slice(Math.Clamp(r - dy, 0, height - 1) * width, width);
            var dst = output.Slice(r * width, width);
            if (right >= 0)
            {
                dst[..right].Fill(src[0]);
                src[..(width - right)].CopyTo(dst[right..]);
            }
            else
            {
                src[(-right)..].CopyTo(dst[..(width + right)]);
                dst[(width + right)..].Fill(src[width - 1]);
            }
        }
    }

    /// <summary>
    /// <paramref name="options"/> with <see cref="TrainingOptions.ImageSize"/> taken from the data's image shape (when not
    /// set), for the image augmentations (shifts, elastic distortion). Pixels move in their storage order: a column-major
    /// image is handled as its row-major transpose (both augmentations' draws are symmetric under transposition).
    /// </summary>
    /// <exception cref="ArgumentException">The data are not single-channel images.</exception>
    public static TrainingOptions ForImages(TrainingOptions options, Dataset train)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(train);
        if (options.ImageSize is not null) return options;
        string what = AugmentationName(options);
        var image = train.Image ?? throw new ArgumentException($"{what} needs image data; '{train.Name}' has no image shape.");
        if (image.Channels != 1) throw new ArgumentException($"{what} handles single-channel images; '{train.Name}' has {image.Channels} channels.");
        return options with { ImageSize = image.ColumnMajor ? (image.Width, image.Height) : (image.Height, image.Width) };
    }

    /// <summary>"Shift augmentation", "Elastic distortion" or both, for messages about the image augmentations <paramref name="options"/> ask for.</summary>
    internal static string AugmentationName(TrainingOptions options) => (options.ShiftPixels > 0, options.ElasticAlpha > 0) switch
    {
        (true, true) => "Shift augmentation with elastic distortion",
        (false, true) => "Elastic distortion",
        _ => "Shift augmentation",
    };

    /// <summary>
    /// Copies the rows <paramref name="order"/>[start..start + batch.Rows) of <paramref name="x"/> [n, height·width]
    /// into <paramref name="batch"/>, each shifted by dy then dx drawn as <c>randint(−s, s + 1)</c> from <paramref name="random"/>.
    /// </summary>
    internal static void CopyShifted<T>(Matrix<T> x, ReadOnlySpan<int> order, int start, Matrix<T> batch, int height, int width, int maxShift, NumPyRandom random)
        where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        for (int r = 0; r < batch.Rows; r++)
        {
            int dy = (int)random.RandInt(-maxShift, maxShift + 1);
            int dx = (int)random.RandInt(-maxShift, maxShift + 1);
            Shift<T>(x.Row(order[start + r]), batch.Row(r), height, width, dy, dx);
        }
    }
}
