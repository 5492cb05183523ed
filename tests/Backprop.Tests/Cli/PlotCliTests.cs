using Backprop.Data.Builtin;
using Backprop.Experiments;
using Backprop.Models;
using Backprop.Plots;
using Backprop.Training;
using SkiaSharp;
using static Backprop.Tests.Plots.PlotFixtures;

namespace Backprop.Tests.Cli;

/// <summary>Models and histories written once for the plot command tests.</summary>
public sealed class PlotCliFiles : IDisposable
{
    private readonly TempDir dir = new();
    public string DigitsModel { get; }
    public string SpiralModel { get; }
    public string History { get; }

    public PlotCliFiles()
    {
        DigitsModel = dir.File("digits.json");
        SpiralModel = dir.File("spiral.json");
        History = dir.File("digits-history.csv");
        Backprop.Tests.Plots.PlotFixtures.DigitsModel.Value.Model!.Save(DigitsModel);
        Backprop.Tests.Plots.PlotFixtures.DigitsModel.Value.History.WriteCsv(History);
        Backprop.Tests.Plots.PlotFixtures.SpiralModel.Value.Save(SpiralModel);
    }

    public void Dispose() => dir.Dispose();
}

public class PlotCliTests(PlotCliFiles files) : IClassFixture<PlotCliFiles>
{
    /// <summary>The PNG the CLI wrote has exactly the pixels of the same figure drawn through the API.</summary>
    private static void AssertSamePixels(string png, Figure expected)
    {
        using var actual = Decode(File.ReadAllBytes(png));
        using var want = Decode(expected.ToPng());
        Assert.Equal(want.Width, actual.Width);
        Assert.Equal(want.Height, actual.Height);
        Assert.True(want.GetPixelSpan().SequenceEqual(actual.GetPixelSpan()), $"{png}: pixels differ from the API's figure");
    }

    private static CliHarness.Result Plot(params string[] args)
    {
        var r = CliHarness.Run(["plot", .. args]);
        Assert.True(r.ExitCode == 0, r.Stderr);
        return r;
    }

    [Fact]
    public void DigitsWithChosenSamplesAndJson()
    {
        using var dir = new TempDir();
        var r = Plot("digits", "--data", "digits", "--samples", "4,8,15,16", "--order", "column", "--out", dir.File("d.png"), "--json");
        var j = r.Json();
        Assert.Equal("digits", j.GetProperty("kind").GetString());
        Assert.Equal("png", j.GetProperty("format").GetString());
        Assert.Contains("column-major", j.GetProperty("shows").GetString());
        var expected = Figures.DigitGrid(Digits.Value.Train, [4, 8, 15, 16], new ImageOptions { ColumnMajor = true });
        Assert.Equal(expected.Width, j.GetProperty("width").GetInt32());
        AssertSamePixels(dir.File("d.png"), expected);
    }

    [Theory]
    [InlineData("image", "--data", "digits", "--samples", "3")]
    [InlineData("weights", "--model", "MODEL")]
    [InlineData("history", "--history", "HISTORY")]
    [InlineData("boundary", "--model", "SPIRAL", "--data", "spiral")]
    [InlineData("confusion", "--model", "MODEL", "--data", "digits")]
    [InlineData("misclassified", "--model", "MODEL", "--data", "digits", "--max", "6")]
    public void EveryKindPrintsOneJsonObjectDescribingTheFileItWrote(params string[] args)
    {
        using var dir = new TempDir();
        var a = args.Select(x => x switch { "MODEL" => files.DigitsModel, "SPIRAL" => files.SpiralModel, "HISTORY" => files.History, _ => x });
        var r = Plot([.. a, "--out", dir.File("p.png"), "--json"]);
        var j = r.Json();   // throws unless stdout is exactly one JSON value
        Assert.Equal(System.Text.Json.JsonValueKind.Object, j.ValueKind);
        Assert.Equal(args[0], j.GetProperty("kind").GetString());
        Assert.Equal(dir.File("p.png"), j.GetProperty("out").GetString());
        Assert.False(string.IsNullOrWhiteSpace(j.GetProperty("shows").GetString()));
        using var png = Decode(File.ReadAllBytes(dir.File("p.png")));
        Assert.Equal(png.Width, j.GetProperty("width").GetInt32());
        Assert.Equal(png.Height, j.GetProperty("height").GetInt32());
    }

    [Fact]
    public void RandomDigitsAsSvg()
    {
        using var dir = new TempDir();
        var r = Plot("digits", "--data", "digits", "--count", "16", "--seed", "3", "--out", dir.File("d.svg"));
        Assert.Contains("16 samples of 'digits'", r.Stdout);
        var svg = File.ReadAllText(dir.File("d.svg"));
        Assert.Contains("<svg", svg);
        Assert.Contains("data:image/png;base64,", svg);
    }

