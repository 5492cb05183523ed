using Backprop.Data.Builtin;
using Backprop.Data.Formats;
using Backprop.Data.Formats.Mat;

namespace Backprop.Tests.Cli;

/// <summary>The course's data and weights as built-ins: evaluate and verify with no files, export-data, the pixel order.</summary>
public class Ex4DataCliTests
{
    [Fact]
    public void EvaluateWithNoFilesGivesThePublishedCostsAndAccuracy()
    {
        var r = CliHarness.Run("evaluate", "--data", "ex4data1", "--weights", "ex4weights", "--json");
        Assert.True(r.ExitCode == 0, r.Stderr);
        var j = r.Json();
        Assert.Equal(0.287629, j.GetProperty("cost").GetDouble(), 1e-6);
        Assert.Equal(0.9752, j.GetProperty("accuracy").GetDouble(), 1e-12);
        var r1 = CliHarness.Run("evaluate", "--data", "ex4data1", "--weights", "ex4weights", "--lambda", "1", "--json");
        Assert.Equal(0.383770, r1.Json().GetProperty("cost").GetDouble(), 1e-6);
    }

    [Fact]
    public void VerifyWithNoArgumentsPassesEveryCheckpoint()
    {
        var r = CliHarness.Run("verify", "--json");
        Assert.True(r.ExitCode == 0, r.Stdout + r.Stderr);
        var j = r.Json();
        Assert.True(j.GetProperty("passed").GetBoolean());
        Assert.Equal(8, j.GetProperty("checkpoints").GetArrayLength());
    }

    [Fact]
    public void TransposedImagesAreRecognisedAndExplained()
    {
        using var dir = new TempDir();
        var (x, y) = Ex4Data.Build(BuiltinData.FindDataDirectory());
        // The seed's loader bug: every 20x20 image transposed.
        var t = Backprop.Data.Preprocessing.Images.ColumnMajorToRowMajor(x, 5000, 20, 20);
        string path = dir.File("transposed.mat");
        MatFile.Write(path, [new Backprop.Data.NDArray("X", "double", [5000, 400], t), new Backprop.Data.NDArray("y", "double", [5000, 1], y)]);

        var e = CliHarness.Run("evaluate", "--data", path, "--weights", "ex4weights", "--json");
        Assert.Equal(5.830351, e.Json().GetProperty("cost").GetDouble(), 1e-6);   // the figure seed 000 printed
        var e1 = CliHarness.Run("evaluate", "--data", path, "--weights", "ex4weights", "--lambda", "1", "--json");
        Assert.Equal(5.926492, e1.Json().GetProperty("cost").GetDouble(), 1e-6);
        var fixedOrder = CliHarness.Run("evaluate", "--data", path, "--weights", "ex4weights", "--pixel-order", "row", "--json");
        Assert.Equal(0.287629, fixedOrder.Json().GetProperty("cost").GetDouble(), 1e-6);

        var v = CliHarness.Run("verify", "--data", path);
        Assert.Equal(1, v.ExitCode);
        Assert.Contains("TRANSPOSED  cost at the loaded parameters (λ = 0)", v.Stdout);
        Assert.Contains("transposed (row by row)", v.Stdout);
    }

    [Theory]
    [InlineData("ex4data1.mat")]
    [InlineData("ex4data1.npz")]
    public void ExportDataWritesTheCoursesFile(string name)
    {
        using var dir = new TempDir();
        string path = dir.File(name);
        var r = CliHarness.Run("export-data", "ex4data1", "--out", path);
        Assert.True(r.ExitCode == 0, r.Stderr);
        var contents = DataFiles.Read(path);
        var (x, y) = Ex4Data.Build(BuiltinData.FindDataDirectory());
        Assert.Equal([5000, 400], contents.Get("X").Shape);
        Assert.Equal(x, contents.Get("X").ToDoubles());
        Assert.Equal(y, contents.Get("y").ToDoubles());
        // The written file is what evaluate reads as the course's file.
        var e = CliHarness.Run("evaluate", "--data", path, "--weights", "ex4weights", "--json");
        Assert.Equal(0.9752, e.Json().GetProperty("accuracy").GetDouble(), 1e-12);
    }

    [Fact]
    public void ExportDataWritesCsvThatTrainReads()
    {
        using var dir = new TempDir();
        string path = dir.File("flower.csv");
        Assert.Equal(0, CliHarness.Run("export-data", "flower", "--out", path).ExitCode);
        var d = CsvFile.ReadDataset(path);
        var flower = BuiltinData.Load("flower").Train;
        Assert.Equal((400, 2), (d.Count, d.FeatureCount));
        Assert.Equal(flower.Features, d.Features);
        Assert.Equal(flower.Labels, d.Labels);
        Assert.Equal(2, CliHarness.Run("export-data", "flower", "--out", dir.File("x.txt")).ExitCode);
        Assert.Equal(2, CliHarness.Run("export-data", "nosuch", "--out", path).ExitCode);
    }
}
