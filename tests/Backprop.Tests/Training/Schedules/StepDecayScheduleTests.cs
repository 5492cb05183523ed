using Backprop.Training;
using Backprop.Training.Schedules;

namespace Backprop.Tests.Training.Schedules;

public class StepDecayScheduleTests
{
    [Fact]
    public void MultipliesByTheFactorEveryPeriod()
    {
        var s = new StepDecaySchedule(0.001, 0.3, 2);
        var expected = Enumerable.Range(1, 5).Select(e => 0.001 * Math.Pow(0.3, (e - 1) / 2)).ToArray();
        Assert.Equal(expected, ScheduleTestData.Rates(s, 5));
        Assert.Equal(expected, Enumerable.Range(1, 5).Select(s.RateIn));
        Assert.Equal("step x0.3 every 2 epochs", s.ToString());
        Assert.Equal("step x0.5 every 1 epoch", new StepDecaySchedule(1, 0.5, 1).ToString());
    }

    [Fact]
    public void StopsWhenTheCostStalls()
    {
        Assert.Null(ScheduleTestData.StopEpoch(new StepDecaySchedule(0.1, 0.5, 3)));
        var s = LearningRateSchedule.For(new TrainingOptions { Schedule = ScheduleKind.StepDecay, DecayEvery = 3, StopWhenStalled = 3 });
        Assert.Equal(5, ScheduleTestData.StopEpoch(s));
        Assert.Equal("Training loss did not improve more than tol=0.000100 for 3 consecutive epochs. Stopping.", s.StopReason);
    }

    [Fact]
    public void RejectsABadFactorPeriodOrEpoch()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new StepDecaySchedule(0.1, 1.5, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new StepDecaySchedule(0.1, 0.5, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new StepDecaySchedule(0.1, 0.5, 1).RateIn(0));
    }
}
