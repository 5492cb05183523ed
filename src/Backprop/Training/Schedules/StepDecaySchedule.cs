using System.Globalization;

namespace Backprop.Training.Schedules;

/// <summary>
/// Step decay: in epoch e (1-based) the rate is lr·factor^⌊(e − 1)/every⌋ — PyTorch's <c>StepLR(step_size=every,
/// gamma=factor)</c> stepped once per epoch; every = 1 is <c>ExponentialLR(gamma=factor)</c>.
/// </summary>
public sealed class StepDecaySchedule : EpochSchedule
{
    public StepDecaySchedule(double lr, double factor, int every, StallRule? stall = null) : base(lr, stall)
    {
        if (!(factor > 0 && factor <= 1)) throw new ArgumentOutOfRangeException(nameof(factor), factor, "The decay factor must be in (0, 1].");
        if (every < 1) throw new ArgumentOutOfRangeException(nameof(every), $"The decay period must be at least 1 epoch, got {every}.");
        Factor = factor;
        Every = every;
        Rate = FirstRate;
    }

    public override string Name => "step";
    public double Factor { get; }
    /// <summary>The period in epochs.</summary>
    public int Every { get; }

    private protected override double RateAt(int epoch) => InitialRate * Math.Pow(Factor, (epoch - 1) / Every);

    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"step x{Factor} every {Every} epoch{(Every == 1 ? "" : "s")}");
}
