namespace Backprop.Training.Schedules;

/// <summary>
/// scikit-learn's <c>learning_rate='adaptive'</c>: the rate stays lr while the cost improves; each time its own
/// <see cref="Plateau"/> rule finds more than n epochs in a row without an improvement by tol, the rate is divided by 5
/// and the count starts afresh (the best cost is kept) — or, once the rate is at or below 1e-6, training stops.
/// <code>
/// if plateau stalled:  rate ≤ 1e-6 → stop ("Learning rate too small")   else rate /= 5; count = 0
/// </code>
/// A <see cref="LearningRateSchedule.Stall"/> rule (<see cref="TrainingOptions.StopWhenStalled"/>) counts on its own,
/// without restarting when the rate is divided, and stops training whatever the rate.
/// </summary>
public sealed class AdaptiveSchedule : LearningRateSchedule
{
    /// <summary>scikit-learn's rule: stop instead of dividing once the rate is at or below this.</summary>
    public const double MinimumRate = 1e-6;

    /// <param name="epochsWithoutImprovement">The plateau's n (scikit-learn's <c>n_iter_no_change</c>; Backprop's trainer uses 2).</param>
    public AdaptiveSchedule(double lr, double tol = StallRule.DefaultTolerance, int epochsWithoutImprovement = 2, StallRule? stall = null) : base(lr, stall)
    {
        Plateau = new StallRule(epochsWithoutImprovement, tol);
    }

    public override string Name => "adaptive";
    /// <summary>The schedule's own rule: when it finds a stall, the rate is divided (or training stops).</summary>
    public StallRule Plateau { get; }

    private protected override StallRule? OwnRule => Plateau;

    private protected override string? Advance(long samplesSeen, double cost)
    {
        Plateau.Update(cost);
        if (!Plateau.IsStalled) return null;
        if (Rate <= MinimumRate) return Plateau.Message + " Learning rate too small. Stopping.";
        Rate /= 5.0;
        Plateau.RestartCount();
        return null;
    }

    private protected override double Resumed(long samplesSeen, double? savedRate) => savedRate ?? InitialRate;

    public override string ToString() => Name;
}
