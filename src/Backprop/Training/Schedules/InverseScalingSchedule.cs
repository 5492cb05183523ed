using System.Globalization;

namespace Backprop.Training.Schedules;

/// <summary>
/// rate = lr / (t + 1)^power_t after each epoch, t = the training samples seen so far (scikit-learn
/// <c>learning_rate='invscaling'</c>, <c>SGDOptimizer.iteration_ends</c>); the first epoch runs at lr.
/// </summary>
public sealed class InverseScalingSchedule : LearningRateSchedule
{
    public InverseScalingSchedule(double lr, double powerT = 0.5, StallRule? stall = null) : base(lr, stall)
    {
        if (!double.IsFinite(powerT)) throw new ArgumentOutOfRangeException(nameof(powerT), powerT, "power_t must be finite.");
        PowerT = powerT;
    }

    public override string Name => "invscaling";
    public double PowerT { get; }

    private protected override string? Advance(long samplesSeen, double cost)
    {
        Rate = RateAfter(samplesSeen);
        return null;
    }

    private double RateAfter(long samplesSeen) => InitialRate / Math.Pow(samplesSeen + 1, PowerT);

    private protected override double Resumed(long samplesSeen, double? savedRate) => savedRate ?? RateAfter(samplesSeen);

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"invscaling power {PowerT}");
}
