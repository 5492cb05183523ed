namespace Backprop.Data;

/// <summary>
/// A labelled classification data set: features row-major, one sample per row, stored as
/// float64 so that exact checks keep every bit; labels are class indices 0..Classes-1.
/// </summary>
public sealed class Dataset
{
    public Dataset(string name, double[] features, int count, int featureCount, int[] labels, int classes,
        string[]? classNames = null, ImageShape? image = null)
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(labels);
        if (count < 0 || featureCount < 0 || (long)count * featureCount != features.Length)
            throw new ArgumentException($"Data set '{name}': expected {count} x {featureCount} = {(long)count * featureCount} feature values, found {features.Length}.");
        if (labels.Length != count)
            throw new ArgumentException($"Data set '{name}': expected {count} labels (one per sample), found {labels.Length}.");
        if (classes < 1)
            throw new ArgumentException($"Data set '{name}': the number of classes must be at least 1, got {classes}.");
        for (int i = 0; i < labels.Length; i++)
            if ((uint)labels[i] >= (uint)classes)
                throw new ArgumentException($"Data set '{name}': label {labels[i]} of sample {i} is outside 0..{classes - 1}.");
        for (int i = 0; i < features.Length; i++)
            if (!double.IsFinite(features[i]))
                throw new ArgumentException($"Data set '{name}': feature {i % Math.Max(featureCount, 1)} of sample {i / Math.Max(featureCount, 1)} is {features[i]}; all features must be finite numbers.");
        if (classNames is not null && classNames.Length != classes)
            throw new ArgumentException($"Data set '{name}': {classNames.Length} class names given for {classes} classes.");
        if (image is { } img && img.Height * img.Width * img.Channels != featureCount)
            throw new ArgumentException($"Data set '{name}': image shape {img} does not hold {featureCount} features.");
        Name = name;
        Features = features;
        Count = count;
        FeatureCount = featureCount;
        Labels = labels;
        Classes = classes;
        ClassNames = classNames ?? Enumerable.Range(0, classes).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        Image = image;
    }

    public string Name { get; }
    /// <summary>[Count, FeatureCount] row-major.</summary>
    public double[] Features { get; }
    public int Count { get; }
    public int FeatureCount { get; }
    /// <summary>Class index per sample, 0..Classes-1.</summary>
    public int[] Labels { get; }
    public int Classes { get; }
    /// <summary>What each class index means to the user (e.g. "0".."9").</summary>
    public string[] ClassNames { get; }
    /// <summary>When the features are an image: its shape and pixel order.</summary>
    public ImageShape? Image { get; }

    public ReadOnlySpan<double> Sample(int i) => Features.AsSpan(i * FeatureCount, FeatureCount);

    /// <summary>The features as a matrix of T ([Count, FeatureCount]).</summary>
    public Numerics.Matrix<T> FeaturesAs<T>() where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
        => Numerics.Matrix<T>.FromDoubles(Count, FeatureCount, Features);

    /// <summary>A new data set holding the given samples, in the given order.</summary>
    public Dataset Subset(ReadOnlySpan<int> indices, string? name = null)
    {
        var x = new double[(long)indices.Length * FeatureCount];
        var y = new int[indices.Length];
        for (int i = 0; i < indices.Length; i++)
        {
            int k = indices[i];
            if ((uint)k >= (uint)Count)
                throw new ArgumentOutOfRangeException(nameof(indices), $"Sample index {k} is outside 0..{Count - 1}.");
            Sample(k).CopyTo(x.AsSpan(i * FeatureCount, FeatureCount));
            y[i] = Labels[k];
        }
        return new Dataset(name ?? Name, x, indices.Length, FeatureCount, y, Classes, ClassNames, Image);
    }

    public override string ToString() => $"{Name}: {Count} samples x {FeatureCount} features, {Classes} classes";
}

/// <summary>How a sample's features form an image.</summary>
/// <param name="ColumnMajor">True when the pixels are stored column by column (MATLAB order, as in the ex4 data).</param>
public readonly record struct ImageShape(int Height, int Width, int Channels = 1, bool ColumnMajor = false)
{
    public override string ToString() => $"{Height}x{Width}x{Channels}{(ColumnMajor ? " (column-major)" : "")}";
}
