using System.Text.Json;

namespace Backprop.Tests.Cli;

/// <summary>train --preset, sweep, compare and verify, run in-process with shortened epochs; --json parsed.</summary>
public class ExperimentCliTests
{
    private static readonly string Weights = Fixture.Path("mat", "corpus", "ex4weights.mat");
    private static readonly string Ex4Format = Fixture.Path("experiments", "ex4_format_digits.mat");

    [Fact]
    public void TrainWithAPresetPrintsOneJsonObjectWithHistoryAndSeedFigures()
    {
        using var dir = new TempDir();
        var model = dir.File("spiral.json");
        var history = dir.File("spiral.csv");
        var r = CliHarness.Run("train", "--preset", "spiral", "--epochs", "40", "--out", model, "--history", history, "--json");
        Assert.True(r.ExitCode == 0, r.Stderr);
        var j = r.Json();
        Assert.Equal("spiral", j.GetProperty("preset").GetString());
        Assert.Equal(40, j.GetProperty("epochs").GetInt32());
        var h = j.GetProperty("history");
        Assert.Equal(40, h.GetArrayLength());
        Assert.True(h[39].GetProperty("cost").GetDouble() < h[0].GetProperty("cost").GetDouble(), "the cost falls");
        Assert.Equal(JsonValueKind.Null, j.GetProperty("valid_accuracy").ValueKind);
        Assert.Equal(JsonValueKind.Null, j.GetProperty("test_accuracy").ValueKind);
        Assert.InRange(j.GetProperty("train_accuracy").GetDouble(), 0.3, 1);
        var seed = j.GetProperty("seed_figures")[0];
        Assert.Equal("train_accuracy", seed.GetProperty("metric").GetString());
        Assert.Equal(0.9867, seed.GetProperty("value").GetDouble());
        Assert.Equal(Path.GetFullPath(model), j.GetProperty("model").GetString());
        Assert.Equal(41, File.ReadAllLines(history).Length);
        // progress went to stderr, one line per epoch up to 100 epochs
        Assert.Contains("epoch    40/40", r.Stderr);
    }

    [Fact]
    public void TrainTextOutputShowsProgressLinesAndTheSeedFigure()
    {
        using var dir = new TempDir();
        var r = CliHarness.Run("train", "--preset", "flower", "--epochs", "200", "--print-every", "100", "--out", dir.File("f.json"));
        Assert.True(r.ExitCode == 0, r.Stderr);
        var lines = r.Stdout.Split('\n');
        Assert.Equal(3, lines.Count(l => l.StartsWith("epoch", StringComparison.Ordinal))); // 1, 100, 200
        Assert.Contains(lines, l => l.StartsWith("epoch   200/200", StringComparison.Ordinal) && l.Contains("ETA"));
        Assert.Contains("seed       train_accuracy 86.50 % (published by the seed", r.Stdout);
        Assert.Contains("network    2-20-2 relu/softmax, gd epochs=200", r.Stdout);
    }

    [Fact]
    public void TrainOverridesValidFractionTestFileThreadsAndPrecision()
    {
        using var dir = new TempDir();
        var r = CliHarness.Run("train", "--data", "digits", "--layers", "64,16,10", "--epochs", "3", "--test", Ex4Format, "--out", dir.File("m.json"));
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("The test data 'ex4_format_digits' has 400 features; the training data", r.Stderr);
        var damaged = CliHarness.Run("train", "--data", "digits", "--epochs", "1", "--test", Fixture.Path("experiments", "ex4_format_digits.json"), "--out", dir.File("m.json"));
        Assert.Equal(2, damaged.ExitCode); // an existing file that is not data: bad input, exit 2 with the file named
        Assert.Contains("ex4_format_digits.json", damaged.Stderr);
        CliHarness.Result ok;
        try
        {
            ok = CliHarness.Run("train", "--data", "digits", "--layers", "64,16,10", "--epochs", "5", "--lr", "0.01", "--valid", "0.25", "--threads", "1",
                "--precision", "float64", "--seed", "4", "--out", dir.File("m.json"), "--json");
            Assert.Equal(1, Backprop.Numerics.Parallelism.MaxThreads);
        }
        finally { Backprop.Numerics.Parallelism.MaxThreads = Environment.ProcessorCount; }
        Assert.True(ok.ExitCode == 0, ok.Stderr);
        var j = ok.Json();
        Assert.Equal("float64", j.GetProperty("precision").GetString());
        Assert.Equal(4, j.GetProperty("seed").GetInt32());
        Assert.True(j.GetProperty("valid_accuracy").GetDouble() > 0.5);
        Assert.Contains("1348 training samples x 64 features, 10 classes, 449 validation", ok.Stderr);
    }

