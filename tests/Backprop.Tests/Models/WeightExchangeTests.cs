using Backprop.Data.Formats;
using Backprop.Data.Formats.Mat;
using Backprop.Layers;
using Backprop.Models;
using Backprop.Networks;
using Backprop.Numerics;

namespace Backprop.Tests.Models;

/// <summary>
/// Weights out to scikit-learn / PyTorch and back in, against Fixtures/exchange/make_exchange_fixtures.py (which
/// gives golden.npz to MLPClassifier and golden.safetensors to torch.nn.Sequential, and trains the digits models).
/// </summary>
public class WeightExchangeTests
{
    [Fact]
    public void NpzExportIsTheCommittedFileScikitLearnWasGiven()
    {
        var model = Model.Load(ExchangeFixtures.Golden);
        var committed = NpzFile.Read(ExchangeFixtures.Exchange("golden.npz")).Variables;
        var today = WeightExchange.SklearnArrays(model);
        Assert.Equal(committed.Select(v => v.Name), today.Select(v => v.Name));
        foreach (var (c, t) in committed.Zip(today))
        {
            Assert.Equal(c.Shape, t.Shape);
            Assert.Equal(c.Data.GetType(), t.Data.GetType());
            Assert.Equal(c.ToDoubles(), t.ToDoubles());
        }
    }

    [Fact]
    public void SafetensorsExportIsTheCommittedFileTorchLoaded()
    {
        using var dir = new Backprop.Tests.Cli.TempDir();
        WeightExchange.SaveSafetensors(Model.Load(ExchangeFixtures.Golden), dir.File("g.safetensors"));
        Assert.Equal(File.ReadAllBytes(ExchangeFixtures.Exchange("golden.safetensors")), File.ReadAllBytes(dir.File("g.safetensors")));
    }

    [Fact]
    public void ScikitLearnAndTorchGivenOurWeightsAgreeWithOurPredictions()
    {
        var model = Model.Load(ExchangeFixtures.Golden);
        var golden = ExchangeFixtures.Expected.GetProperty("golden");
        int n = golden.GetProperty("samples").GetInt32();
        var x = ExchangeFixtures.MnistTest(n);
        var ours = model.Predict(x, n);
        Assert.Equal(golden.GetProperty("sklearn_labels").EnumerateArray().Select(l => int.Parse(l.GetString()!, System.Globalization.CultureInfo.InvariantCulture)), ours);
        Assert.Equal(golden.GetProperty("torch_labels").Ints(), ours);
        Assert.True(golden.GetProperty("sklearn_max_abs_diff_from_numpy").GetDouble() < 1e-6);
        ExchangeFixtures.AssertClose(ExchangeFixtures.Rows(golden.GetProperty("torch_probabilities")), model.PredictProba(x, n), 10, 1e-5);
    }

    [Fact]
    public void ScikitLearnWeightsImportAndPredictAsScikitLearn()
    {
        var model = WeightExchange.ImportNpz(ExchangeFixtures.Exchange("sklearn_digits.npz"), new WeightImportOptions { Layers = [64, 24, 10] });
        Assert.Equal("64-24-10 relu/softmax cross-entropy", model.Spec.ToString());
        Assert.Equal(Precision.Float64, model.Precision);
        var expected = ExchangeFixtures.Expected.GetProperty("digits").GetProperty("sklearn");
        var digits = CsvFile.ReadDataset(ExchangeFixtures.Digits);
        Assert.Equal(expected.GetProperty("labels").Ints(), model.Predict(digits));
        var p = model.PredictProba(digits.Features.AsSpan(0, 200 * 64), 200);
        ExchangeFixtures.AssertClose(ExchangeFixtures.Rows(expected.GetProperty("probabilities")), p, 10, 1e-12);
    }

    [Fact]
    public void TorchWeightsImportAndPredictAsTorch()
    {
        var model = WeightExchange.ImportSafetensors(ExchangeFixtures.Exchange("torch_digits.safetensors"),
            new WeightImportOptions { Layers = [64, 20, 10], Hidden = Activation.Tanh, Output = Activation.Softmax });
        Assert.Equal(Precision.Float32, model.Precision);
        var expected = ExchangeFixtures.Expected.GetProperty("digits").GetProperty("torch");
        var digits = CsvFile.ReadDataset(ExchangeFixtures.Digits);
        Assert.Equal(expected.GetProperty("labels").Ints(), model.Predict(digits));
        ExchangeFixtures.AssertClose(ExchangeFixtures.Rows(expected.GetProperty("probabilities")), model.PredictProba(digits.Features.AsSpan(0, 200 * 64), 200), 10, 1e-5);
    }

    [Theory]
    [InlineData("npz")]
    [InlineData("safetensors")]
    [InlineData("matlab")]
    public void ExportThenImportGivesTheSameModel(string format)
    {
        using var dir = new Backprop.Tests.Cli.TempDir();
        var model = Model.Load(ExchangeFixtures.Golden);
        string path = dir.File("g." + format);
        Model back = format switch
        {
            "npz" => Save(() => WeightExchange.SaveNpz(model, path), () => WeightExchange.ImportNpz(path)),
            "safetensors" => Save(() => WeightExchange.SaveSafetensors(model, path), () => WeightExchange.ImportSafetensors(path)),
            _ => Save(() => MatlabExport.Save(model, path), () => WeightExchange.ImportMatlab(path, new WeightImportOptions { Precision = Precision.Float32 })),
        };
        Assert.Equal(model.Spec, back.Spec);
        Assert.Equal(model.Precision, back.Precision);
        Assert.Equal(model.ClassNames, back.ClassNames);
        Assert.Equal(model.ParametersAsDoubles(), back.ParametersAsDoubles());
        var x = ExchangeFixtures.MnistTest(100);
        Assert.Equal(model.PredictProba(x, 100), back.PredictProba(x, 100));
    }

    private static Model Save(Action save, Func<Model> load)
    {
        save();
        return load();
    }

    [Fact]
    public void CourseWeightsImportAsMatlabThetaReadsThem()
    {
        string path = Fixture.Path("mat", "corpus", "ex4weights.mat");
        var model = WeightExchange.ImportMatlab(path, new WeightImportOptions { Layers = [400, 25, 10] });
        Assert.Equal("400-25-10 sigmoid/sigmoid cross-entropy", model.Spec.ToString());
        var vars = MatFile.Read(path);
        var thetas = new[] { "Theta1", "Theta2" }.Select(n => vars.Find(n)!).Select(v => Matrix<double>.FromDoubles(v.Shape[0], v.Shape[1], v.ToDoubles())).ToArray();
        Assert.Equal(MatlabTheta.ToNetwork(thetas).Parameters, model.Network<double>().Parameters);
    }

    [Fact]
    public void LayersThatDoNotMatchTheWeightsAreRefused()
    {
        var e = Assert.Throws<InvalidDataException>(() => WeightExchange.ImportNpz(ExchangeFixtures.Exchange("sklearn_digits.npz"), new WeightImportOptions { Layers = [64, 25, 10] }));
        Assert.Contains("64,24,10 network; --layers says 64,25,10", e.Message);
    }
}
