using Backprop.Data;
using Backprop.Data.Builtin;
using Backprop.Layers;
using Backprop.Models;
using Backprop.Plots;
using Backprop.Training;
using SkiaSharp;

namespace Backprop.Tests.Plots;

/// <summary>Small trained models shared by the plot tests, and helpers to read rendered pixels.</summary>
internal static class PlotFixtures
{
    public static readonly Lazy<BuiltinSet> Digits = new(() => BuiltinData.Load("digits"));

    /// <summary>64-25-10 sigmoid on the 8x8 digits, a few epochs of Adam (about 95 % on its training data).</summary>
    public static readonly Lazy<MlpClassifier> DigitsModel = new(() => new MlpClassifier
    {
        HiddenLayers = [25], Hidden = Activation.Sigmoid, Seed = 1, ValidationFraction = 0.2,
        Training = new TrainingOptions { Optimizer = OptimizerKind.Adam, Epochs = 8, BatchSize = 32, LearningRate = 0.01, Seed = 2 },
    }.Fit(Digits.Value.Train));

    /// <summary>2-16-3 tanh on the spiral (mostly separated after 300 Adam epochs).</summary>
    public static readonly Lazy<Model> SpiralModel = new(() => new MlpClassifier
    {
        HiddenLayers = [16], Hidden = Activation.Tanh, Seed = 3, Precision = Precision.Float64,
        Training = new TrainingOptions { Optimizer = OptimizerKind.Adam, Epochs = 300, BatchSize = 0, LearningRate = 0.05, Seed = 4 },
    }.Fit(BuiltinData.Load("spiral").Train).Model!);

    /// <summary>Decodes PNG bytes with SkiaSharp (unpremultiplied RGBA).</summary>
    public static SKBitmap Decode(byte[] png)
    {
        Assert.True(png.Length > 8 && png[0] == 0x89 && png[1] == (byte)'P' && png[2] == (byte)'N' && png[3] == (byte)'G', "PNG signature");
        var bitmap = SKBitmap.Decode(png) ?? throw new InvalidDataException("SkiaSharp could not decode the PNG.");
        return bitmap;
    }

    /// <summary>Renders the figure to PNG, optionally keeps a copy (BACKPROP_PLOTS_DUMP=folder), and decodes it.</summary>
    public static SKBitmap Render(Figure figure, string name)
    {
        var png = figure.ToPng();
        if (Environment.GetEnvironmentVariable("BACKPROP_PLOTS_DUMP") is { Length: > 0 } dir)
        {
            Directory.CreateDirectory(dir);
            File.WriteAllBytes(Path.Combine(dir, name + ".png"), png);
        }
        var bitmap = Decode(png);
        Assert.Equal(figure.Width, bitmap.Width);
        Assert.Equal(figure.Height, bitmap.Height);
        return bitmap;
    }

    public static bool Near(SKColor a, SKColor b, int tolerance) =>
        Math.Abs(a.Red - b.Red) <= tolerance && Math.Abs(a.Green - b.Green) <= tolerance && Math.Abs(a.Blue - b.Blue) <= tolerance;

    public static double Luminance(SKColor c) => 0.2126 * c.Red + 0.7152 * c.Green + 0.0722 * c.Blue;
}