    [Fact]
    public void TrainTakesTheLossShuffleAndStoppingOptions()
    {
        using var dir = new TempDir();
        var r = CliHarness.Run("train", "--data", "digits", "--layers", "64,12,10", "--output", "identity", "--loss", "squared-error", "--optimizer", "sgd",
            "--lr", "0.05", "--no-shuffle", "--stop-when-stalled", "2", "--schedule", "invscaling", "--power-t", "0.25", "--epochs", "4", "--out", dir.File("m.json"), "--json");
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Equal("64-12-10 relu/identity squared-error", r.Json().GetProperty("network").GetString());
        var mismatch = CliHarness.Run("train", "--data", "digits", "--output", "softmax", "--loss", "squared-error", "--epochs", "1", "--out", dir.File("m.json"));
        Assert.Equal(2, mismatch.ExitCode);
        Assert.Single(mismatch.Stderr.Trim().Split('\n'));
    }

    [Fact]
    public void Ex4PresetTrainsOnACourseFormatMatFile()
    {
        using var dir = new TempDir();
        var r = CliHarness.Run("train", "--preset", "ex4", "--data", Ex4Format, "--epochs", "6", "--out", dir.File("ex4.json"), "--json");
        Assert.True(r.ExitCode == 0, r.Stderr);
        var j = r.Json();
        Assert.StartsWith("400-25-10 sigmoid/sigmoid", j.GetProperty("network").GetString());
        var h = j.GetProperty("history");
        Assert.True(h[h.GetArrayLength() - 1].GetProperty("cost").GetDouble() < h[0].GetProperty("cost").GetDouble());
    }

    [Fact]
    public void SweepLambdaGivesOneRowPerValueWithTheSeedFigures()
    {
        var r = CliHarness.Run("sweep", "--preset", "ex4-gd", "--lambda", "0,1,20", "--lr", "0.5", "--epochs", "8", "--json");
        Assert.True(r.ExitCode == 0, r.Stderr);
        var j = r.Json();
        Assert.Equal("ex4-gd", j.GetProperty("preset").GetString());
        Assert.Equal("lambda", j.GetProperty("parameter").GetString());
        var rows = j.GetProperty("rows");
        Assert.Equal(3, rows.GetArrayLength());
        Assert.Equal(["0", "1", "20"], rows.EnumerateArray().Select(row => row.GetProperty("value").GetString()));
        foreach (var row in rows.EnumerateArray())
        {
            Assert.Equal(8, row.GetProperty("epochs").GetInt32());
            Assert.InRange(row.GetProperty("train_accuracy").GetDouble(), 0.3, 1);
        }
        // λ = 20 costs more than λ = 0 on the same data and iterations
        Assert.True(rows[2].GetProperty("cost").GetDouble() > rows[0].GetProperty("cost").GetDouble());
        Assert.Contains("λ", r.Stderr);
    }

