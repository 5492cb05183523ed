using System.Diagnostics;

namespace Backprop.Tests.Cli;

/// <summary>Options that do nothing are warned about, impossible sweeps refused, and an existing model is never replaced silently.</summary>
public class CliTruthfulnessTests
{
    [Theory]
    [InlineData("cg", "--lr", "0.5", "--lr does nothing with cg")]
    [InlineData("lbfgs", "--batch-size", "10", "--batch-size does nothing with lbfgs")]
    [InlineData("adam", "--momentum", "0.5", "--momentum does nothing with adam")]
    [InlineData("gd", "--batch-size", "10", "--batch-size does nothing with gd")]
    [InlineData("sgd", "--min-lr", "0.0001", "--min-lr does nothing with the step schedule")]
    public void OptionThatDoesNothingIsAWarning(string optimizer, string option, string value, string warning)
    {
        using var dir = new TempDir();
        var r = CliHarness.Run("train", "--data", "digits", "--layers", "64,8,10", "--epochs", "1", "--optimizer", optimizer, option, value, "--out", dir.File("m.json"));
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Contains($"backprop: warning: {warning}", r.Stderr);
    }

    [Fact]
    public void OptionsThatActAreNotWarnedAbout()
    {
        using var dir = new TempDir();
        var r = CliHarness.Run("train", "--data", "digits", "--layers", "64,8,10", "--epochs", "1", "--optimizer", "momentum", "--momentum", "0.5", "--lr", "0.01", "--batch-size", "50", "--out", dir.File("m.json"));
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.DoesNotContain("warning", r.Stderr);
    }

    [Fact]
    public void SweepingTheRateOfALineSearchIsAnError()
    {
        var r = CliHarness.Run("sweep", "--lr", "0.1,1");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("--lr: the ex4 preset trains with cg, which has no learning rate", r.Stderr);
    }

    [Fact]
    public void ARunWithoutOutWarnsBeforeReplacingTheModelItWouldOverwrite()
    {
        using var dir = new TempDir();
        string Run()
        {
            var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = dir.Path };
            foreach (var a in new[] { Path.Combine(AppContext.BaseDirectory, "backprop.dll"), "train", "--data", "digits", "--layers", "64,8,10", "--epochs", "1" })
                start.ArgumentList.Add(a);
            using var p = Process.Start(start)!;
            _ = p.StandardOutput.ReadToEndAsync();
            string stderr = p.StandardError.ReadToEnd();
            p.WaitForExit();
            Assert.True(p.ExitCode == 0, stderr);
            return stderr;
        }
        Assert.DoesNotContain("warning", Run());
        Assert.Contains($"backprop: warning: {Path.Combine("models", "digits-mlp.json")} exists and will be replaced by this run's model (give --out to keep it)", Run());
    }
}
