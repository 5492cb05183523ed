using Backprop.Data;
using Backprop.Data.Preprocessing;

namespace Backprop.Models;

/// <summary>How raw features are scaled before training (the fitted scaler is saved with the model); see <see cref="Scalings"/>.</summary>
public enum Scaling
{
    None,
    /// <summary>Each feature to [0, 1] from the training minimum and maximum.</summary>
    MinMax,
    /// <summary>Each feature to [−1, 1] from the training minimum and maximum.</summary>
    MinMaxSymmetric,
    /// <summary>Zero mean, unit variance from the training statistics.</summary>
    Standardize,
    /// <summary>Pixels 0..255 to [0, 1] (a fixed range, as MNIST notebooks do).</summary>
    Pixels,
    /// <summary>Pixels 0..255 to [−1, 1] (Raschka's <c>((X / 255.) − .5) * 2</c>).</summary>
    PixelsSymmetric,
    /// <summary>Chosen from the training data (<see cref="Scalings.Choose"/>): <see cref="Pixels"/> for images of 0..255
    /// pixels, else <see cref="MinMax"/>.</summary>
    Auto,
}

/// <summary>Names, parsing, the automatic choice and the one fit of a <see cref="Scaling"/>.</summary>
public static class Scalings
{
    /// <summary>Every scaling, in the order the command line lists them.</summary>
    public static IReadOnlyList<Scaling> All { get; } =
        [Scaling.None, Scaling.MinMax, Scaling.MinMaxSymmetric, Scaling.Standardize, Scaling.Pixels, Scaling.PixelsSymmetric, Scaling.Auto];

    /// <summary>The command-line name: none, minmax, minmax-symmetric, standardize, pixels, pixels-symmetric or auto.</summary>
    public static string Name(Scaling scaling) => scaling switch
    {
        Scaling.None => "none",
        Scaling.MinMax => "minmax",
        Scaling.MinMaxSymmetric => "minmax-symmetric",
        Scaling.Standardize => "standardize",
        Scaling.Pixels => "pixels",
        Scaling.PixelsSymmetric => "pixels-symmetric",
        Scaling.Auto => "auto",
        _ => throw new ArgumentOutOfRangeException(nameof(scaling), scaling, "Unknown scaling."),
    };

    /// <summary><see cref="Name"/>'s inverse (case and surrounding spaces ignored).</summary>
    /// <exception cref="ArgumentException">Not a scaling's name; the message lists them.</exception>
    public static Scaling Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        string name = text.Trim().ToLowerInvariant();
        foreach (var s in All)
            if (Name(s) == name) return s;
        throw new ArgumentException($"Unknown scaling '{text}': expected {string.Join(", ", All.SkipLast(1).Select(Name))} or {Name(All[^1])}.");
    }

    /// <summary>
    /// The automatic choice: <see cref="Scaling.Pixels"/> for image data whose values lie in 0..255 and reach above 16 (so the
    /// 8x8 digits' 0..16 range is scaled by its own minimum and maximum), else <see cref="Scaling.MinMax"/>.
    /// </summary>
    public static Scaling Choose(Dataset train)
    {
        ArgumentNullException.ThrowIfNull(train);
        var x = train.Features;
        bool pixels = train.Image is not null && x.Length > 0
            && System.Numerics.Tensors.TensorPrimitives.Min<double>(x) >= 0
            && System.Numerics.Tensors.TensorPrimitives.Max<double>(x) is > 16 and <= 255;
        return pixels ? Scaling.Pixels : Scaling.MinMax;
    }

    /// <summary><paramref name="scaling"/>, with <see cref="Scaling.Auto"/> chosen from <paramref name="train"/>.</summary>
    public static Scaling Resolve(Scaling scaling, Dataset train) => scaling == Scaling.Auto ? Choose(train) : scaling;

    /// <summary>
    /// The preprocessing <paramref name="scaling"/> fits on the training data (null for <see cref="Scaling.None"/>);
    /// <paramref name="pixelMax"/> is the largest raw pixel value of <see cref="Scaling.Pixels"/> and
    /// <see cref="Scaling.PixelsSymmetric"/> (255 for MNIST).
    /// </summary>
    public static Preprocessor? Fit(Scaling scaling, Dataset train, double pixelMax = 255)
    {
        ArgumentNullException.ThrowIfNull(train);
        return Resolve(scaling, train) switch
        {
            Scaling.None => null,
            Scaling.MinMax => Preprocessor.FitMinMax(train),
            Scaling.MinMaxSymmetric => Preprocessor.FitMinMax(train, -1, 1),
            Scaling.Standardize => Preprocessor.FitStandardize(train),
            Scaling.Pixels => Preprocessor.MinMaxFixed(train.FeatureCount, 0, pixelMax),
            Scaling.PixelsSymmetric => Preprocessor.MinMaxFixed(train.FeatureCount, 0, pixelMax, -1, 1),
            var s => throw new ArgumentOutOfRangeException(nameof(scaling), s, "Unknown scaling."),
        };
    }
}
