using Backprop.Training;
using Backprop.Training.Schedules;

namespace Backprop.Tests.Training.Schedules;

public class InverseScalingScheduleTests
{
    [Fact]
    public void DividesByTheSamplesSeenToThePowerT()
    {
        var rates = ScheduleTestData.Rates(new InverseScalingSchedule(0.5, 0.25), 3, batch: 80);
        Assert.Equal([0.5, 0.5 / Math.Pow(81, 0.25), 0.5 / Math.Pow(161, 0.25)], rates);
        Assert.Equal("invscaling power 0.25", new InverseScalingSchedule(0.5, 0.25).ToString());
    }

    [Fact]
    public void StopsWithAStallRule()
    {
        Assert.Null(ScheduleTestData.StopEpoch(new InverseScalingSchedule(0.5)));
        Assert.Equal(4, ScheduleTestData.StopEpoch(LearningRateSchedule.For(new TrainingOptions { Schedule = ScheduleKind.InverseScaling, StopWhenStalled = 2 })));
    }

    [Fact]
    public void RejectsANonFiniteExponent() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new InverseScalingSchedule(0.1, double.NaN));
}
