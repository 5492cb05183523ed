namespace Backprop.Data.Preprocessing;

/// <summary>
/// Turns a drawn digit (any size, ink 0..255 per pixel, row-major) into a 28x28 MNIST-style image, the way
/// MNIST itself was made from the NIST scans: the bounding box of the ink is scaled to fit a 20x20 box with its
/// aspect ratio kept (anti-aliased: each output pixel is the area-weighted mean of the input pixels it covers),
/// then placed in the 28x28 field so that its centre of mass falls on the field's centre.
/// </summary>
/// <remarks>
/// Exact definition (the reference script tests/Backprop.Tests/Fixtures/web/make_digit_fixtures.py computes the
/// same with NumPy and <c>scipy.ndimage.center_of_mass</c>):
/// <list type="number">
/// <item>Ink is any pixel &gt; 0; its bounding box is h x w. No ink gives an all-zero image.</item>
/// <item>The box is resized to round(h·s) x round(w·s) with s = 20 / max(h, w) (round half up, at least 1),
/// by exact area averaging: output row i covers input rows [i·h/nh, (i+1)·h/nh), partial pixels weighted by
/// their overlap (a box filter; point sampling such as <c>scipy.ndimage.zoom</c> would drop thin strokes).</item>
/// <item>With (cy, cx) the centre of mass of the resized box (pixel indices), its top-left corner goes to
/// (floor(14 − cy), floor(14 − cx)) — the centre of mass lands within half a pixel of (13.5, 13.5) — clamped so
/// the box stays inside the field.</item>
/// </list>
/// Gray levels stay fractional (0..255); MNIST's own are rounded to integers, which makes no difference to a model.
/// </remarks>
public static class DigitPreprocessing
{
    /// <summary>Side of the output image (MNIST: 28).</summary>
    public const int Size = 28;
    /// <summary>Side of the box the ink is scaled into (MNIST: 20).</summary>
    public const int Box = 20;
    /// <summary>Largest accepted drawing side, to bound the work per request.</summary>
    public const int MaxSide = 4096;

    /// <summary>The 28x28 image (784 values, row-major, 0..255) for a drawing of <paramref name="width"/> x
    /// <paramref name="height"/> ink values in 0..255.</summary>
    /// <exception cref="ArgumentException">The sizes do not match, or a value is not a number in 0..255.</exception>
    public static double[] ToMnist(ReadOnlySpan<double> ink, int width, int height)
    {
        if (width < 1 || height < 1 || width > MaxSide || height > MaxSide)
            throw new ArgumentException($"The drawing must be 1..{MaxSide} pixels on each side, got {width} x {height}.");
        if (ink.Length != (long)width * height)
            throw new ArgumentException($"A {width} x {height} drawing has {(long)width * height} pixels; got {ink.Length} values.");
        int top = height, bottom = -1, left = width, right = -1;
        for (int y = 0; y < height; y++)
        {
            var row = ink.Slice(y * width, width);
            for (int x = 0; x < width; x++)
            {
                double v = row[x];
                if (!(v >= 0 && v <= 255))
                    throw new ArgumentException($"Pixel ({x}, {y}) is {v.ToString(System.Globalization.CultureInfo.InvariantCulture)}; ink values must be numbers in 0..255.");
                if (v > 0)
                {
                    if (y < top) top = y;
                    bottom = y;
                    if (x < left) left = x;
                    if (x > right) right = x;
                }
            }
        }
        var result = new double[Size * Size];
        if (bottom < 0) return result;

        int h = bottom - top + 1, w = right - left + 1;
        double scale = (double)Box / Math.Max(h, w);
        int nh = Math.Clamp((int)Math.Floor(h * scale + 0.5), 1, Box);
        int nw = Math.Clamp((int)Math.Floor(w * scale + 0.5), 1, Box);

        // small = Ry · crop · Rxᵀ   [nh, h]·[h, w]·[w, nw] → [nh, nw]; the R are sparse (each row touches ⌈h/nh⌉ + 1 pixels).
        var ry = AreaWeights(h, nh);
        var rx = AreaWeights(w, nw);
        var rows = new double[h * nw]; // crop · Rxᵀ: [h, nw]
        for (int y = 0; y < h; y++)
        {
            var src = ink.Slice((top + y) * width + left, w);
            for (int j = 0; j < nw; j++)
            {
                double s = 0;
                foreach (var (k, weight) in rx[j]) s += weight * src[k];
                rows[y * nw + j] = s;
            }
        }
        var small = new double[nh * nw]; // Ry · rows: [nh, nw]
        for (int i = 0; i < nh; i++)
            foreach (var (k, weight) in ry[i])
                for (int j = 0; j < nw; j++)
                    small[i * nw + j] += weight * rows[k * nw + j];

        double mass = 0, my = 0, mx = 0;
        for (int i = 0; i < nh; i++)
            for (int j = 0; j < nw; j++)
            {
                double v = small[i * nw + j];
                mass += v;
                my += i * v;
                mx += j * v;
            }
        // mass > 0: every output pixel averages a non-empty part of the box, and the box has ink.
        int offY = Math.Clamp((int)Math.Floor(Size / 2.0 - my / mass), 0, Size - nh);
        int offX = Math.Clamp((int)Math.Floor(Size / 2.0 - mx / mass), 0, Size - nw);
        for (int i = 0; i < nh; i++)
            small.AsSpan(i * nw, nw).CopyTo(result.AsSpan((offY + i) * Size + offX, nw));
        return result;
    }

    /// <summary>For each of <paramref name="outputs"/> cells splitting [0, inputs), the input pixels it overlaps and
    /// the weight of each (overlap length / cell length; the weights of a cell sum to 1).</summary>
    private static (int Index, double Weight)[][] AreaWeights(int inputs, int outputs)
    {
        double cell = (double)inputs / outputs;
        var weights = new (int, double)[outputs][];
        for (int i = 0; i < outputs; i++)
        {
            double start = i * cell, end = (i + 1) * cell;
            int first = (int)Math.Floor(start), last = Math.Min(inputs - 1, (int)Math.Ceiling(end) - 1);
            var list = new List<(int, double)>(last - first + 1);
            for (int k = first; k <= last; k++)
            {
                double overlap = Math.Min(k + 1, end) - Math.Max(k, start);
                if (overlap > 0) list.Add((k, overlap / cell));
            }
            weights[i] = list.ToArray();
        }
        return weights;
    }
}
