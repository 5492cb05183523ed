using Backprop.Data.Formats;
using Backprop.Data.Preprocessing;

namespace Backprop.Data.Builtin;

/// <summary>
/// The course's <c>ex4data1.mat</c> (identical to ex3data1's X and y), rebuilt from the shipped MNIST: for each digit
/// 0, 1, …, 9 the first 500 images of that digit in MNIST's training set, in file order; each 28x28 image divided
/// by 255, resized to 20x20 by MATLAB's bicubic <see cref="ImageResize"/> and flattened column by column into a row
/// of X (5000x400); y is 10 for the digit 0, else the digit (MATLAB has no index 0).
/// </summary>
/// <remarks>
/// The recipe reproduces every value that survives in a truncated upload of the real ex3data1.mat (the first 157
/// columns of X) to within 2e-15, and with the course's ex4weights.mat the published costs and accuracy.
/// </remarks>
public static class Ex4Data
{
    /// <summary>Images per digit.</summary>
    public const int PerDigit = 500;
    /// <summary>Side of the resized images.</summary>
    public const int Side = 20;
    /// <summary>The number of samples (10 digits x 500).</summary>
    public const int Samples = 10 * PerDigit;

    /// <summary>True for the set's built-in names, ex4data1 and ex3data1 (the same data), case-insensitive.</summary>
    public static bool IsName(string name) => name.Trim().ToLowerInvariant() is "ex4data1" or "ex3data1";

    /// <summary>X (5000 x 400, C order, each row an image in MATLAB's column order) and y (1..10, 10 meaning 0).</summary>
    public static (double[] X, double[] Y) Build(string dataDirectory)
    {
        var (pixels, labels, height, width) = BuiltinData.ReadMnistTraining(Path.Combine(dataDirectory, "mnist"));
        return Build(pixels, labels, height, width);
    }

    /// <summary>The recipe on MNIST-style training data given as raw bytes (N x height x width pixels, N labels).</summary>
    public static (double[] X, double[] Y) Build(byte[] pixels, byte[] labels, int height, int width)
    {
        int size = height * width;
        var alongRows = ImageResize.Contributions(height, Side);
        var alongColumns = ImageResize.Contributions(width, Side);
        var x = new double[Samples * Side * Side];
        var y = new double[Samples];
        var image = new double[size];
        int row = 0;
        for (int digit = 0; digit < 10; digit++)
        {
            int taken = 0;
            for (int i = 0; i < labels.Length && taken < PerDigit; i++)
            {
                if (labels[i] != digit) continue;
                for (int p = 0; p < size; p++) image[p] = pixels[(long)i * size + p] / 255.0;
                var small = ImageResize.Bicubic(image, height, width, alongRows, alongColumns);
                Images.RowMajorToColumnMajor(small, 1, Side, Side).CopyTo(x.AsSpan(row * Side * Side));   // as MATLAB's X(i, :) = img(:)'
                y[row] = digit == 0 ? 10 : digit;
                row++;
                taken++;
            }
            if (taken < PerDigit)
                throw new InvalidDataException($"MNIST's training set holds only {taken} images of the digit {digit}; ex4data1 needs {PerDigit}.");
        }
        return (x, y);
    }

    /// <summary>The rebuilt file's contents, as reading ex4data1.mat gives them: X (5000x400 double) and y (5000x1 double).</summary>
    public static DataFileContents Contents(string dataDirectory)
    {
        var (x, y) = Build(dataDirectory);
        return new DataFileContents("ex4data1", [new NDArray("X", "double", [Samples, Side * Side], x), new NDArray("y", "double", [Samples, 1], y)], []);
    }

    /// <summary>As a labelled data set: class index = the digit (label 10 → 0), images 20x20 column-major.</summary>
    public static Dataset ToDataset(string name, double[] x, double[] y)
    {
        var labels = LabelMapping.ToIndices(y, LabelConvention.MatlabDigits, out var names);
        return new Dataset(name, x, Samples, Side * Side, labels, names.Length, names, new ImageShape(Side, Side, 1, ColumnMajor: true));
    }
}