    [Fact]
    public void SweepHiddenAndLrTables()
    {
        var r = CliHarness.Run("sweep", "--preset", "spiral", "--hidden", "5,10-5", "--epochs", "20");
        Assert.True(r.ExitCode == 0, r.Stderr);
        var rows = r.Stdout.Split('\n').Where(l => l.StartsWith("5 ", StringComparison.Ordinal) || l.StartsWith("10-5", StringComparison.Ordinal)).ToArray();
        Assert.Equal(2, rows.Length);
        var lr = CliHarness.Run("sweep", "--preset", "spiral", "--lr", "0.1,1", "--epochs", "5", "--json");
        Assert.True(lr.ExitCode == 0, lr.Stderr);
        Assert.Equal(2, lr.Json().GetProperty("rows").GetArrayLength());
        Assert.Equal("2-100-3 relu/softmax cross-entropy", lr.Json().GetProperty("rows")[0].GetProperty("network").GetString());
    }

    [Fact]
    public void CompareShowsOursBesideTheSeedFigures()
    {
        var r = CliHarness.Run("compare", "flower", "--epochs", "50", "--json");
        Assert.True(r.ExitCode == 0, r.Stderr);
        var f = r.Json().GetProperty("figures")[0];
        Assert.Equal("train_accuracy", f.GetProperty("metric").GetString());
        Assert.Equal(0.865, f.GetProperty("seed").GetDouble());
        Assert.Equal("published seed figure (constant)", f.GetProperty("seed_kind").GetString());
        Assert.Equal(r.Json().GetProperty("train_accuracy").GetDouble(), f.GetProperty("ours").GetDouble());
        Assert.Equal(f.GetProperty("ours").GetDouble() - 0.865, f.GetProperty("difference").GetDouble(), 12);

        var t = CliHarness.Run("compare", "ex4-gd", "--epochs", "3");
        Assert.True(t.ExitCode == 0, t.Stderr);
        Assert.Contains("train_accuracy (λ = 20, 5000 iterations)", t.Stdout);
        Assert.Contains("not like for like: initial weights", t.Stdout);
        Assert.Contains("(not measured by this run: backprop sweep --lambda)", t.Stdout);
        Assert.Contains("figures published by the seed experiment", t.Stdout);
        // One sentence: "…: reached the limit of 3 iterations in 0.1 s", not "…, Reached the limit of 3 iterations. in 0.1 s".
        Assert.Matches(@"\ntrained    400-25-10 sigmoid/sigmoid cross-entropy: [a-z][^.\n]* in \d+\.\d s\n", t.Stdout.ReplaceLineEndings("\n"));
    }

    [Fact]
    public void VerifyPassesTheDebugNetworkCheckpoints()
    {
        var r = CliHarness.Run("verify");
        Assert.Equal(0, r.ExitCode);
        var lines = r.Stdout.Split('\n').Where(l => l.StartsWith("PASS", StringComparison.Ordinal) || l.StartsWith("FAIL", StringComparison.Ordinal)).ToArray();
        Assert.Equal(8, lines.Length);
        Assert.All(lines, l => Assert.StartsWith("PASS", l));
        Assert.Contains("-9.2783E-003  8.8991E-003  -8.3601E-003  7.6281E-003  -6.7480E-003", r.Stdout);
        var j = CliHarness.Run("verify", "--json").Json();
        Assert.True(j.GetProperty("passed").GetBoolean());
        Assert.Equal(8, j.GetProperty("checkpoints").GetArrayLength());
    }

