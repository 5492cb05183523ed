using Backprop.Training.Schedules;

namespace Backprop.Tests.Training.Schedules;

public class StallRuleTests
{
    [Fact]
    public void StallsAfterMoreThanNEpochsWithoutAnImprovementByTol()
    {
        var rule = new StallRule(2, tolerance: 0.1);
        rule.Update(1.0);                          // best +∞ → 1.0: an improvement
        Assert.Equal((1.0, 0, false), (rule.BestCost, rule.Count, rule.IsStalled));
        rule.Update(0.95);                         // better, but not by tol: counts, and is the new best
        rule.Update(0.95);
        Assert.Equal((0.95, 2, false), (rule.BestCost, rule.Count, rule.IsStalled));
        rule.Update(0.9);                          // 0.9 > 0.95 − 0.1: the third epoch in a row
        Assert.Equal((0.9, 3, true), (rule.BestCost, rule.Count, rule.IsStalled));
        Assert.Equal("Training loss did not improve more than tol=0.100000 for 2 consecutive epochs.", rule.Message);
    }

    [Fact]
    public void AnImprovementByTolOrANaNCostRestartsTheCount()
    {
        var rule = new StallRule(1);
        rule.Update(1.0);
        rule.Update(1.0);
        Assert.Equal(1, rule.Count);
        rule.Update(0.5);
        Assert.Equal(0, rule.Count);
        rule.Update(0.5);
        rule.Update(double.NaN);                   // compares false, as in scikit-learn
        Assert.Equal((0.5, 0), (rule.BestCost, rule.Count));
    }

    [Fact]
    public void RestartCountKeepsTheBestAndResetForgetsIt()
    {
        var rule = new StallRule(3);
        rule.Update(2.0);
        rule.Update(2.0);
        rule.RestartCount();
        Assert.Equal((2.0, 0), (rule.BestCost, rule.Count));
        rule.Update(2.0);
        rule.Reset();
        Assert.Equal((double.PositiveInfinity, 0), (rule.BestCost, rule.Count));
    }

    [Fact]
    public void InvalidArgumentsThrow()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new StallRule(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new StallRule(1, -1e-4));
        Assert.Throws<ArgumentOutOfRangeException>(() => new StallRule(1, double.NaN));
    }
}
