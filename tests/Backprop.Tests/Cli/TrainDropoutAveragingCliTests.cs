using Backprop.Models;

namespace Backprop.Tests.Cli;

/// <summary><c>backprop train --dropout / --input-dropout / --shift / --augment / --schedule cosine / --min-lr / --average</c>.</summary>
public class TrainDropoutAveragingCliTests
{
    [Fact]
    public void DropoutCosineAndEmaTrainAndTheSavedModelPredictsAsReported()
    {
        using var dir = new TempDir();
        var model = dir.File("digits.json");
        var r = CliHarness.Run("train", "--data", "digits", "--layers", "64,40,10", "--epochs", "6", "--lr", "0.005",
            "--dropout", "0.2", "--input-dropout", "0.1", "--schedule", "cosine", "--min-lr", "0.0001", "--average", "ema:0.95",
            "--out", model, "--json");
        Assert.True(r.ExitCode == 0, r.Stderr);
        var j = r.Json();
        Assert.Equal(6, j.GetProperty("epochs").GetInt32());
        var history = j.GetProperty("history");
        Assert.True(history[5].GetProperty("cost").GetDouble() < history[0].GetProperty("cost").GetDouble());
        Assert.True(j.GetProperty("valid_accuracy").GetDouble() > 0.85);
        Assert.Contains("dropout=0.2 input-dropout=0.1 average=ema:0.95", r.Stderr);
        Assert.Contains("schedule=cosine", r.Stderr);
        var loaded = Model.Load(model);
        Assert.Contains("dropout=0.2", loaded.Metadata["training"]);
        // What was saved is the averaged network the reported accuracy was measured on.
        var digits = Backprop.Data.Builtin.BuiltinData.Load("digits").Train;
        var (train, _) = Backprop.Data.Preprocessing.Splits.Stratified(digits, 1.0 / 12, 0);
        Assert.Equal(j.GetProperty("train_accuracy").GetDouble(), loaded.Score(train), 12);
    }

    [Theory]
    [InlineData("--dropout", "1")]
    [InlineData("--dropout", "-0.1")]
    [InlineData("--input-dropout", "1.5")]
    [InlineData("--average", "polyak")]
    [InlineData("--average", "ema:2")]
    [InlineData("--average", "swa:0")]
    [InlineData("--average", "swa:99")]
    [InlineData("--schedule", "linear")]
    [InlineData("--min-lr", "0.5")]
    [InlineData("--shift", "-1")]
    [InlineData("--augment", "warp")]
    [InlineData("--augment", "elastic:5")]
    [InlineData("--augment", "elastic:0,36")]
    [InlineData("--augment", "elastic:5,36,7.5,1")]
    public void BadOptionsGiveOneLineAndExitCode2(string option, string value)
    {
        var r = CliHarness.Run("train", "--data", "digits", "--epochs", "3", option, value);
        Assert.Equal(2, r.ExitCode);
        Assert.Single(r.Stderr.Trim().Split('\n'));
        Assert.StartsWith("backprop:", r.Stderr);
        if (option != "--schedule") Assert.Contains(option, r.Stderr);
    }

    [Fact]
    public void ShiftAugmentsImageData()
    {
        using var dir = new TempDir();
        var r = CliHarness.Run("train", "--data", "digits", "--layers", "64,32,10", "--epochs", "3", "--lr", "0.005", "--shift", "1",
            "--out", dir.File("m.json"), "--json");
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Contains("shift=1", r.Stderr);
        var history = r.Json().GetProperty("history");
        Assert.True(history[2].GetProperty("cost").GetDouble() < history[0].GetProperty("cost").GetDouble());
    }

    [Fact]
    public void ShiftOnDataThatAreNotImagesIsAUsageError()
    {
        var r = CliHarness.Run("train", "--data", "flower", "--shift", "1");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("Shift augmentation needs image data", r.Stderr);
    }

    [Fact]
    public void ElasticDistortionAugmentsImageDataAndIsRecordedInTheModel()
    {
        using var dir = new TempDir();
        var model = dir.File("m.json");
        var r = CliHarness.Run("train", "--data", "digits", "--layers", "64,32,10", "--epochs", "3", "--lr", "0.005", "--augment", "elastic:1,2",
            "--out", model, "--json");
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Contains("augment=elastic:1,2,7.5,0.075", r.Stderr);
        Assert.Contains("augment=elastic:1,2,7.5,0.075", r.Json().GetProperty("training").GetString());
        var history = r.Json().GetProperty("history");
        Assert.True(history[2].GetProperty("cost").GetDouble() < history[0].GetProperty("cost").GetDouble());
        Assert.Contains("augment=elastic:1,2,7.5,0.075", Model.Load(model).Metadata["training"]);

        var none = CliHarness.Run("train", "--data", "digits", "--layers", "64,32,10", "--epochs", "1", "--augment", "none", "--json");
        Assert.True(none.ExitCode == 0, none.Stderr);
        Assert.DoesNotContain("augment=", none.Stderr);
    }

    [Fact]
    public void ElasticDistortionOnNonImageDataOrWithAFullBatchMinimizerIsAUsageError()
    {
        var r = CliHarness.Run("train", "--data", "flower", "--augment", "elastic");
        Assert.Equal(2, r.ExitCode);
        Assert.Single(r.Stderr.Trim().Split('\n'));
        Assert.Contains("Elastic distortion needs image data", r.Stderr);
        r = CliHarness.Run("train", "--data", "digits", "--optimizer", "lbfgs", "--augment", "elastic");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("elastic distortion", r.Stderr);
        Assert.Contains("mini-batch", r.Stderr);
    }

    [Fact]
    public void DropoutWithAFullBatchMinimizerIsAUsageError()
    {
        var r = CliHarness.Run("train", "--data", "digits", "--optimizer", "cg", "--dropout", "0.2");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("mini-batch", r.Stderr);
    }
}
