namespace Backprop.Training.Schedules;

/// <summary>rate = lr in every epoch (scikit-learn <c>learning_rate='constant'</c>).</summary>
public sealed class ConstantSchedule(double lr, StallRule? stall = null) : LearningRateSchedule(lr, stall)
{
    public override string Name => "constant";

    private protected override string? Advance(long samplesSeen, double cost) => null;

    private protected override double Resumed(long samplesSeen, double? savedRate) => InitialRate;

    public override string ToString() => Name;
}
