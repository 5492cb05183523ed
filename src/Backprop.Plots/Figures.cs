using Backprop.Data;
using Backprop.Evaluation;
using Backprop.Models;
using Backprop.Numerics;

namespace Backprop.Plots;

/// <summary>One layer's weights to draw as images: W is [units, inputs] row-major; each row becomes one tile.</summary>
/// <param name="Title">Shown above the panel, e.g. "λ = 1".</param>
/// <param name="Image">How the inputs form an image (and their pixel order).</param>
public sealed record UnitWeights(string? Title, double[] W, int Units, int Inputs, ImageShape Image)
{
    /// <summary>The first layer of a model (its hidden units). The inputs' image shape is the model's, or a square.</summary>
    public static UnitWeights FirstLayer(Model model, string? title = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (model.Spec.LayerCount < 2) throw new ArgumentException($"The model {model.Spec} has no hidden layer.", nameof(model));
        int units = model.Spec.LayerSizes[1], inputs = model.Spec.Inputs;
        var w = model.ParametersAsDoubles().AsSpan(0, units * inputs).ToArray();   // W1: [units, inputs] row-major, then b1
        return new UnitWeights(title, w, units, inputs, ImageTiles.ShapeOf(model.Image, inputs, "model inputs"));
    }
}

/// <summary>The picture kinds: each returns a <see cref="Figure"/> to save as PNG or SVG.</summary>
public static class Figures
{
    /// <summary>
    /// A grid of samples as gray images (ex4's displayData): the chosen <paramref name="samples"/> in order, or
    /// <see cref="ImageOptions.Count"/> random ones. Images must be square unless the data set knows their shape.
    /// </summary>
    public static TileSheet DigitGrid(Dataset data, IReadOnlyList<int>? samples = null, ImageOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        options ??= new ImageOptions();
        var shape = ImageTiles.ShapeOf(data.Image, data.FeatureCount, $"data set '{data.Name}'");
        samples ??= RandomSamples(data.Count, options.Count, options.Seed);
        if (samples.Count == 0) throw new ArgumentException("Choose at least one sample to draw.", nameof(samples));
        bool columnMajor = options.ColumnMajor ?? shape.ColumnMajor;
        var tiles = samples.Select(k => SampleTile(data, k, shape, columnMajor, options.Scaling, caption: null)).ToArray();
        int columns = options.Columns ?? (int)Math.Ceiling(Math.Sqrt(tiles.Length));
        int scale = options.Scale ?? ImageTiles.DefaultScale(shape.Height, shape.Width);
        return TileSheet.Create([new TilePanel(options.Title, columns, tiles)], shape.Height, shape.Width, scale);
    }

    /// <summary>One sample as a large image, titled with its label.</summary>
    public static TileSheet Image(Dataset data, int sample, ImageOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        options ??= new ImageOptions();
        var shape = ImageTiles.ShapeOf(data.Image, data.FeatureCount, $"data set '{data.Name}'");
        bool columnMajor = options.ColumnMajor ?? shape.ColumnMajor;
        var tile = SampleTile(data, sample, shape, columnMajor, options.Scaling, caption: null);
        int scale = options.Scale ?? ImageTiles.DefaultScale(shape.Height, shape.Width, target: 280);
        string title = options.Title ?? $"sample {sample}: {data.ClassNames[data.Labels[sample]]}";
        return TileSheet.Create([new TilePanel(title, 1, [tile])], shape.Height, shape.Width, scale);
    }

    /// <summary>
    /// Each hidden unit's incoming weights as an image (ex4's "visualize the hidden layer"), one panel per layer,
    /// side by side — e.g. the same network trained with several λ. At most <paramref name="maxUnits"/> units per panel.
    /// </summary>
    public static TileSheet HiddenUnits(IReadOnlyList<UnitWeights> layers, ImageOptions? options = null, int maxUnits = 100)
    {
        ArgumentNullException.ThrowIfNull(layers);
        if (layers.Count == 0) throw new ArgumentException("Give at least one layer of weights.", nameof(layers));
        options ??= new ImageOptions();
        var shape = layers[0].Image;
        var panels = new List<TilePanel>();
        foreach (var layer in layers)
        {
            if (layer.Image.Height != shape.Height || layer.Image.Width != shape.Width)
                throw new ArgumentException($"All panels need the same image size: '{layer.Title}' is {layer.Image}, the first is {shape}.", nameof(layers));
            if (layer.Image.Height * layer.Image.Width * layer.Image.Channels != layer.Inputs || layer.Image.Channels != 1)
                throw new ArgumentException($"'{layer.Title}': {layer.Inputs} inputs do not form a single-channel {layer.Image} image.", nameof(layers));
            if (layer.W.Length != layer.Units * layer.Inputs)
                throw new ArgumentException($"'{layer.Title}': W has {layer.W.Length} values; {layer.Units} units x {layer.Inputs} inputs need {layer.Units * layer.Inputs}.", nameof(layers));
            bool columnMajor = options.ColumnMajor ?? layer.Image.ColumnMajor;
            int units = Math.Min(layer.Units, maxUnits);
            var tiles = new Tile[units];
            for (int j = 0; j < units; j++)
            {
                var pixels = ImageTiles.ToDisplayOrder(layer.W.AsSpan(j * layer.Inputs, layer.Inputs), shape.Height, shape.Width, columnMajor);
                tiles[j] = new Tile(ImageTiles.ToGray(pixels, options.Scaling), null, j);
            }
            panels.Add(new TilePanel(layer.Title, options.Columns ?? (int)Math.Ceiling(Math.Sqrt(units)), tiles));
        }
        int scale = options.Scale ?? ImageTiles.DefaultScale(shape.Height, shape.Width, target: 48);
        return TileSheet.Create(panels, shape.Height, shape.Width, scale);
    }

