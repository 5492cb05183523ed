using Backprop.Experiments;
using Backprop.Models;
using Backprop.Training;

namespace Backprop.Tests.Experiments;

/// <summary>The <c>record</c> preset: its recipe, and a shortened run (the full run is recorded in docs/experiments.md).</summary>
public class RecordPresetTests
{
    [Fact]
    public void RecordIsRegisteredWithItsRecipeAndTarget()
    {
        var p = Presets.Get("record");
        Assert.Same(Presets.Record, p);
        p.Validate();
        Assert.Equal("mnist", p.Data);
        Assert.Equal([800], p.HiddenLayers);
        Assert.Equal(Precision.Float32, p.Precision);
        var t = p.Training;
        Assert.Equal((OptimizerKind.Adam, ScheduleKind.Cosine, 300, 100), (t.Optimizer, t.Schedule, t.Epochs, t.BatchSize));
        Assert.Equal((5.0, 36.0, 7.5, 0.075), (t.ElasticSigma, t.ElasticAlpha, t.ElasticRotation, t.ElasticScale));
        Assert.Equal(AveragingKind.Ema, t.Averaging);
        Assert.False(t.TrackTrainAccuracy);
        Assert.Contains("schedule=cosine augment=elastic:5,36,7.5,0.075 average=ema:0.999 train-accuracy=off", t.ToString());
        Assert.Empty(p.SeedFigures);
        Assert.Equal(new ExperimentTarget("test_accuracy", 0.993, 600, p.Target!.Note), p.Target);
    }

    [Fact]
    public void ShortenedRunOnTheDigitsDistortsLearnsAndSkipsTheTrainingPass()
    {
        var record = Presets.Record.WithEpochs(3);
        var r = Experiment.Run(record with { Data = "digits", Training = record.Training with { ElasticSigma = 1, ElasticAlpha = 1.5, AveragingDecay = 0.9 } });
        Assert.Equal([64, 800, 10], r.Model.Spec.LayerSizes);
        Assert.Equal((8, 8), r.Preset.Training.ImageSize);
        Assert.Equal(3, r.History.Count);
        Assert.All(r.History, e => Assert.Null(e.TrainAccuracy));
        Assert.True(r.History[^1].Cost < r.History[0].Cost, $"cost {r.History[0].Cost} → {r.History[^1].Cost}");
        Assert.True(r.ValidAccuracy > 0.5, $"validation accuracy {r.ValidAccuracy:P1} (chance: 10 %)");
        Assert.Contains("augment=elastic:1,1.5,7.5,0.075", r.Model.Metadata["training"]);
    }
}
