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
            var s = kind switch
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
