namespace Backprop.Training.Schedules;

/// <summary>
/// A schedule whose rate is a closed form of the epoch alone (<see cref="StepDecaySchedule"/>, <see cref="CosineSchedule"/>):
/// epoch e (1-based) runs at <see cref="RateIn"/>(e), whatever the costs, so a resumed run needs only the epoch.
/// </summary>
public abstract class EpochSchedule : LearningRateSchedule
{
    private protected EpochSchedule(double initialRate, StallRule? stall) : base(initialRate, stall) { }

    /// <summary>The rate in epoch <paramref name="epoch"/> (1-based).</summary>
    public double RateIn(int epoch)
    {
        if (epoch < 1) throw new ArgumentOutOfRangeException(nameof(epoch), $"Epochs count from 1, got {epoch}.");
        return RateAt(epoch);
    }

    /// <summary>The closed form, for an epoch ≥ 1.</summary>
    private protected abstract double RateAt(int epoch);

    private protected override double FirstRate => RateIn(1);

    private protected override string? Advance(long samplesSeen, double cost)
    {
        Rate = RateIn(EpochsDone + 1);
        return null;
    }

    private protected override double Resumed(long samplesSeen, double? savedRate) => RateIn(EpochsDone + 1);
}
