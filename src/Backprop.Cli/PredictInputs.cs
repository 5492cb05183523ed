using System.Globalization;
using Backprop.Data;
using Backprop.Data.Formats;
using Backprop.Data.Preprocessing;
using Backprop.Models;
using StbImageSharp;

namespace Backprop.Cli;

/// <summary>
/// Samples to predict: raw features [Count, Width] row-major, where they came from (a name per sample for images),
/// and true labels as class names when the file carries them (a CSV label column, y in .mat/.npz).
/// </summary>
internal sealed record PredictInput(double[] Features, int Count, int Width, string Source, string[]? SampleNames, string[]? TrueLabels, string? LabelSource);

/// <summary>
/// Reads the files given to <c>predict --input</c>: CSV (features only, or with a label column last), .npy, .npz and
/// .mat (X, and y when present), MNIST idx (raw or .gz) and PNG/JPEG digit images. Every check of the width against
/// the model happens here, before anything is computed.
/// </summary>
internal static class PredictInputs
{
    private static readonly string[] ImageExtensions = [".png", ".jpg", ".jpeg"];

    public static bool IsImage(string path) =>
        ImageExtensions.Contains(Path.GetExtension(path).ToLowerInvariant()) || HasImageMagic(path);

    public static PredictInput Read(IReadOnlyList<string> paths, Model model)
    {
        if (paths.Count == 0) throw new UsageException("predict: give --input FILE (CSV, .npy, .npz, .mat, MNIST idx, or PNG/JPEG images).");
        foreach (var p in paths)
        {
            if (Directory.Exists(p)) throw new UsageException($"--input {p}: is a directory, not a data file or an image.");
            if (!File.Exists(p)) throw new UsageException($"--input {p}: no such file.");
        }
        bool[] images = paths.Select(IsImage).ToArray();
        if (images.All(i => i)) return ReadImages(paths, model);
        if (paths.Count > 1)
            throw new UsageException($"--input: several files are only taken when all are PNG/JPEG images; '{paths[images.ToList().IndexOf(false)]}' is not one.");
        return ReadData(paths[0], model);
    }

    /// <summary>A data file: CSV, .npy, .npz, .mat or idx.</summary>
    private static PredictInput ReadData(string path, Model model)
    {
        string format = DataFiles.Detect(path);
        if (format == "csv") return ReadCsv(path, model);
        var contents = InputFiles.Read(path, "--input");
        NDArray x;
        NDArray? y = null;
        if (contents.Variables.Count == 1) x = contents.Variables[0];
        else
        {
            x = contents.Find("X") ?? contents.Find("x")
                ?? throw new InvalidDataException($"--input {path}: no variable 'X' (found: {string.Join(", ", contents.Variables.Select(v => v.Name))}); the samples must be in X, one per row.");
            y = contents.Find("y") ?? contents.Find("Y");
        }
        if (!x.IsNumeric) throw new InvalidDataException($"--input {path}: '{x.Name}' is {x.ClassName}; numbers were expected.");
        // [m, n] is m samples; [m, h, w] (idx images, image stacks) is m samples of h·w pixels; a vector is one sample.
        int count = x.Shape.Length <= 1 ? 1 : x.Shape[0];
        int width = x.Shape.Length == 0 ? 1 : x.Shape.Length == 1 ? x.Shape[0] : (int)(x.Length / Math.Max(count, 1));
        if (x.Shape.Length == 1 && format == "idx")
            throw new InvalidDataException($"--input {path}: a 1-dimensional idx file holds labels, not samples; give the images file (…-images-idx3-ubyte).");
        RequireWidth(path, width, model);
        var features = x.ToDoubles();
        RequireFinite(path, features, width);
        // idx images are row-major; a model of column-major images (MATLAB's) reads them transposed.
        if (format == "idx" && x.Shape.Length == 3 && model.Image is { ColumnMajor: true } im && im.Height == x.Shape[2] && im.Width == x.Shape[1])
            features = Transposed(features, count, x.Shape[1], x.Shape[2]);
        string[]? labels = null;
        if (y is not null)
        {
            if (y.Length != count) throw new InvalidDataException($"--input {path}: 'y' has {y.Length} labels; X has {count} rows.");
            var raw = y.ToDoubles();
            var indices = LabelMapping.ToIndices(raw, LabelMapping.Detect(raw), out var names);
            labels = indices.Select(i => names[i]).ToArray();
        }
        return new PredictInput(features, count, width, path, null, labels, labels is null ? null : $"'{y!.Name}'");
    }

    /// <summary>
    /// CSV: as many columns as the model has inputs (features only), or one more whose last column is the label
    /// (scored when its values are the model's class names). A header line is detected.
    /// </summary>
    private static PredictInput ReadCsv(string path, Model model)
    {
        int inputs = model.Spec.Inputs;
        try
        {
            Dataset? plain = null;
            try { plain = CsvFile.ReadDataset(path, new CsvOptions { LabelColumn = CsvLabelColumn.None }); }
            catch (InvalidDataException) { } // a text label column: read below with the label last
            if (plain is not null && plain.FeatureCount == inputs)
                return new PredictInput(plain.Features, plain.Count, inputs, path, null, null, null);
            if (plain is not null && plain.FeatureCount != inputs + 1) throw WidthError(plain.FeatureCount);
            var labelled = CsvFile.ReadDataset(path);
            if (labelled.FeatureCount != inputs) throw WidthError(labelled.FeatureCount + 1);
            return new PredictInput(labelled.Features, labelled.Count, inputs, path, null,
                labelled.Labels.Select(i => labelled.ClassNames[i]).ToArray(), "the last column");
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException(e.Message.Contains(Path.GetFileName(path), StringComparison.Ordinal) ? $"--input {e.Message}" : $"--input {path}: {e.Message}", e);
        }

        UsageException WidthError(int columns) =>
            new($"--input {path}: {columns} columns per row; the model ({model.Spec}) takes {inputs} features ({inputs} columns, or {inputs + 1} with the label last).");
    }

