using Backprop.Data.Builtin;
using Backprop.Experiments;
using Backprop.Models;
using Backprop.Training;
using Backprop.Training.Schedules;

namespace Backprop.Tests.Experiments;

/// <summary>
/// The main job's recipe: its step decay is visible and scales with --epochs (the default 12 epochs unchanged), and
/// the README's C# snippet that claims the recipe gives the main job's 98.12 %.
/// </summary>
public class DefaultRecipeTests
{
    [Fact]
    public void DecayPeriodScalesWithTheEpochsAndTheDefaultRunIsUnchanged()
    {
        var t = Presets.Default.Training;
        Assert.Equal((ScheduleKind.StepDecay, 0.3, 5, 12), (t.Schedule, t.DecayFactor, t.DecayEvery, t.Epochs));
        Assert.Equal(5, Presets.Default.WithEpochs(12).Training.DecayEvery);
        var long200 = Presets.Default.WithEpochs(200).Training;
        Assert.Equal(83, long200.DecayEvery);
        // Was 0.001·0.3^39 ≈ 4e-24 in epoch 200 (frozen); now the same total decay as the 12-epoch run.
        Assert.Equal(0.001 * 0.3 * 0.3, new StepDecaySchedule(long200.LearningRate, long200.DecayFactor, long200.DecayEvery).RateIn(200), 15);
        Assert.Equal(1, Presets.Default.WithEpochs(2).Training.DecayEvery);
        // An explicit period (set after the epochs, as the command line does) wins; other presets keep theirs.
        var fixedPeriod = Presets.Default.WithEpochs(200);
        Assert.Equal(7, (fixedPeriod with { Training = fixedPeriod.Training with { DecayEvery = 7 } }).Training.DecayEvery);
        Assert.False(Presets.Best.DecayScalesWithEpochs);
    }

    [Fact]
    public void DecayIsVisibleInTheNetworkLineJsonAndModelMetadata()
    {
        Assert.Equal("adam epochs=12 batch=100 lr=0.001 lambda=0 schedule=step(x0.3 every 5 epochs)", Presets.Default.Training.ToString());
        Assert.Equal("step x0.3 every 5 epochs", Presets.Default.Training.ScheduleText());
        var r = Experiment.Run(Presets.Default.WithEpochs(24) with { Data = "digits", HiddenLayers = [8] });
        Assert.Equal("step x0.3 every 10 epochs", r.Model.Metadata["learning_rate_schedule"]);
        Assert.Contains("schedule=step(x0.3 every 10 epochs)", r.Model.Metadata["training"]);
        Assert.Equal(0.001 * 0.3 * 0.3, r.History[^1].LearningRate, 15);
    }

    [Fact]
    public void ReadmeSnippetGivesTheMainJobsTestAccuracy()
    {
        // The snippet as the README shows it (checked verbatim, so the two cannot drift apart) …
        string readme = File.ReadAllText(Path.Combine(Fixture.RepoRoot, "README.md"));
        Assert.Contains("""
            var clf = new MlpClassifier
            {
                HiddenLayers = [256],
                Scaling = Scaling.Pixels,
                ValidationFraction = 1.0 / 12,
                Training = new TrainingOptions                                    // the main job's recipe (Presets.Default)
                {
                    Optimizer = OptimizerKind.Adam, Epochs = 12, LearningRate = 0.001,
                    Schedule = ScheduleKind.StepDecay, DecayFactor = 0.3, DecayEvery = 5,
                },
            };
            """.ReplaceLineEndings("\n"), readme.ReplaceLineEndings("\n"));
        Assert.Contains("98.12 %, as the main job", readme);
        // … run as written.
        var mnist = BuiltinData.Load("mnist");
        var clf = new MlpClassifier
        {
            HiddenLayers = [256],
            Scaling = Scaling.Pixels,
            ValidationFraction = 1.0 / 12,
            Training = new TrainingOptions
            {
                Optimizer = OptimizerKind.Adam, Epochs = 12, LearningRate = 0.001,
                Schedule = ScheduleKind.StepDecay, DecayFactor = 0.3, DecayEvery = 5,
            },
        };
        // The same recipe as the main job (train with no options), so its figure is the main job's too.
        Assert.Equal(Presets.Default.Training, clf.Training);
        Assert.Equal((Presets.Default.HiddenLayers.Single(), Scalings.Resolve(Presets.Default.Scaling, mnist.Train), Presets.Default.Precision, Presets.Default.Seed, Presets.Default.Split.ValidFraction),
                     (clf.HiddenLayers.Single(), clf.Scaling, clf.Precision, clf.Seed, clf.ValidationFraction));
        clf.Fit(mnist.Train);
        Assert.Equal("98.12 %", $"{clf.Score(mnist.Test!):P2}");
    }
}
