using System.Globalization;

namespace Backprop.Training.Schedules;

/// <summary>
/// Cosine annealing over a run of <see cref="Epochs"/> epochs: in epoch e (1-based) the rate is
/// min + (lr − min)·(1 + cos(π·(e − 1)/epochs))/2, from lr in the first epoch towards min — PyTorch's
/// <c>CosineAnnealingLR(T_max=epochs, eta_min=min)</c> stepped once per epoch.
/// </summary>
public sealed class CosineSchedule : EpochSchedule
{
    public CosineSchedule(double lr, double min, int epochs, StallRule? stall = null) : base(lr, stall)
    {
        if (!(min >= 0 && min <= lr)) throw new ArgumentOutOfRangeException(nameof(min), min, $"The minimum learning rate must be in [0, {lr}].");
        if (epochs < 1) throw new ArgumentOutOfRangeException(nameof(epochs), $"The annealing length must be at least 1 epoch, got {epochs}.");
        Min = min;
        Epochs = epochs;
        Rate = FirstRate;
    }

    public override string Name => "cosine";
    /// <summary>The final rate (PyTorch's <c>eta_min</c>).</summary>
    public double Min { get; }
    /// <summary>The annealing length (PyTorch's <c>T_max</c>): the run's epochs.</summary>
    public int Epochs { get; }

    private protected override double RateAt(int epoch)
    {
        double c = (1 + Math.Cos(Math.PI * (epoch - 1) / Epochs)) / 2;   // 1 in epoch 1, → 0 at the end
        return InitialRate * c + Min * (1 - c);
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"cosine to {Min}");
}
