using System.CommandLine;
using Backprop.Cli;
using Backprop.Experiments;
using Backprop.Models;
using Backprop.Numerics;
using Backprop.Training;

namespace Backprop.Tests.Cli;

public class ExperimentOptionsTests
{
    private static (ExperimentOptions Options, ParseResult Parse) Parsed(params string[] args)
    {
        var x = new ExperimentOptions();
        var command = new Command("train");
        x.AddTo(command, null);
        return (x, command.Parse(args));
    }

    [Fact]
    public void ApplyGivesAWithCopyOfThePresetAndLeavesTheThreadsAlone()
    {
        var (x, parse) = Parsed("--epochs", "200", "--seed", "3", "--lr", "0.01", "--scaling", "standardize", "--output", "sigmoid",
            "--precision", "double", "--valid", "0.2", "--threads", "1", "--stop-when-stalled", "4");
        int threads = Parallelism.MaxThreads;
        var p = x.Apply(parse, Presets.Default);
        Assert.Equal(threads, Parallelism.MaxThreads);
        var expected = Presets.Default.WithEpochs(200).WithSeed(3);
        Assert.Equal(expected.Training with { LearningRate = 0.01, StopWhenStalled = 4 }, p.Training);
        Assert.Equal(83, p.Training.DecayEvery);   // the main job's period scales with the epochs
        Assert.Equal(expected with
        {
            Training = p.Training, Scaling = Scaling.Standardize, FileScaling = Scaling.Standardize, OutputActivation = Backprop.Layers.Activation.Sigmoid,
            Loss = null, Precision = Precision.Float64, Split = expected.Split with { ValidFraction = 0.2 },
        }, p);
    }

    [Fact]
    public void AnExplicitDecayPeriodWinsAndBadValuesAreUsageErrors()
    {
        var (x, parse) = Parsed("--epochs", "200", "--decay-every", "7");
        Assert.Equal(7, x.Apply(parse, Presets.Default).Training.DecayEvery);
        var (y, bad) = Parsed("--scaling", "unit");
        Assert.StartsWith("--scaling: Unknown scaling 'unit'", Assert.Throws<UsageException>(() => y.Apply(bad, Presets.Default)).Message);
        var (z, badPrecision) = Parsed("--precision", "half");
        Assert.Equal("--precision: Unknown precision 'half': expected float32 or float64.", Assert.Throws<UsageException>(() => z.Apply(badPrecision, Presets.Default)).Message);
    }

    [Fact]
    public void ApplyThreadsSetsTheThreadCountWhenTheCommandRuns()
    {
        int saved = Parallelism.MaxThreads;
        try
        {
            var (x, parse) = Parsed("--threads", "1");
            x.ApplyThreads(parse);
            Assert.Equal(1, Parallelism.MaxThreads);
        }
        finally { Parallelism.MaxThreads = saved; }
    }
}
