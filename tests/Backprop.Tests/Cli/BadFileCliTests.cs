namespace Backprop.Tests.Cli;

/// <summary>Damaged files named on the command line of train, sweep, compare, report, verify and plot.</summary>
public sealed class BadFiles : IDisposable
{
    private readonly TempDir dir = new();
    public string Dir => dir.Path;
    public string File(string name) => dir.File(name);

    public BadFiles()
    {
        const string header = Backprop.Training.TrainingHistory.CsvHeader;
        System.IO.File.WriteAllText(File("nan.csv"), "a,b,label\n1,2,0\nNaN,3,1\n4,5,0\n6,7,1\n");
        System.IO.File.WriteAllBytes(File("garbage.mat"), [0, 1, 2, 3, 0x67, 0x61, 0x72, 0x62, 0x61]);
        System.IO.File.WriteAllText(File("truncated-history.csv"), $"{header}\n1,3.2,0.1,,0.1,0.01\n2,2.4,0.6");
        System.IO.File.WriteAllText(File("nan-history.csv"), $"{header}\n1,NaN,0.5,,0.1,0.01\n2,0.4,0.6,,0.2,0.01\n");
        System.IO.File.WriteAllText(File("overflow-history.csv"), $"{header}\n99999999999,0.5,0.5,,0.1,0.01\n");
        System.IO.File.WriteAllText(File("accuracy-history.csv"), $"{header}\n1,0.5,97.5,,0.1,0.01\n");
        System.IO.File.WriteAllText(File("empty-history.csv"), $"{header}\n");
        System.IO.File.WriteAllText(File("truncated-model.json"), "{ \"format\": \"backprop-model\", \"version\": 1, \"layers\": [64, 25");
    }

    public void Dispose() => dir.Dispose();
}

public class BadFileCliTests(BadFiles files) : IClassFixture<BadFiles>
{
    private static readonly string Weights = Fixture.Path("mat", "corpus", "ex4weights.mat");
    private static readonly string Ex4Format = Fixture.Path("experiments", "ex4_format_digits.mat");

    /// <summary>Each row: the file the message must name, then the arguments (OUT = a fresh output path).</summary>
    public static TheoryData<string, string[]> Cases() => new()
    {
        { "nan.csv", ["train", "--data", "nan.csv", "--epochs", "1", "--out", "OUT"] },
        { "garbage.mat", ["train", "--data", "garbage.mat", "--epochs", "1", "--out", "OUT"] },
        { "nan.csv", ["train", "--data", "digits", "--test", "nan.csv", "--epochs", "1", "--out", "OUT"] },
        { "nan.csv", ["train", "--data", "digits", "--valid", "nan.csv", "--epochs", "1", "--out", "OUT"] },
        { "nan.csv", ["sweep", "--lambda", "0,1", "--data", "nan.csv", "--epochs", "1"] },
        { "garbage.mat", ["sweep", "--hidden", "5,10", "--data", "garbage.mat", "--epochs", "1"] },
        { "nan.csv", ["compare", "ex4", "--data", "nan.csv", "--epochs", "1"] },
        { "garbage.mat", ["compare", "ex4", "--data", "garbage.mat", "--epochs", "1"] },
        { "nan.csv", ["report", "ex4", "--data", "nan.csv", "--epochs", "1", "--out", "OUT"] },
        { "garbage.mat", ["report", "ex4", "--data", "garbage.mat", "--epochs", "1", "--out", "OUT"] },
        { "garbage.mat", ["verify", "--data", "garbage.mat", "--weights", "WEIGHTS"] },
        { "garbage.mat", ["verify", "--data", "EX4FORMAT", "--weights", "garbage.mat"] },
        { "truncated-history.csv", ["plot", "history", "--history", "truncated-history.csv", "--out", "OUT.png"] },
        { "nan-history.csv", ["plot", "history", "--history", "nan-history.csv", "--out", "OUT.png"] },
        { "overflow-history.csv", ["plot", "history", "--history", "overflow-history.csv", "--out", "OUT.png"] },
        { "accuracy-history.csv", ["plot", "history", "--history", "accuracy-history.csv", "--out", "OUT.png"] },
        { "empty-history.csv", ["plot", "history", "--history", "empty-history.csv", "--out", "OUT.png"] },
        { "truncated-model.json", ["plot", "confusion", "--model", "truncated-model.json", "--data", "digits", "--out", "OUT.png"] },
        { "garbage.mat", ["plot", "weights", "--weights", "garbage.mat", "--out", "OUT.png"] },
        { "nan.csv", ["plot", "digits", "--data", "nan.csv", "--out", "OUT.png"] },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void ADamagedFileGivesOneLineNamingItAndExitCode2(string named, string[] args)
    {
        string output = files.File("out-" + Guid.NewGuid().ToString("N"));
        var a = args.Select(x => x switch
        {
            "OUT" => output,
            "OUT.png" => output + ".png",
            "WEIGHTS" => Weights,
            "EX4FORMAT" => Ex4Format,
            _ when x.Contains('.') && System.IO.File.Exists(files.File(x)) => files.File(x),
            _ => x,
        }).ToArray();
        var r = CliHarness.Run(a);
        Assert.True(r.ExitCode == 2, $"exit {r.ExitCode}: {r.Stderr}");
        Assert.Equal("", r.Stdout);
        Assert.Single(r.Stderr.Trim().Split('\n'));
        Assert.StartsWith("backprop: ", r.Stderr);
        Assert.Contains(named, r.Stderr);
        Assert.False(File.Exists(output) || File.Exists(output + ".png") || Directory.Exists(output), "nothing is written");
    }

    [Theory]
    [InlineData("train", "--preset", "nope")]
    [InlineData("sweep", "--preset", "nope", "--lambda", "0")]
    [InlineData("compare", "nope")]
    [InlineData("report", "nope", "--out", "x")]
    public void AnUnknownPresetIsNamedWithoutTheCsharpParameter(params string[] args)
    {
        var r = CliHarness.Run(args);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("'nope'", r.Stderr);
        Assert.Contains("ex4, ex4-gd, ex4-tnc, raschka, flower, spiral, logistic", r.Stderr);
        Assert.DoesNotContain("(Parameter", r.Stderr);
    }
}
