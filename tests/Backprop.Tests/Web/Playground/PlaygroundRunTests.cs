using System.Text.Json;
using Backprop.Experiments;
using Backprop.Web.Playground;

namespace Backprop.Tests.Web.Playground;

public class PlaygroundRunTests
{
    private static async Task<PlaygroundRun> TrainToTheEnd(PlaygroundRuns runs, PlaygroundConfig config)
    {
        var run = runs.Create(config);
        Assert.True(run.Attach());
        run.Play();
        await run.Finished.WaitAsync(TimeSpan.FromSeconds(60));
        return run;
    }

    [Theory]
    [InlineData("spiral")]
    [InlineData("flower")]
    public async Task APresetRunTrainsExactlyAsBackpropTrainPreset(string name)
    {
        // The same preset, shortened, through the CLI's path (Experiment.Run) and through the playground: bit-identical weights.
        var preset = Presets.Get(name);
        const int epochs = 400;
        var expected = Experiment.Run(preset.WithEpochs(epochs));
        var run = await TrainToTheEnd(new PlaygroundRuns(new PlaygroundLimits()), PlaygroundConfig.FromPreset(preset) with { Epochs = epochs });
        Assert.Equal(RunState.Done, run.State);
        Assert.Equal(epochs, run.Epoch);
        var model = run.SnapshotModel();
        Assert.Equal(expected.Model.ParametersAsDoubles(), model.ParametersAsDoubles());
        Assert.Equal(expected.TrainAccuracy, double.Parse(model.Metadata["train_accuracy"], System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(expected.Model.Spec, model.Spec);
    }

    [Fact]
    public void TheClassifierIsTheLibrarysPipelineWithThePagesSettings()
    {
        var flower = PlaygroundConfig.FromPreset(Presets.Get("flower")).Classifier();
        Assert.Equal("flower", flower.WeightsAfterData);
        Assert.True(flower.SharedRandomStream);   // the notebook's one generator: data, weights, then shuffles
        Assert.Equal(Backprop.Models.Precision.Float64, flower.Precision);
        Assert.Equal(Backprop.Layers.Activation.Softmax, flower.Output);
        var custom = new PlaygroundConfig { Data = "circle", Hidden = [5, 3], Seed = 9 }.Classifier();
        Assert.Null(custom.WeightsAfterData);
        Assert.False(custom.SharedRandomStream);
        Assert.Equal([5, 3], custom.HiddenLayers);
        Assert.Equal(9, custom.Seed);
    }

    [Fact]
    public async Task ARunStopsAtTheTimeLimitAndSaysSo()
    {
        var runs = new PlaygroundRuns(new PlaygroundLimits { MaxSeconds = 0.2 });
        var run = await TrainToTheEnd(runs, new PlaygroundConfig { Data = "circle", Hidden = [16], Epochs = 100_000 });
        Assert.Equal(RunState.Done, run.State);
        Assert.InRange(run.Epoch, 1, 99_999);
        Assert.Contains("time limit of 0.2 s", run.StopReason);
    }

    [Fact]
    public async Task StepTrainsOneEpochAtATime()
    {
        var runs = new PlaygroundRuns(new PlaygroundLimits());
        var run = runs.Create(new PlaygroundConfig { Data = "xor", Hidden = [4], Epochs = 50 });
        Assert.True(run.Attach());
        Assert.False(run.Attach());   // one page per run
        for (int k = 1; k <= 3; k++)
        {
            run.Step();
            var deadline = DateTime.UtcNow.AddSeconds(10);
            while (run.Epoch < k && DateTime.UtcNow < deadline) await Task.Delay(10);
            await Task.Delay(50);
            Assert.Equal(k, run.Epoch);
            Assert.Equal(RunState.Paused, run.State);
        }
        runs.Remove(run.Id);
        await run.Finished.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(3, run.Epoch);
        Assert.Equal(0, runs.Count);
    }

    [Theory]
    [InlineData("""{"data": "rings"}""", "data: expected one of flower, spiral, circle, xor, gauss, moons or csv, got 'rings'.")]
    [InlineData("""{"hidden": [4, 0]}""", "hidden[1]: expected 1..128 units, got 0.")]
    [InlineData("""{"hidden": [1, 1, 1, 1, 1, 1, 1]}""", "hidden: at most 6 hidden layers, got 7.")]
    [InlineData("""{"activation": "softplus"}""", "activation: expected relu, tanh or sigmoid, got 'softplus'.")]
    [InlineData("""{"optimizer": "lbfgs"}""", "optimizer: expected gd, sgd, momentum or adam, got 'lbfgs'.")]
    [InlineData("""{"learningRate": -1}""", "learningRate: expected a number in (0, 100], got -1.")]
    [InlineData("""{"points": 100000}""", "points: expected a whole number in 20..2000, got 100000.")]
    [InlineData("""{"epochs": 1e9}""", "epochs: expected a whole number in 1..100000, got 1e9.")]
    [InlineData("""{"data": "csv"}""", "csv: data 'csv' needs the file's text in \"csv\" (rows of x, y, label).")]
    [InlineData("""{"init": "zeros"}""", "init: Unknown initializer 'zeros'")]
    [InlineData("""[1, 2]""", "Expected a JSON object of playground settings")]
    public void BadSettingsAreRefusedNamingTheField(string json, string message)
    {
        using var doc = JsonDocument.Parse(json);
        var e = Assert.Throws<PlaygroundConfigException>(() => PlaygroundConfig.Parse(doc.RootElement, new PlaygroundLimits()));
        Assert.StartsWith(message, e.Message);
    }

    [Fact]
    public void TheServerRefusesRunsBeyondItsLimit()
    {
        var runs = new PlaygroundRuns(new PlaygroundLimits { MaxRuns = 2 });
        runs.Create(new PlaygroundConfig { Data = "gauss" });
        runs.Create(new PlaygroundConfig { Data = "gauss" });
        var e = Assert.Throws<PlaygroundBusyException>(() => runs.Create(new PlaygroundConfig { Data = "gauss" }));
        Assert.Contains("2 playground runs are open", e.Message);
    }
}
