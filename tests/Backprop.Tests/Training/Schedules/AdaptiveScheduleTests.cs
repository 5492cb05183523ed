using Backprop.Training;
using Backprop.Training.Schedules;

namespace Backprop.Tests.Training.Schedules;

public class AdaptiveScheduleTests
{
    [Fact]
    public void DividesByFiveOnEachPlateauAndStopsWhenTheRateIsTooSmall()
    {
        // A plateau of 2: the first epoch improves on +∞, then the third epoch in a row without improvement divides.
        var s = new AdaptiveSchedule(1e-5);
        var rates = ScheduleTestData.Rates(s, 10);
        Assert.Equal([1e-5, 1e-5, 1e-5, 1e-5, 2e-6, 2e-6, 2e-6, 4e-7, 4e-7, 4e-7], rates, (a, b) => Math.Abs(a - b) <= 1e-20);
        Assert.True(s.ShouldStop);   // the third plateau, at 4e-7 ≤ 1e-6
        Assert.Equal("Training loss did not improve more than tol=0.000100 for 2 consecutive epochs. Learning rate too small. Stopping.", s.StopReason);
        Assert.Equal(3, s.Plateau.Count);
    }

    [Fact]
    public void AStallRuleStopsItWhateverTheRate()
    {
        // Without one, a stalled cost only divides the rate: from 0.1 eight plateaus bring it to 2.56e-7, the ninth stops.
        Assert.Equal(28, ScheduleTestData.StopEpoch(new AdaptiveSchedule(0.1)));
        var s = LearningRateSchedule.For(new TrainingOptions { Schedule = ScheduleKind.Adaptive, LearningRate = 0.1, StopWhenStalled = 4 });
        Assert.Equal(6, ScheduleTestData.StopEpoch(s));   // the stall rule's count does not restart when the rate is divided (epoch 4)
        Assert.Equal(0.02, s.Rate, 15);
        Assert.Equal("Training loss did not improve more than tol=0.000100 for 4 consecutive epochs. Stopping.", s.StopReason);
    }

    [Fact]
    public void ResetRestoresTheRateAndThePlateau()
    {
        var s = new AdaptiveSchedule(0.1);
        ScheduleTestData.Rates(s, 4);
        Assert.Equal(0.02, s.Rate, 15);
        s.Reset();
        Assert.Equal((0.1, 0, double.PositiveInfinity, false), (s.Rate, s.Plateau.Count, s.Plateau.BestCost, s.ShouldStop));
    }
}