    /// <summary>
    /// PNG/JPEG digits: decoded by StbImageSharp to gray levels (alpha composited on white), ink told from background by
    /// the border (a light border means dark ink), then made a 28x28 MNIST image as the draw-a-digit page does
    /// (<see cref="DigitPreprocessing.ToMnist"/>).
    /// </summary>
    private static PredictInput ReadImages(IReadOnlyList<string> paths, Model model)
    {
        const int n = DigitPreprocessing.Size * DigitPreprocessing.Size;
        if (model.Spec.Inputs != n)
            throw new UsageException($"--input {paths[0]}: an image becomes {n} features (28x28, as MNIST); the model ({model.Spec}) takes {model.Spec.Inputs}.");
        if (model.Image is { } im && (im.Height != DigitPreprocessing.Size || im.Width != DigitPreprocessing.Size || im.Channels != 1))
            throw new UsageException($"--input {paths[0]}: the model's inputs are {im} images; digit images become 28x28x1.");
        var features = new double[paths.Count * n];
        for (int i = 0; i < paths.Count; i++)
        {
            var digit = DigitPreprocessing.ToMnist(Ink(paths[i], out int width, out int height), width, height);
            if (model.Image is { ColumnMajor: true }) digit = Transposed(digit, 1, DigitPreprocessing.Size, DigitPreprocessing.Size);
            digit.CopyTo(features, i * n);
        }
        return new PredictInput(features, paths.Count, n, paths.Count == 1 ? paths[0] : $"{paths.Count} images", paths.ToArray(), null, null);
    }

    /// <summary>
    /// The ink of an image, 0..255 per pixel (0 = background). The background level is the median of the border
    /// pixels; ink is the distance from it, and differences of at most 5 % of the strongest ink (JPEG ringing,
    /// paper texture) count as background so that they do not widen the digit's bounding box.
    /// </summary>
    internal static double[] Ink(string path, out int width, out int height)
    {
        ImageResult image;
        try
        {
            using var stream = File.OpenRead(path);
            image = ImageResult.FromStream(stream, ColorComponents.GreyAlpha);
        }
        catch (Exception e) when (e is not IOException and not UnauthorizedAccessException)
        {
            throw new InvalidDataException($"--input {path}: not a readable PNG or JPEG image ({e.Message.TrimEnd('.')}).", e);
        }
        width = image.Width;
        height = image.Height;
        if (width > DigitPreprocessing.MaxSide || height > DigitPreprocessing.MaxSide)
            throw new InvalidDataException($"--input {path}: {width} x {height} pixels; digit images may be at most {DigitPreprocessing.MaxSide} on a side.");
        var gray = new double[width * height];
        for (int i = 0; i < gray.Length; i++)
        {
            double g = image.Data[2 * i], a = image.Data[2 * i + 1] / 255.0;
            gray[i] = a * g + (1 - a) * 255; // transparent pixels are white paper
        }
        var border = new List<double>(2 * (width + height));
        for (int x = 0; x < width; x++) { border.Add(gray[x]); border.Add(gray[(height - 1) * width + x]); }
        for (int y = 0; y < height; y++) { border.Add(gray[y * width]); border.Add(gray[y * width + width - 1]); }
        border.Sort();
        double background = border[border.Count / 2];
        bool darkInk = background >= 128;
        var ink = new double[gray.Length];
        double strongest = 0;
        for (int i = 0; i < ink.Length; i++)
        {
            ink[i] = Math.Max(0, darkInk ? background - gray[i] : gray[i] - background);
            strongest = Math.Max(strongest, ink[i]);
        }
        double floor = 0.05 * strongest;
        for (int i = 0; i < ink.Length; i++)
            if (ink[i] <= floor) ink[i] = 0;
        return ink;
    }

    private static void RequireWidth(string path, int width, Model model)
    {
        if (width != model.Spec.Inputs)
            throw new UsageException($"--input {path}: {width} features per sample; the model ({model.Spec}) takes {model.Spec.Inputs}.");
    }

    private static void RequireFinite(string path, double[] features, int width)
    {
        for (int i = 0; i < features.Length; i++)
            if (!double.IsFinite(features[i]))
                throw new InvalidDataException($"--input {path}: sample {i / width}, feature {i % width} is {features[i].ToString(CultureInfo.InvariantCulture)}; features must be finite numbers.");
    }

    private static double[] Transposed(double[] samples, int count, int rows, int cols)
    {
        var result = new double[samples.Length];
        for (int s = 0; s < count; s++)
            for (int r = 0; r < rows; r++)
                for (int c = 0; c < cols; c++)
                    result[s * rows * cols + c * rows + r] = samples[s * rows * cols + r * cols + c];
        return result;
    }

    private static bool HasImageMagic(string path)
    {
        if (!File.Exists(path)) return false;
        Span<byte> head = stackalloc byte[8];
        using var fs = File.OpenRead(path);
        int n = fs.Read(head);
        return (n >= 8 && head.SequenceEqual((ReadOnlySpan<byte>)[0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])) || (n >= 3 && head[0] == 0xFF && head[1] == 0xD8 && head[2] == 0xFF);
    }
}
