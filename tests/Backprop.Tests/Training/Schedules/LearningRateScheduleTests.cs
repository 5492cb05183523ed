using Backprop.Tests.Training.Optimizers;
using Backprop.Training.Schedules;

namespace Backprop.Tests.Training.Schedules;

/// <summary>Rates and stopping epochs vs. scikit-learn's SGDOptimizer schedules + _update_no_improvement_count (Fixtures/optim/schedules.json).</summary>
public class LearningRateScheduleTests
{
    [Fact]
    public void MatchesSklearnEpochEndLogic()
    {
        using var doc = OptimFixtures.Load("schedules.json");
        var seqs = doc.RootElement.GetProperty("costSequences");
        int cases = 0;
        foreach (var c in doc.RootElement.GetProperty("cases").EnumerateArray())
        {
            var costs = OptimFixtures.Doubles(seqs.GetProperty(c.GetProperty("costs").GetString()!));
            double lr = c.GetProperty("lr").GetDouble(), tol = c.GetProperty("tol").GetDouble(), powerT = c.GetProperty("powerT").GetDouble();
            int n = c.GetProperty("nIterNoChange").GetInt32(), batch = c.GetProperty("batch").GetInt32();
            string kind = c.GetProperty("schedule").GetString()!;
            LearningRateSchedule s = kind switch
            {
                "constant" => LearningRateSchedule.Constant(lr, tol, n),
                "invscaling" => LearningRateSchedule.InverseScaling(lr, powerT, tol, n),
                _ => LearningRateSchedule.Adaptive(lr, tol, n),
            };
            string label = $"{c.GetProperty("costs").GetString()}/{kind}/lr={lr}/n={n}";
            var expectedRates = OptimFixtures.Doubles(c.GetProperty("rates"));
            var stop = c.GetProperty("stoppedAtEpoch");
            int? stoppedAt = stop.ValueKind == System.Text.Json.JsonValueKind.Null ? null : stop.GetInt32();

            for (int round = 0; round < 2; round++)   // second round after Reset must repeat the first
            {
                Assert.Equal(lr, s.Rate);
                Assert.False(s.ShouldStop);
                long t = 0;
                int? actualStop = null;
                for (int e = 0; e < costs.Length; e++)
                {
                    t += batch;
                    s.EpochEnded(t, costs[e]);
                    Assert.True(OptimFixtures.RelativeError(expectedRates[e], s.Rate) <= 1e-15, $"{label} epoch {e}: rate {s.Rate:R} vs {expectedRates[e]:R}");
                    if (s.ShouldStop) { actualStop = e; break; }
                }
                Assert.Equal(stoppedAt, actualStop);
                Assert.Equal(stoppedAt is null ? null : c.GetProperty("reason").GetString(), s.StopReason);
                s.Reset();
            }
            cases++;
        }
        Assert.True(cases >= 20);
    }

    [Fact]
    public void IntMaxValueNeverStops()
    {
        var s = LearningRateSchedule.Constant(0.1, epochsWithoutImprovement: int.MaxValue);
        var inv = LearningRateSchedule.InverseScaling(0.1, epochsWithoutImprovement: int.MaxValue);
        for (int e = 0; e < 10_000; e++)
        {
            s.EpochEnded(e + 1, 1.0);
            inv.EpochEnded(e + 1, 1.0);
        }
        Assert.False(s.ShouldStop);
        Assert.False(inv.ShouldStop);
        Assert.Null(s.StopReason);
        Assert.Equal(0.1 / Math.Sqrt(10_001), inv.Rate, 1e-15);
    }

    [Fact]
    public void InvalidArgumentsThrow()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => LearningRateSchedule.Constant(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => LearningRateSchedule.Adaptive(0.1, -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => LearningRateSchedule.InverseScaling(0.1, double.NaN));
        Assert.Throws<ArgumentOutOfRangeException>(() => LearningRateSchedule.Adaptive(0.1, 1e-4, 0));
    }
}

/// <summary>The trainer honours <see cref="Backprop.Training.TrainingOptions.StopWhenStalled"/> with every schedule.</summary>
public class LearningRateScheduleStallTests
{
    private static readonly Lazy<Backprop.Data.Dataset> Digits = new(() => Backprop.Data.Builtin.BuiltinData.Load("digits").Train);

    [Theory]
    [InlineData(Backprop.Training.ScheduleKind.Constant)]
    [InlineData(Backprop.Training.ScheduleKind.InverseScaling)]
    [InlineData(Backprop.Training.ScheduleKind.Adaptive)]
    [InlineData(Backprop.Training.ScheduleKind.StepDecay)]
    [InlineData(Backprop.Training.ScheduleKind.Cosine)]
    public void TrainerStopsWhenTheCostStalls(Backprop.Training.ScheduleKind schedule)
    {
        // A rate of 1e-7 barely moves the cost: epoch 1 improves on +∞, epochs 2 and 3 do not improve it by 1e-4.
        var options = new Backprop.Training.TrainingOptions
        {
            Optimizer = Backprop.Training.OptimizerKind.Sgd, Schedule = schedule, LearningRate = 1e-7, Epochs = 30, BatchSize = 200, StopWhenStalled = 1,
        };
        var result = new Backprop.Models.MlpClassifier { HiddenLayers = [8], Training = options, Seed = 1 }.Fit(Digits.Value).Result!;
        Assert.Equal(3, result.Epochs);
        Assert.Equal("Training loss did not improve more than tol=0.000100 for 1 consecutive epochs. Stopping.", result.StopReason);
        var unstopped = new Backprop.Models.MlpClassifier { HiddenLayers = [8], Training = options with { StopWhenStalled = 0, Epochs = 5 }, Seed = 1 }.Fit(Digits.Value).Result!;
        Assert.Equal(schedule == Backprop.Training.ScheduleKind.Adaptive ? 4 : 5, unstopped.Epochs);   // adaptive stops by itself: 1e-7 ≤ 1e-6
    }

    [Fact]
    public void ACheckpointFromBeforeTheStallFieldsResumesTheStallRuleFromTheSchedules()
    {
        // Such a checkpoint kept a constant or invscaling run's stall count in schedule_best_cost / schedule_no_improvement.
        var s = LearningRateSchedule.Constant(0.1, epochsWithoutImprovement: 2);
        s.Restore(epochsDone: 5, samplesSeen: 500, rate: 0.1, ownBest: 0.7, ownCount: 2, stallBest: null, stallCount: null);
        Assert.Equal((0.7, 2, 5), (s.Stall!.BestCost, s.Stall.Count, s.EpochsDone));
        s.EpochEnded(600, 0.7);
        Assert.Equal("Training loss did not improve more than tol=0.000100 for 2 consecutive epochs. Stopping.", s.StopReason);
        var step = new StepDecaySchedule(1, 0.5, 2, new StallRule(3));
        step.Restore(epochsDone: 4, samplesSeen: 400, rate: null, ownBest: null, ownCount: 0, stallBest: 0.5, stallCount: 1);
        Assert.Equal((0.25, 0.5, 1), (step.Rate, step.Stall!.BestCost, step.Stall.Count));   // epoch 5: 1·0.5^2
    }
}
