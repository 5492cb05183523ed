using System.Globalization;

namespace Backprop.Training.Schedules;

/// <summary>
/// scikit-learn's "no improvement" rule (<c>n_iter_no_change</c>, <c>tol</c>): after every epoch, count the epochs in a
/// row whose training cost failed to beat the best cost so far by <see cref="Tolerance"/>
/// (<c>BaseMultilayerPerceptron._update_no_improvement_count</c>):
/// <code>
/// if cost &gt; best − tol: count += 1 else: count = 0      (best starts at +∞)
/// if cost &lt; best: best = cost
/// stalled when count &gt; n                                 (strictly greater: n + 1 bad epochs in a row)
/// </code>
/// A NaN cost compares false, so (as in scikit-learn) it resets the count; trainers check for divergence themselves.
/// Every <see cref="LearningRateSchedule"/> can carry one to stop training (<see cref="TrainingOptions.StopWhenStalled"/>);
/// the adaptive schedule uses its own to decide when to divide the rate. A rule belongs to one schedule.
/// </summary>
public sealed class StallRule
{
    /// <summary>scikit-learn's default <c>tol</c>.</summary>
    public const double DefaultTolerance = 1e-4;

    /// <param name="epochsWithoutImprovement">n: stalled once more than n epochs in a row did not improve (≥ 1).</param>
    /// <param name="tolerance">tol: the improvement of the best cost an epoch must make to count as one (≥ 0).</param>
    public StallRule(int epochsWithoutImprovement, double tolerance = DefaultTolerance)
    {
        if (!double.IsFinite(tolerance) || tolerance < 0) throw new ArgumentOutOfRangeException(nameof(tolerance), tolerance, "tol must be finite and non-negative.");
        if (epochsWithoutImprovement < 1) throw new ArgumentOutOfRangeException(nameof(epochsWithoutImprovement), epochsWithoutImprovement, "Must be at least 1.");
        EpochsWithoutImprovement = epochsWithoutImprovement;
        Tolerance = tolerance;
    }

    public int EpochsWithoutImprovement { get; }
    public double Tolerance { get; }
    /// <summary>Lowest cost seen so far (+∞ before the first epoch).</summary>
    public double BestCost { get; private set; } = double.PositiveInfinity;
    /// <summary>Consecutive epochs without an improvement by tol (scikit-learn's <c>_no_improvement_count</c>).</summary>
    public int Count { get; private set; }
    /// <summary>More than <see cref="EpochsWithoutImprovement"/> epochs in a row without improvement.</summary>
    public bool IsStalled => Count > EpochsWithoutImprovement;

    /// <summary>scikit-learn's words for a stall, e.g. "Training loss did not improve more than tol=0.000100 for 10 consecutive epochs."</summary>
    public string Message => string.Create(CultureInfo.InvariantCulture,
        $"Training loss did not improve more than tol={Tolerance:F6} for {EpochsWithoutImprovement} consecutive epochs.");

    /// <summary>An epoch ended with training cost <paramref name="cost"/>.</summary>
    public void Update(double cost)
    {
        if (cost > BestCost - Tolerance) Count++;
        else Count = 0;
        if (cost < BestCost) BestCost = cost;
    }

    /// <summary>Counts afresh from the next epoch, keeping the best cost (the adaptive schedule after dividing its rate).</summary>
    public void RestartCount() => Count = 0;

    /// <summary>No history: best +∞, count 0.</summary>
    public void Reset()
    {
        BestCost = double.PositiveInfinity;
        Count = 0;
    }

    /// <summary>Continues from a checkpoint's best cost and count.</summary>
    internal void Restore(double bestCost, int count)
    {
        BestCost = bestCost;
        Count = count;
    }
}