    [Fact]
    public void WeightsOfTwoModelsAndOfTheCourseFile()
    {
        using var dir = new TempDir();
        Plot("weights", "--model", files.DigitsModel, "--model", files.DigitsModel, "--out", dir.File("w.png"));
        var model = Model.Load(files.DigitsModel);
        AssertSamePixels(dir.File("w.png"), Figures.HiddenUnits([UnitWeights.FirstLayer(model, "digits"), UnitWeights.FirstLayer(model, "digits")]));

        var course = Fixture.Path("mat", "corpus", "ex4weights.mat");
        var r = Plot("weights", "--weights", course, "--out", dir.File("ex4.png"));
        Assert.Contains("25 units of 'ex4weights' (20x20)", r.Stdout);
        var net = CourseFiles.LoadThetas(Backprop.Data.Formats.DataFiles.Read(course));
        AssertSamePixels(dir.File("ex4.png"), Figures.HiddenUnits([new UnitWeights("ex4weights", net.Parameters.AsSpan(0, 25 * 400).ToArray(), 25, 400,
            new Backprop.Data.ImageShape(20, 20, 1, ColumnMajor: true))]));
    }

    [Fact]
    public void HistoryBoundaryConfusionMisclassifiedAndImage()
    {
        using var dir = new TempDir();
        Plot("history", "--history", files.History, "--out", dir.File("h.png"));
        AssertSamePixels(dir.File("h.png"), Charts.History([new NamedHistory("digits-history", TrainingHistory.ReadCsv(files.History))]));

        var spiral = BuiltinData.Load("spiral").Train;
        Plot("boundary", "--model", files.SpiralModel, "--data", "spiral", "--out", dir.File("b.png"));
        AssertSamePixels(dir.File("b.png"), Charts.DecisionBoundary(Model.Load(files.SpiralModel), spiral));

        var digits = Digits.Value.Train;
        var model = Model.Load(files.DigitsModel);
        Plot("confusion", "--model", files.DigitsModel, "--data", "digits", "--out", dir.File("c.png"));
        AssertSamePixels(dir.File("c.png"), Charts.ConfusionMatrix(model, digits));

        Plot("misclassified", "--model", files.DigitsModel, "--data", "digits", "--max", "10", "--out", dir.File("m.png"));
        AssertSamePixels(dir.File("m.png"), Figures.Misclassified(model, digits, maxCount: 10));

        var r = Plot("image", "--data", "digits", "--samples", "7", "--out", dir.File("i.png"));
        Assert.Contains($"sample 7 of 'digits' (label {digits.Labels[7]})", r.Stdout);
        AssertSamePixels(dir.File("i.png"), Figures.Image(digits, 7));
    }

    public static TheoryData<string[]> BadInputs() => new()
    {
        new[] { "pie", "--out", "x.png" },
        new[] { "digits", "--data", "digits" },
        new[] { "digits", "--data", "digits", "--out", "x.jpg" },
        new[] { "digits", "--data", "no-such-set", "--out", "x.png" },
        new[] { "digits", "--data", "flower", "--out", "x.png" },
        new[] { "digits", "--data", "digits", "--samples", "3,x", "--out", "x.png" },
        new[] { "digits", "--data", "digits", "--samples", "99999", "--out", "x.png" },
        new[] { "digits", "--data", "digits", "--order", "diagonal", "--out", "x.png" },
        new[] { "digits", "--data", "digits", "--split", "test", "--out", "x.png" },
        new[] { "image", "--data", "digits", "--out", "x.png" },
        new[] { "weights", "--out", "x.png" },
        new[] { "weights", "--model", "no-such-model.json", "--out", "x.png" },
        new[] { "history", "--out", "x.png" },
        new[] { "history", "--history", "no-such.csv", "--out", "x.png" },
        new[] { "boundary", "--data", "spiral", "--out", "x.png" },
        new[] { "confusion", "--model", "MODEL", "--out", "x.png" },
        // Too large to allocate: refused before any bitmap exists (1797 tiles at scale 40 would be 13860x13538).
        new[] { "digits", "--data", "digits", "--count", "1797", "--scale", "40", "--out", "x.png" },
        new[] { "image", "--data", "digits", "--samples", "3", "--scale", "2147483647", "--out", "x.png" },
    };

    [Theory]
    [MemberData(nameof(BadInputs))]
    public void BadInputGivesOneLineAndExitCode2(string[] args)
    {
        using var dir = new TempDir();
        var a = args.Select(x => x == "MODEL" ? files.DigitsModel : x.EndsWith(".png", StringComparison.Ordinal) || x.EndsWith(".jpg", StringComparison.Ordinal) ? dir.File(x) : x).ToArray();
        var r = CliHarness.Run(["plot", .. a]);
        Assert.True(r.ExitCode == 2, $"exit {r.ExitCode}: {r.Stderr}");
        Assert.Single(r.Stderr.Trim().Split('\n'));
        Assert.StartsWith("backprop:", r.Stderr);
        Assert.False(File.Exists(dir.File("x.png")));
    }

    [Fact]
    public void MismatchedModelAndDataAndANonHistoryCsvAreUsageErrors()
    {
        using var dir = new TempDir();
        var r = CliHarness.Run("plot", "boundary", "--model", files.DigitsModel, "--data", "spiral", "--out", dir.File("x.png"));
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("needs a model of 2 inputs", r.Stderr);
        r = CliHarness.Run("plot", "confusion", "--model", files.SpiralModel, "--data", "digits", "--out", dir.File("x.png"));
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("64 features per sample", r.Stderr);
        File.WriteAllText(dir.File("not-history.csv"), "a,b\n1,2\n");
        r = CliHarness.Run("plot", "history", "--history", dir.File("not-history.csv"), "--out", dir.File("x.png"));
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("not a training history", r.Stderr);
    }
}