    /// <summary>The hidden units of one or more models (titles such as "λ = 1").</summary>
    public static TileSheet HiddenUnits(IReadOnlyList<(string? Title, Model Model)> models, ImageOptions? options = null, int maxUnits = 100) =>
        HiddenUnits(models.Select(m => UnitWeights.FirstLayer(m.Model, m.Title)).ToArray(), options, maxUnits);

    /// <summary>
    /// The first <paramref name="maxCount"/> misclassified samples, each titled "t: 7 p: 9" (true and predicted class).
    /// </summary>
    public static TileSheet Misclassified(Dataset data, IReadOnlyList<int> predicted, ImageOptions? options = null, int maxCount = 24)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(predicted);
        if (predicted.Count != data.Count)
            throw new ArgumentException($"{predicted.Count} predictions for the {data.Count} samples of '{data.Name}'.", nameof(predicted));
        options ??= new ImageOptions();
        var shape = ImageTiles.ShapeOf(data.Image, data.FeatureCount, $"data set '{data.Name}'");
        var wrong = Metrics.Misclassified(predicted.ToArray(), data.Labels);
        if (wrong.Length == 0) throw new InvalidOperationException($"No sample of '{data.Name}' is misclassified; there is nothing to show.");
        bool columnMajor = options.ColumnMajor ?? shape.ColumnMajor;
        var tiles = wrong.Take(maxCount).Select(k =>
        {
            int p = predicted[k];
            string predictedName = (uint)p < (uint)data.Classes ? data.ClassNames[p] : p.ToString(System.Globalization.CultureInfo.InvariantCulture);
            return SampleTile(data, k, shape, columnMajor, options.Scaling, $"t: {data.ClassNames[data.Labels[k]]} p: {predictedName}");
        }).ToArray();
        int columns = options.Columns ?? Math.Min(tiles.Length, 8);
        int scale = options.Scale ?? Math.Max(ImageTiles.DefaultScale(shape.Height, shape.Width), (int)Math.Ceiling(64.0 / shape.Width));
        string title = options.Title ?? $"{wrong.Length} of {data.Count} misclassified{(wrong.Length > tiles.Length ? $" (first {tiles.Length})" : "")}";
        return TileSheet.Create([new TilePanel(title, columns, tiles)], shape.Height, shape.Width, scale);
    }

    /// <summary>The misclassified samples of <paramref name="data"/> under <paramref name="model"/>.</summary>
    public static TileSheet Misclassified(Model model, Dataset data, ImageOptions? options = null, int maxCount = 24)
    {
        ArgumentNullException.ThrowIfNull(model);
        return Misclassified(data, model.Predict(data), options, maxCount);
    }

    /// <summary><paramref name="count"/> distinct random sample indices (all when the set is smaller), NumPy's permutation order.</summary>
    public static int[] RandomSamples(int total, int count, int seed)
    {
        if (count < 1) throw new ArgumentOutOfRangeException(nameof(count), $"Choose at least one sample, got {count}.");
        if (total < 1) throw new ArgumentException("The data set has no samples.", nameof(total));
        var permutation = new NumPyRandom(seed).Permutation(total);
        return permutation.AsSpan(0, Math.Min(count, total)).ToArray();
    }

    private static Tile SampleTile(Dataset data, int k, ImageShape shape, bool columnMajor, GrayScaling scaling, string? caption)
    {
        if ((uint)k >= (uint)data.Count) throw new ArgumentOutOfRangeException(nameof(k), $"Sample {k} is outside 0..{data.Count - 1} of '{data.Name}'.");
        var pixels = ImageTiles.ToDisplayOrder(data.Sample(k), shape.Height, shape.Width, columnMajor);
        return new Tile(ImageTiles.ToGray(pixels, scaling), caption, k);
    }
}
