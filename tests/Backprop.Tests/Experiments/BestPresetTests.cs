using Backprop.Experiments;
using Backprop.Models;
using Backprop.Tests.Cli;
using Backprop.Training;
using Backprop.Training.Schedules;

namespace Backprop.Tests.Experiments;

/// <summary>The <c>best</c> preset: its recipe, and a shortened run (the full run is recorded in docs/experiments.md).</summary>
public class BestPresetTests
{
    [Fact]
    public void BestIsRegisteredWithItsRecipeAndOurOwnTarget()
    {
        var p = Presets.Get("best");
        Assert.Same(Presets.Best, p);
        Assert.Contains("best", Presets.Names);
        p.Validate();
        Assert.Equal("mnist", p.Data);
        Assert.Equal([512, 256], p.HiddenLayers);
        Assert.Equal(Precision.Float32, p.Precision);
        var t = p.Training;
        Assert.Equal(OptimizerKind.Adam, t.Optimizer);
        Assert.Equal(ScheduleKind.Cosine, t.Schedule);
        Assert.Equal(12, t.Epochs);
        Assert.Equal(1, t.ShiftPixels);
        Assert.Equal(0, t.Dropout);
        Assert.Equal(AveragingKind.Ema, t.Averaging);
        Assert.Empty(p.SeedFigures);   // not a seed experiment
        Assert.Equal(new ExperimentTarget("test_accuracy", 0.985, 120, p.Target!.Note), p.Target);
        Assert.Contains("our own target", p.Target.ToString());
    }

    [Fact]
    public void ShortenedRunOnTheDigitsIsWiredAndItsCostFalls()
    {
        // 3 epochs of ~17 batches: an EMA with decay 0.999 would still be 95 % the initial weights, so average faster here.
        var best = Presets.Best.WithEpochs(3);
        var r = Experiment.Run(best with { Data = "digits", Scaling = Scaling.MinMax, Training = best.Training with { AveragingDecay = 0.9 } });
        Assert.Equal([64, 512, 256, 10], r.Model.Spec.LayerSizes);
        Assert.Equal((8, 8), r.Preset.Training.ImageSize);
        Assert.Equal(3, r.History.Count);
        Assert.True(r.History[^1].Cost < r.History[0].Cost, $"cost {r.History[0].Cost} → {r.History[^1].Cost}");
        Assert.Equal(Enumerable.Range(1, 3).Select(new CosineSchedule(0.001, 0, 3).RateIn), r.History.Select(e => e.LearningRate));
        Assert.True(r.ValidAccuracy > 0.5, $"validation accuracy {r.ValidAccuracy:P1} (chance: 10 %)");
        Assert.Contains("schedule=cosine shift=1 average=ema:0.9", r.Model.Metadata["training"]);
        Assert.Null(r.TestAccuracy);   // the digits have no test part
    }

    [Fact]
    public void TrainWithTheBestPresetReportsTheTargetAsOursNotASeedFigure()
    {
        using var dir = new TempDir();
        var r = CliHarness.Run("train", "--preset", "best", "--data", "digits", "--scaling", "minmax", "--epochs", "2", "--out", dir.File("m.json"), "--json");
        Assert.True(r.ExitCode == 0, r.Stderr);
        var j = r.Json();
        Assert.Equal(0, j.GetProperty("seed_figures").GetArrayLength());
        var target = j.GetProperty("target");
        Assert.Equal("test_accuracy", target.GetProperty("metric").GetString());
        Assert.Equal(0.985, target.GetProperty("value").GetDouble());
        Assert.Contains("own target", target.GetProperty("kind").GetString());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, target.GetProperty("ours").ValueKind);   // no test set on the digits
        Assert.False(target.GetProperty("meets").GetBoolean());
        Assert.Contains("shift=1 average=ema:0.999", r.Stderr);

        var text = CliHarness.Run("train", "--preset", "best", "--data", "digits", "--scaling", "minmax", "--epochs", "1", "--out", dir.File("m.json"));
        Assert.True(text.ExitCode == 0, text.Stderr);
        Assert.Contains("target     test_accuracy ≥ 98.50 % in ≤ 120 s (our own target, not a seed figure); not measured by this run", text.Stdout);
    }
}
