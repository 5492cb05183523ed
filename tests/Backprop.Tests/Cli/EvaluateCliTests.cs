using Backprop.Data;
using Backprop.Data.Formats.Mat;

namespace Backprop.Tests.Cli;

public class EvaluateCliTests
{
    private static readonly string Weights = Fixture.Path("mat", "corpus", "ex4weights.mat");

    /// <summary>X (60x400) and y (60x1) of ex4_generated.json, optionally altered, written as a .mat file.</summary>
    private static string WriteData(TempDir dir, Func<double[], double[]>? editY = null, int columns = 400)
    {
        var f = Fixture.Json("engine", "ex4_generated.json");
        int m = f.GetProperty("m").GetInt32();
        var x = f.GetProperty("X").Doubles();
        if (columns != 400)
        {
            var cut = new double[m * columns];
            for (int i = 0; i < m; i++)
                for (int j = 0; j < columns; j++) cut[i * columns + j] = x[i * 400 + j];
            x = cut;
        }
        var y = f.GetProperty("y").Doubles();
        if (editY is not null) y = editY(y);
        string path = dir.File("data.mat");
        MatFile.Write(path, [new NDArray("X", "double", [m, columns], x), new NDArray("y", "double", [m, 1], y)]);
        return path;
    }

    [Fact]
    public void JsonCostAndAccuracyMatchPytorchFixture()
    {
        using var dir = new TempDir();
        string data = WriteData(dir);
        var r = CliHarness.Run("evaluate", "--data", data, "--weights", Weights, "--lambda", "1", "--json");
        Assert.True(r.ExitCode == 0, r.Stderr);
        var o = r.Json();
        var f = Fixture.Json("engine", "ex4_generated.json");
        Fixture.AssertClose(f.GetProperty("lambda_1").GetProperty("cost").GetDouble(), o.GetProperty("cost").GetDouble(), 1e-10, "cost λ=1");
        var y = f.GetProperty("y").Ints();
        var predictions = f.GetProperty("predictions").Ints();
        double fraction = y.Zip(predictions).Count(p => p.First == p.Second) / (double)y.Length;
        Assert.Equal(fraction, o.GetProperty("accuracy").GetDouble(), 12);   // a fraction 0..1, as every JSON accuracy (docs/json.md)
        Assert.Equal("all", o.GetProperty("split").GetString());
        Assert.Equal(60, o.GetProperty("samples").GetInt32());
        Assert.Equal(1.0, o.GetProperty("lambda").GetDouble());
        Assert.False(string.IsNullOrEmpty(o.GetProperty("network").GetString()));
    }

    [Fact]
    public void TextOutputReadsLikeEx4()
    {
        using var dir = new TempDir();
        string data = WriteData(dir);
        var r = CliHarness.Run("evaluate", "--data", data, "--weights", Weights);
        Assert.True(r.ExitCode == 0, r.Stderr);
        var f = Fixture.Json("engine", "ex4_generated.json");
        string cost = f.GetProperty("lambda_0").GetProperty("cost").GetDouble().ToString("F6", System.Globalization.CultureInfo.InvariantCulture);
        Assert.Contains($"Cost at parameters (loaded from ex4weights): {cost}", r.Stdout);
        Assert.Matches(@"Training Set Accuracy: \d+\.\d\d% \(all 60 samples of data.mat, the exercise's training set\)", r.Stdout);
    }

    [Fact]
    public void LabelOutOfRangeFailsNamingY()
    {
        using var dir = new TempDir();
        string data = WriteData(dir, y => { y[7] = 11; return y; });
        var r = CliHarness.Run("evaluate", "--data", data, "--weights", Weights, "--json");
        Assert.Equal(2, r.ExitCode);
        Assert.Equal("", r.Stdout);
        Assert.Single(r.Stderr.TrimEnd().Split('\n'));
        Assert.Contains("'y'", r.Stderr);
        Assert.Contains("11", r.Stderr);
    }

    [Fact]
    public void MismatchedColumnsFailClearly()
    {
        using var dir = new TempDir();
        string data = WriteData(dir, columns: 399);
        var r = CliHarness.Run("evaluate", "--data", data, "--weights", Weights);
        Assert.Equal(2, r.ExitCode);
        Assert.Single(r.Stderr.TrimEnd().Split('\n'));
        Assert.Contains("399 columns", r.Stderr);
        Assert.Contains("400 inputs", r.Stderr);
    }

    [Theory]
    [InlineData("evaluate")]
    [InlineData("evaluate", "--weights", "W.mat")]
    [InlineData("evaluate", "--data", "D.mat")]
    public void MissingOptionsAreUsageErrors(params string[] args)
    {
        var r = CliHarness.Run(args);
        Assert.Equal(2, r.ExitCode);
        Assert.Equal("", r.Stdout);
        Assert.Single(r.Stderr.TrimEnd().Split('\n'));
    }

    [Fact]
    public void MissingDataFileIsAUsageError()
    {
        using var dir = new TempDir();
        var r = CliHarness.Run("evaluate", "--data", dir.File("absent.mat"), "--weights", Weights);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("absent.mat", r.Stderr);
    }
}
