using Backprop.Models;
using Backprop.Numerics;
using Backprop.Training;

namespace Backprop.Tests.Training;

/// <summary>Shift augmentation against scipy.ndimage.shift (Fixtures/engine/make_training_fixtures.py).</summary>
public class ImageShiftTests
{
    [Fact]
    public void ShiftMatchesScipyNdimageShiftNearest()
    {
        foreach (var c in Fixture.Json("engine", "training.json").GetProperty("shifts").EnumerateArray())
        {
            int h = c.GetProperty("height").GetInt32(), w = c.GetProperty("width").GetInt32();
            int dy = c.GetProperty("dy").GetInt32(), dx = c.GetProperty("dx").GetInt32();
            var output = new double[h * w];
            ImageShift.Shift<double>(c.GetProperty("image").Doubles(), output, h, w, dy, dx);
            Assert.Equal(c.GetProperty("shifted").Doubles(), output);
        }
    }

    [Fact]
    public void ABatchIsShiftedWithNumpysDrawsInTheDocumentedOrder()
    {
        var c = Fixture.Json("engine", "training.json").GetProperty("shift_batch");
        int h = c.GetProperty("height").GetInt32(), w = c.GetProperty("width").GetInt32(), rows = c.GetProperty("rows").GetInt32();
        var x = Matrix<double>.FromDoubles(c.GetProperty("n").GetInt32(), h * w, c.GetProperty("X").Doubles());
        var batch = new Matrix<double>(rows, h * w);
        ImageShift.CopyShifted(x, c.GetProperty("order").Ints(), c.GetProperty("start").GetInt32(), batch, h, w,
            c.GetProperty("max_shift").GetInt32(), new NumPyRandom((uint)c.GetProperty("seed").GetInt32()));
        Assert.Equal(c.GetProperty("batch").Doubles(), batch.Span.ToArray());
    }

    [Fact]
    public void BadShapesAreRejected()
    {
        Assert.Throws<ArgumentException>(() => ImageShift.Shift<double>(new double[12], new double[12], 3, 5, 1, 1));
        var a = new double[12];
        Assert.Throws<ArgumentException>(() => ImageShift.Shift<double>(a, a, 3, 4, 1, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new TrainingOptions { ShiftPixels = -1 }.Validate());
        Assert.Contains("image size", Assert.Throws<ArgumentException>(() => new Trainer<double>(new Backprop.Networks.Network<double>(
            Backprop.Networks.NetworkSpec.Create([4, 2])), new TrainingOptions { ShiftPixels = 1 }).Fit(new Matrix<double>(3, 4), [0, 1, 0])).Message);
        Assert.Contains("image", Assert.Throws<ArgumentException>(() => new MlpClassifier
        {
            HiddenLayers = [4], Training = new TrainingOptions { Epochs = 1, ShiftPixels = 1 },
        }.Fit(Backprop.Data.Builtin.BuiltinData.Load("flower").Train)).Message);
    }

    [Fact]
    public void ShiftAugmentationOnTheDigitsIsReproducibleAndLearns()
    {
        var digits = Backprop.Data.Builtin.BuiltinData.Load("digits").Train;
        MlpClassifier Fit(int shift) => new MlpClassifier
        {
            HiddenLayers = [32], Seed = 2, ValidationFraction = 0.2,
            Training = new TrainingOptions { Epochs = 6, BatchSize = 32, LearningRate = 0.005, Seed = 5, ShiftPixels = shift },
        }.Fit(digits);
        var a = Fit(1);
        Assert.Equal(a.Model!.ParametersAsDoubles(), Fit(1).Model!.ParametersAsDoubles());
        Assert.NotEqual(a.Model.ParametersAsDoubles(), Fit(0).Model!.ParametersAsDoubles());
        Assert.True(a.History[^1].Cost < a.History[0].Cost, $"cost {a.History[0].Cost} → {a.History[^1].Cost}");
        Assert.True(a.History[^1].ValidAccuracy > 0.85, $"validation accuracy {a.History[^1].ValidAccuracy:P1}");
        Assert.Contains("shift=1", a.Model.Metadata["training"]);
    }
}
