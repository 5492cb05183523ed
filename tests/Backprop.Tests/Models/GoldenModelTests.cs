using Backprop.Data.Preprocessing;
using Backprop.Layers;
using Backprop.Models;

namespace Backprop.Tests.Models;

/// <summary>
/// The model file written by version 1 of the format (Fixtures/models/golden-v1.json, `backprop train --data mnist
/// --layers 784,32,10 --epochs 2` on 2026-12-04) must load in every later version and predict what it predicted then.
/// Never regenerate it: add a golden file per new format version instead (docs/model-format.md).
/// </summary>
public class GoldenModelTests
{
    [Fact]
    public void GoldenVersion1FileLoadsWithEveryField()
    {
        var model = Model.Load(ExchangeFixtures.Golden);
        Assert.Equal([784, 32, 10], model.Spec.LayerSizes);
        Assert.Equal([Activation.Relu, Activation.Softmax], model.Spec.Activations);
        Assert.Equal(Precision.Float32, model.Precision);
        Assert.Equal(Enumerable.Range(0, 10).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)), model.ClassNames);
        Assert.Equal(new Backprop.Data.ImageShape(28, 28), model.Image);
        Assert.Equal(PreprocessorKind.MinMax, model.Preprocessor!.Kind);
        Assert.Equal("0.938", model.Metadata["test_accuracy"]);
        Assert.Equal("adam epochs=2 batch=100 lr=0.001 lambda=0", model.Metadata["training"]);
    }

    [Fact]
    public void GoldenVersion1FilePredictsAsTheNumPyForwardPassOfItsParameters()
    {
        var model = Model.Load(ExchangeFixtures.Golden);
        var golden = ExchangeFixtures.Expected.GetProperty("golden");
        int n = golden.GetProperty("samples").GetInt32();
        var x = ExchangeFixtures.MnistTest(n);
        Assert.Equal(golden.GetProperty("numpy_labels").Ints(), model.Predict(x, n));
        ExchangeFixtures.AssertClose(ExchangeFixtures.Rows(golden.GetProperty("numpy_probabilities")), model.PredictProba(x, n), 10, 1e-5);
    }

    [Fact]
    public void GoldenFileDeclaresFormatVersion1()
    {
        using var doc = System.Text.Json.JsonDocument.Parse(File.ReadAllText(ExchangeFixtures.Golden));
        Assert.Equal("backprop-model", doc.RootElement.GetProperty("format").GetString());
        Assert.Equal(1, doc.RootElement.GetProperty("version").GetInt32());
    }
}
