using Backprop.Data;
using Backprop.Data.Builtin;
using Backprop.Data.Preprocessing;
using Backprop.Models;

namespace Backprop.Tests.Models;

public class ScalingTests
{
    [Fact]
    public void NamesAndParseAreInverses()
    {
        foreach (var s in Enum.GetValues<Scaling>())
            Assert.Equal(s, Scalings.Parse(Scalings.Name(s)));
        Assert.Equal(Enum.GetValues<Scaling>(), Scalings.All.Order());
        Assert.Equal(Scaling.PixelsSymmetric, Scalings.Parse(" Pixels-Symmetric "));
        Assert.Equal("Unknown scaling 'unit': expected none, minmax, minmax-symmetric, standardize, pixels, pixels-symmetric or auto.",
            Assert.Throws<ArgumentException>(() => Scalings.Parse("unit")).Message);
    }

    [Fact]
    public void AutoChoosesPixelsForMnistAndMinMaxForTheDigits()
    {
        Assert.Equal(Scaling.Pixels, Scalings.Choose(BuiltinData.Load("mnist").Test!));
        Assert.Equal(Scaling.MinMax, Scalings.Choose(BuiltinData.Load("digits").Train));   // 0..16: its own range
        var notImages = new Dataset("table", [0, 200, 100, 255], 2, 2, [0, 1], 2);
        Assert.Equal(Scaling.MinMax, Scalings.Choose(notImages));
        var negative = new Dataset("signed", [-1, 200, 100, 255], 1, 4, [0], 1, image: new ImageShape(2, 2));
        Assert.Equal(Scaling.MinMax, Scalings.Choose(negative));
        Assert.Equal(Scaling.Standardize, Scalings.Resolve(Scaling.Standardize, negative));
    }

    [Fact]
    public void FitGivesThePreprocessingOfEachScaling()
    {
        var data = new Dataset("d", [0, 10, 4, 30], 2, 2, [0, 1], 2, image: new ImageShape(1, 2));
        Assert.Null(Scalings.Fit(Scaling.None, data));
        var minmax = Scalings.Fit(Scaling.MinMax, data)!;
        Assert.Equal([0, 0, 1, 1], minmax.Apply(data).Features);
        Assert.Equal([-1, -1, 1, 1], Scalings.Fit(Scaling.MinMaxSymmetric, data)!.Apply(data).Features);
        Assert.Equal(PreprocessorKind.Standardize, Scalings.Fit(Scaling.Standardize, data)!.Kind);
        Assert.Equal([0, 10 / 255.0, 4 / 255.0, 30 / 255.0], Scalings.Fit(Scaling.Pixels, data)!.Apply(data).Features);
        Assert.Equal([-1, Math.Round(-1 / 3.0, 12), Math.Round(4 / 15.0 - 1, 12), 1], Scalings.Fit(Scaling.PixelsSymmetric, data, pixelMax: 30)!.Apply(data).Features.Select(v => Math.Round(v, 12)));
        Assert.Equal(Scalings.Fit(Scaling.Pixels, data)!.ToJson(), Scalings.Fit(Scaling.Auto, data)!.ToJson());   // an image reaching above 16 within 0..255
    }
}
