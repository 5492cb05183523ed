using Backprop.Models;
using Backprop.Tests.Models;

namespace Backprop.Tests.Cli;

/// <summary><c>backprop import</c> and <c>export --npz/--safetensors</c>: weights from scikit-learn and PyTorch served by Backprop.</summary>
public class ImportCliTests
{
    [Fact]
    public void ScikitLearnNpzImportsAndPredictsItsLabels()
    {
        using var dir = new TempDir();
        var r = CliHarness.Run("import", "--npz", ExchangeFixtures.Exchange("sklearn_digits.npz"), "--layers", "64,24,10", "--out", dir.File("sk.json"), "--json");
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Equal("64-24-10 relu/softmax cross-entropy", r.Json().GetProperty("network").GetString());
        var p = CliHarness.Run("predict", "--model", dir.File("sk.json"), "--input", ExchangeFixtures.Digits, "--json");
        Assert.True(p.ExitCode == 0, p.Stderr);
        var expected = ExchangeFixtures.Expected.GetProperty("digits").GetProperty("sklearn");
        Assert.Equal(expected.GetProperty("labels").Ints().Select(l => l.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            p.Json().GetProperty("labels").EnumerateArray().Select(l => l.GetString()!));
        Assert.Equal(expected.GetProperty("accuracy").GetDouble(), p.Json().GetProperty("accuracy").GetDouble(), 12);
    }

    [Fact]
    public void TorchSafetensorsImportsWithItsActivations()
    {
        using var dir = new TempDir();
        var r = CliHarness.Run("import", "--safetensors", ExchangeFixtures.Exchange("torch_digits.safetensors"), "--layers", "64,20,10",
            "--activation", "tanh", "--output", "softmax", "--out", dir.File("t.json"));
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Contains("64-20-10 tanh/softmax cross-entropy, float32", r.Stdout);
        var model = Model.Load(dir.File("t.json"));
        var digits = Backprop.Data.Formats.CsvFile.ReadDataset(ExchangeFixtures.Digits);
        Assert.Equal(ExchangeFixtures.Expected.GetProperty("digits").GetProperty("torch").GetProperty("labels").Ints(), model.Predict(digits));
    }

    [Fact]
    public void ExportedWeightsImportBackToTheSameModel()
    {
        using var dir = new TempDir();
        var e = CliHarness.Run("export", "--model", ExchangeFixtures.Golden, "--npz", dir.File("g.npz"), "--safetensors", dir.File("g.safetensors"), "--json");
        Assert.True(e.ExitCode == 0, e.Stderr);
        Assert.Equal(["0.weight", "0.bias", "2.weight", "2.bias"],
            e.Json().GetProperty("safetensors").GetProperty("variables").EnumerateArray().Select(v => v.GetProperty("name").GetString()!));
        Assert.Equal(["coefs_0", "coefs_1", "intercepts_0", "intercepts_1", "x_scale", "x_offset", "backprop"],
            e.Json().GetProperty("npz").GetProperty("variables").EnumerateArray().Select(v => v.GetProperty("name").GetString()!));
        var golden = Model.Load(ExchangeFixtures.Golden);
        foreach (var (option, file) in new[] { ("--npz", "g.npz"), ("--safetensors", "g.safetensors") })
        {
            var r = CliHarness.Run("import", option, dir.File(file), "--layers", "784,32,10", "--out", dir.File(file + ".json"));
            Assert.True(r.ExitCode == 0, r.Stderr);
            var back = Model.Load(dir.File(file + ".json"));
            Assert.Equal(golden.Spec, back.Spec);
            Assert.Equal(golden.ParametersAsDoubles(), back.ParametersAsDoubles());
            Assert.Equal(golden.Preprocessor!.ToJson(), back.Preprocessor!.ToJson());
            Assert.Equal(golden.Image, back.Image);
        }
    }

    [Theory]
    [InlineData("layers", "the weights are a 64,24,10 network; --layers says 64,30,10")]
    [InlineData("two sources", "give exactly one of --npz, --safetensors and --matlab")]
    [InlineData("missing", "no such file")]
    [InlineData("scaling", "--scaling 'unit': expected none or pixels")]
    [InlineData("classes", "--classes 'a,b': 10 non-empty names expected")]
    public void BadInputIsOneLineAndExitCode2(string what, string expected)
    {
        using var dir = new TempDir();
        string npz = ExchangeFixtures.Exchange("sklearn_digits.npz");
        string[] args = what switch
        {
            "layers" => ["--npz", npz, "--layers", "64,30,10"],
            "two sources" => ["--npz", npz, "--matlab", npz, "--layers", "64,24,10"],
            "missing" => ["--npz", dir.File("none.npz"), "--layers", "64,24,10"],
            "scaling" => ["--npz", npz, "--layers", "64,24,10", "--scaling", "unit"],
            _ => ["--npz", npz, "--layers", "64,24,10", "--classes", "a,b"],
        };
        var r = CliHarness.Run(["import", .. args, "--out", dir.File("m.json")]);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains(expected, r.Stderr);
        Assert.Single(r.Stderr.Trim().Split('\n'));
        Assert.False(File.Exists(dir.File("m.json")));
    }
}