    [Fact]
    public void VerifyWithCourseFormatFilesComputesTheCostsAndFailsTheEx4data1Figures()
    {
        // Not ex4data1.mat (not available here), so the published figures must FAIL, and ours must be the
        // costs scipy + NumPy computed for this file (make_ex4_format_file.py).
        var expected = Fixture.Json("experiments", "ex4_format_digits.json");
        var r = CliHarness.Run("verify", "--data", Ex4Format, "--weights", Weights, "--json");
        Assert.Equal(1, r.ExitCode);
        var j = r.Json();
        Assert.False(j.GetProperty("passed").GetBoolean());
        var k = j.GetProperty("checkpoints").EnumerateArray().ToArray();
        Assert.Equal(8, k.Length);
        Assert.All(k.Take(4), c => Assert.True(c.GetProperty("passed").GetBoolean()));
        Fixture.AssertClose(expected.GetProperty("cost_lambda0").GetDouble(), k[4].GetProperty("values")[0].GetDouble(), 1e-12, "cost λ = 0");
        Fixture.AssertClose(expected.GetProperty("cost_lambda1").GetDouble(), k[5].GetProperty("values")[0].GetDouble(), 1e-12, "cost λ = 1");
        Fixture.AssertClose(expected.GetProperty("cost_lambda3").GetDouble(), k[6].GetProperty("values")[0].GetDouble(), 1e-12, "cost λ = 3");
        Assert.Equal(expected.GetProperty("accuracy").GetDouble(), k[7].GetProperty("values")[0].GetDouble(), 12);
        Assert.Equal("0.287629", k[4].GetProperty("expected").GetString());
        Assert.Equal("0.383770", k[5].GetProperty("expected").GetString());
        Assert.Equal("97.52 %", k[7].GetProperty("expected").GetString());
        Assert.All(k.Skip(4), c => Assert.False(c.GetProperty("passed").GetBoolean()));

        var text = CliHarness.Run("verify", "--data", Ex4Format, "--weights", Weights);
        Assert.Equal(1, text.ExitCode);
        Assert.Contains("FAIL  cost at the loaded parameters (λ = 0)", text.Stdout);
        Assert.Contains("4 of 8 checkpoints pass", text.Stdout);
    }

    [Theory]
    [InlineData("train", "--preset", "nope")]
    [InlineData("train", "--preset", "ex4", "--epochs", "-1")]
    [InlineData("train", "--preset", "raschka", "--layers", "784,100,9")]
    [InlineData("train", "--preset", "ex4", "--data", "missing-ex4data1.mat")]
    [InlineData("train", "--valid", "1.5")]
    [InlineData("train", "--data", "digits", "--layers", "64,50000000,10")]   // 3.75e9 parameters (was: refused after the data and network lines, exit 1)
    [InlineData("train", "--data", "digits", "--valid", "0.9999")]   // no training sample left (was: "Cannot fit a preprocessor on zero samples.")
    [InlineData("train", "--data", "flower", "--valid", "0.001")]    // no validation sample (was: trained, then "Accuracy of zero samples is undefined.", exit 1)
    [InlineData("train", "--valid", "no-such-valid.csv")]
    [InlineData("train", "--test", "no-such-test.csv")]
    [InlineData("train", "--threads", "0")]
    [InlineData("train", "--loss", "hinge")]
    [InlineData("train", "--power-t", "-1")]
    [InlineData("sweep", "--preset", "nope", "--lambda", "0,1")]
    [InlineData("sweep", "--lambda", "0,x")]
    [InlineData("sweep", "--lambda", "-1")]
    [InlineData("sweep", "--hidden", "25,0")]
    [InlineData("sweep", "--lambda", "0,1", "--lr", "0.1,1")]
    [InlineData("sweep")]
    [InlineData("sweep", "--lambda", "0,1", "--epochs", "0")]
    [InlineData("sweep", "--lambda", "0", "--data", "missing.csv")]
    [InlineData("compare", "nope")]
    [InlineData("compare", "spiral", "--epochs", "-5")]
    [InlineData("verify", "--data", "missing-ex4data1.mat", "--weights", "missing-weights.mat")]
    [InlineData("verify", "--weights", "ex4weights.mat")]
    public void BadOptionsGiveOneLineAndExitCode2(params string[] args)
    {
        var r = CliHarness.Run(args);
        Assert.True(r.ExitCode == 2, $"exit {r.ExitCode}: {r.Stderr}");
        Assert.Single(r.Stderr.Trim().Split('\n'));
        Assert.StartsWith("backprop:", r.Stderr);
        Assert.Equal("", r.Stdout);
    }
}
