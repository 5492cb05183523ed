using Backprop.Training;
using Backprop.Training.Schedules;

namespace Backprop.Tests.Training.Schedules;

public class ConstantScheduleTests
{
    [Fact]
    public void KeepsTheRateAndStopsOnlyWithAStallRule()
    {
        Assert.Equal([0.1, 0.1, 0.1], ScheduleTestData.Rates(new ConstantSchedule(0.1), 3));
        Assert.Null(ScheduleTestData.StopEpoch(new ConstantSchedule(0.1)));
        var stalled = new ConstantSchedule(0.1, new StallRule(3));
        Assert.Equal(5, ScheduleTestData.StopEpoch(stalled));   // epoch 1 improves on +∞; epochs 2..5 do not
        Assert.Equal("Training loss did not improve more than tol=0.000100 for 3 consecutive epochs. Stopping.", stalled.StopReason);
    }

    [Fact]
    public void IsWhatTrainingOptionsNameByDefault()
    {
        var s = LearningRateSchedule.For(new TrainingOptions { LearningRate = 0.01 });
        Assert.IsType<ConstantSchedule>(s);
        Assert.Equal(("constant", "constant", 0.01), (s.Name, s.ToString(), s.Rate));
        Assert.Null(s.Stall);
        Assert.Equal(5, LearningRateSchedule.For(new TrainingOptions { StopWhenStalled = 5 }).Stall!.EpochsWithoutImprovement);
    }

    [Fact]
    public void RejectsARateThatIsNotPositive()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new ConstantSchedule(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ConstantSchedule(double.PositiveInfinity));
    }
}
