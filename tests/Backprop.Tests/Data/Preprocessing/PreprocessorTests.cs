using System.Globalization;
using System.Text.Json;
using Backprop.Data;
using Backprop.Data.Preprocessing;
using Backprop.Tests.Data.Formats;

namespace Backprop.Tests.Data.Preprocessing;

/// <summary>Compares with scikit-learn's StandardScaler / MinMaxScaler (Fixtures/readers/make_preprocessing_fixtures.py).</summary>
public class PreprocessorTests
{
    private static readonly JsonElement Expected =
        JsonDocument.Parse(File.ReadAllText(ReaderFixtures.Path_("preprocessing_expected.json"))).RootElement;

    private static double[] Values(string key) =>
        Expected.GetProperty(key).EnumerateArray().Select(x => double.Parse(x.GetString()!, CultureInfo.InvariantCulture)).ToArray();

    private static int Int(string key) => Expected.GetProperty(key).GetInt32();

    private static Dataset Train() => new("train", Values("train"), Int("rows_train"), Int("features"), new int[Int("rows_train")], 1);
    private static Dataset Test() => new("test", Values("test"), Int("rows_test"), Int("features"), new int[Int("rows_test")], 1);

    private static void Close(double[] want, IReadOnlyList<double> got, double tol = 1e-12)
    {
        Assert.Equal(want.Length, got.Count);
        for (int i = 0; i < want.Length; i++)
            Assert.True(Math.Abs(want[i] - got[i]) <= tol * Math.Max(1, Math.Abs(want[i])), $"[{i}] expected {want[i]:R}, got {got[i]:R}");
    }

    [Fact]
    public void StandardizeMatchesStandardScaler()
    {
        var p = Preprocessor.FitStandardize(Train());
        Close(Values("standard_mean"), p.Mean);
        Close(Values("standard_std"), p.Std);
        Assert.Equal(0.0, p.Std[4]); // the constant feature…
        Close(Values("standard_train"), p.Apply(Train()).Features);
        Close(Values("standard_test"), p.Apply(Test()).Features);
    }

    [Fact]
    public void MinMaxMatchesMinMaxScalerExactly()
    {
        var p = Preprocessor.FitMinMax(Train());
        Assert.Equal(Values("minmax01_min"), p.DataMin);
        Assert.Equal(Values("minmax01_max"), p.DataMax);
        Assert.Equal(Values("minmax01_test"), p.Apply(Test()).Features);
        Assert.Equal(Values("minmax01_train"), p.Apply(Train()).Features);
        Assert.Equal(Values("minmax11_test"), Preprocessor.FitMinMax(Train(), -1, 1).Apply(Test()).Features);
    }

    [Fact]
    public void FixedPixelRange()
    {
        var p = Preprocessor.MinMaxFixed(6, 0, 255);
        var x = Values("pixels");
        var y = new double[6];
        p.Apply(x, y);
        Assert.Equal(Values("pixels01"), y);
    }

    [Fact]
    public void SpanApplyHandlesSeveralSamplesAndInPlace()
    {
        var p = Preprocessor.FitStandardize(Train());
        var test = Values("test");
        p.Apply(test, test);
        Close(Values("standard_test"), test);
        Assert.Throws<ArgumentException>(() => p.Apply(new double[7], new double[7]));
    }

    [Theory]
    [InlineData("identity")]
    [InlineData("minmax")]
    [InlineData("standardize")]
    public void JsonRoundTripsExactly(string which)
    {
        var p = which switch
        {
            "identity" => Preprocessor.Identity(5),
            "minmax" => Preprocessor.FitMinMax(Train(), -1, 1),
            _ => Preprocessor.FitStandardize(Train()),
        };
        var q = Preprocessor.FromJson(p.ToJson());
        Assert.Equal(p.Kind, q.Kind);
        Assert.Equal(p.ToJson(), q.ToJson());
        Assert.Equal(p.Apply(Test()).Features, q.Apply(Test()).Features);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("[]")]
    [InlineData("{\"kind\":\"Cubic\",\"featureCount\":1}")]
    [InlineData("{\"kind\":\"MinMax\",\"featureCount\":2,\"lo\":0,\"hi\":1,\"min\":[0],\"max\":[1,2]}")]
    [InlineData("{\"kind\":\"Standardize\",\"featureCount\":1,\"mean\":[\"x\"],\"std\":[1]}")]
    [InlineData("{\"kind\":\"Standardize\",\"featureCount\":1,\"mean\":[0],\"std\":[-1]}")]
    public void MalformedJsonIsInvalidData(string json) => Assert.Throws<InvalidDataException>(() => Preprocessor.FromJson(json));

    [Fact]
    public void ApplyKeepsLabelsAndChecksFeatureCount()
    {
        var d = new Dataset("d", [1, 2, 3, 4], 2, 2, [1, 0], 2, ["a", "b"], new ImageShape(1, 2));
        var p = Preprocessor.FitMinMax(d);
        var e = p.Apply(d);
        Assert.Equal(new[] { 0.0, 0.0, 1.0, 1.0 }, e.Features);
        Assert.Equal(d.Labels, e.Labels);
        Assert.Equal(d.ClassNames, e.ClassNames);
        Assert.Equal(d.Image, e.Image);
        Assert.Throws<ArgumentException>(() => Preprocessor.Identity(3).Apply(d));
    }
}
