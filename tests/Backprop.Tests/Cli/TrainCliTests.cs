namespace Backprop.Tests.Cli;

public class TrainCliTests
{
    [Fact]
    public void TrainOnDigitsPrintsOneJsonObjectAndSavesTheModel()
    {
        using var dir = new TempDir();
        var model = dir.File("digits.json");
        var history = dir.File("history.csv");
        var r = CliHarness.Run("train", "--data", "digits", "--layers", "64,20,10", "--epochs", "4", "--lr", "0.01",
            "--out", model, "--history", history, "--json");
        Assert.True(r.ExitCode == 0, r.Stderr);
        var j = r.Json();
        Assert.Equal(4, j.GetProperty("epochs").GetInt32());
        Assert.Equal(4, j.GetProperty("history").GetArrayLength());
        Assert.True(j.GetProperty("train_accuracy").GetDouble() > 0.85);
        Assert.True(j.GetProperty("valid_accuracy").GetDouble() > 0.8);
        Assert.Equal(System.Text.Json.JsonValueKind.Null, j.GetProperty("test_accuracy").ValueKind);
        Assert.Equal(Path.GetFullPath(model), j.GetProperty("model").GetString());
        var first = j.GetProperty("history")[0];
        foreach (var key in new[] { "epoch", "cost", "train_accuracy", "valid_accuracy", "seconds" }) Assert.True(first.TryGetProperty(key, out _), key);
        Assert.True(File.Exists(model));
        Assert.Equal(5, File.ReadAllLines(history).Length);

        var e = CliHarness.Run("evaluate", "--model", model, "--data", "digits", "--json");
        Assert.True(e.ExitCode == 0, e.Stderr);
        Assert.Equal(1797, e.Json().GetProperty("samples").GetInt32());
        Assert.True(e.Json().GetProperty("accuracy").GetDouble() is > 0.85 and <= 1);
        Assert.Equal("all", e.Json().GetProperty("split").GetString());
        var text = CliHarness.Run("evaluate", "--model", model, "--data", "digits");
        Assert.Contains("Accuracy: ", text.Stdout);
        Assert.Contains("(all 1797 samples of digits, which has no separate test split)", text.Stdout);
    }

    [Fact]
    public void TncRunsWithEpochsAsItsEvaluationBudget()
    {
        // A budget smaller than one Newton iteration (50 Hessian products for this network) leaves no epoch but valid output.
        var tiny = CliHarness.Run("train", "--data", "digits", "--layers", "64,16,10", "--optimizer", "tnc", "--epochs", "20", "--json");
        Assert.True(tiny.ExitCode == 0, tiny.Stderr);
        Assert.True(double.IsFinite(tiny.Json().GetProperty("final_cost").GetDouble()));

        var r = CliHarness.Run("train", "--data", "digits", "--layers", "64,16,10", "--optimizer", "tnc", "--epochs", "200", "--lambda", "1", "--json");
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Contains("200 function evaluations", r.Json().GetProperty("stop_reason").GetString(), StringComparison.Ordinal);
        var history = r.Json().GetProperty("history");
        Assert.InRange(history.GetArrayLength(), 2, 199);   // Newton iterations within 200 function evaluations
        Assert.True(history[history.GetArrayLength() - 1].GetProperty("cost").GetDouble() < history[0].GetProperty("cost").GetDouble());
    }

    [Fact]
    public void ADivergingRunExits1WithAMessageAndSavesNothing()
    {
        using var dir = new TempDir();
        var model = dir.File("diverged.json");
        var r = CliHarness.Run("train", "--data", "digits", "--layers", "64,20,10", "--epochs", "3", "--lr", "1e9", "--out", model);
        Assert.Equal(1, r.ExitCode);
        Assert.Single(r.Stderr.Trim().Split('\n'));
        Assert.StartsWith("backprop: Training diverged in epoch 1", r.Stderr);
        Assert.Contains("Lower the learning rate", r.Stderr);
        Assert.DoesNotContain("completed", r.Stdout);
        Assert.False(File.Exists(model));
    }

    [Fact]
    public void AnUnwritableOutPathFailsBeforeTraining()
    {
        var r = CliHarness.Run("train", "--data", "digits", "--layers", "64,20,10", "--epochs", "50", "--out", "/proc/backprop-model.json");
        Assert.Equal(2, r.ExitCode);
        Assert.StartsWith("backprop: --out /proc/backprop-model.json: cannot write it", r.Stderr);
        Assert.DoesNotContain("epoch", r.Stdout);
    }

    [Fact]
    public void AModelTooLargeToSaveIsRefusedBeforeTraining()
    {
        using var dir = new TempDir();
        var r = CliHarness.Run("train", "--data", "digits", "--layers", "64,600000,10", "--out", dir.File("big.json"));
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("has 45,000,010 float32 parameters; a model file holds at most 31,249,999 float32 parameters: use fewer units.", r.Stderr);
        Assert.DoesNotContain("epoch", r.Stdout);
    }

    [Theory]
    [InlineData("--epochs", "-1")]
    [InlineData("--data", "no-such-data")]
    [InlineData("--layers", "63,20,10")]
    [InlineData("--layers", "64,20,9")]
    [InlineData("--optimizer", "rmsprop")]
    [InlineData("--precision", "float16")]
    public void BadOptionsGiveOneLineAndExitCode2(string option, string value)
    {
        var r = CliHarness.Run("train", "--data", "digits", option, value);
        Assert.Equal(2, r.ExitCode);
        Assert.Single(r.Stderr.Trim().Split('\n'));
        Assert.StartsWith("backprop:", r.Stderr);
    }
}
