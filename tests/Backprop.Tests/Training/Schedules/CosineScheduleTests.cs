using Backprop.Training;
using Backprop.Training.Schedules;

namespace Backprop.Tests.Training.Schedules;

public class CosineScheduleTests
{
    [Fact]
    public void AnnealsFromTheRateTowardsTheMinimumOverTheRun()
    {
        var s = new CosineSchedule(0.01, 0.001, 4);
        var expected = Enumerable.Range(1, 4).Select(e => 0.01 * ((1 + Math.Cos(Math.PI * (e - 1) / 4)) / 2) + 0.001 * (1 - (1 + Math.Cos(Math.PI * (e - 1) / 4)) / 2)).ToArray();
        Assert.Equal(expected, ScheduleTestData.Rates(s, 4));
        Assert.Equal(0.01, expected[0]);
        Assert.Equal("cosine to 0.001", s.ToString());
    }

    [Fact]
    public void StopsWhenTheCostStalls()
    {
        Assert.Null(ScheduleTestData.StopEpoch(new CosineSchedule(0.1, 0, 100)));
        var s = LearningRateSchedule.For(new TrainingOptions { Schedule = ScheduleKind.Cosine, Epochs = 100, StopWhenStalled = 1 });
        Assert.Equal(3, ScheduleTestData.StopEpoch(s));
        Assert.Equal("Training loss did not improve more than tol=0.000100 for 1 consecutive epochs. Stopping.", s.StopReason);
    }

    [Fact]
    public void RejectsAMinimumAboveTheRateOrAnEmptyRun()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new CosineSchedule(0.01, 0.02, 10));
        Assert.Throws<ArgumentOutOfRangeException>(() => new CosineSchedule(0.01, 0, 0));
    }
}
