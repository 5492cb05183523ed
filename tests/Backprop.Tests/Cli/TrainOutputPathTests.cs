namespace Backprop.Tests.Cli;

public class TrainOutputPathTests
{
    [Theory]
    [InlineData("--out", "DIR")]
    [InlineData("--history", "DIR")]
    [InlineData("--out", "FILE/m.json")]
    [InlineData("--history", "FILE/h.csv")]
    public void AnOutputPathThatCannotBeAFileIsRefusedBeforeTraining(string option, string value)
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File("FILE"), "x");
        string path = value.Replace("DIR", dir.Path).Replace("FILE", dir.File("FILE"));
        string[] args = option == "--out" ? ["--out", path] : ["--out", dir.File("m.json"), "--history", path];
        var r = CliHarness.Run(["train", "--preset", "flower", "--epochs", "1", .. args]);
        Assert.True(r.ExitCode == 2, $"exit {r.ExitCode}: {r.Stderr}");
        Assert.Single(r.Stderr.Trim().Split('\n'));
        Assert.StartsWith($"backprop: {option} {path}:", r.Stderr);
        Assert.DoesNotContain("epoch", r.Stdout);   // refused before training
        Assert.False(File.Exists(dir.File("m.json")));
    }

    [Theory]
    [InlineData("plot", "digits", "--data", "digits", "--out", "FILE/x.png")]
    [InlineData("report", "flower", "--epochs", "2", "--no-sweep", "--out", "FILE/sub")]
    public void PlotAndReportRefuseAnOutputUnderAFileBeforeAnyWork(params string[] args)
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File("FILE"), "x");
        var r = CliHarness.Run(args.Select(a => a.Replace("FILE", dir.File("FILE"))).ToArray());
        Assert.True(r.ExitCode == 2, $"exit {r.ExitCode}: {r.Stderr}");
        Assert.Single(r.Stderr.Trim().Split('\n'));
        Assert.StartsWith($"backprop: --out {dir.File("FILE")}/", r.Stderr);
        Assert.Contains("is a file, not a directory", r.Stderr);
        Assert.Equal("", r.Stdout);
    }
}
