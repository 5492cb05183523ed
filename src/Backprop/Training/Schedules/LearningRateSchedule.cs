using System.Globalization;

namespace Backprop.Training.Schedules;

/// <summary>
/// The learning rate of a stochastic trainer, updated once per epoch, and the trainer's "no improvement" stopping rule.
/// Call <see cref="EpochEnded"/> after every epoch with the number of samples seen so far and the epoch's training
/// cost, then read <see cref="Rate"/> for the next epoch and stop when <see cref="ShouldStop"/> is true.
/// </summary>
public interface ILearningRateSchedule
{
    /// <summary>The learning rate to use for the next epoch.</summary>
    double Rate { get; }
    /// <summary>True once training should stop (cost stopped improving, or adaptive rate became too small).</summary>
    bool ShouldStop { get; }
    /// <summary>Why training should stop, as scikit-learn words it; null while <see cref="ShouldStop"/> is false.</summary>
    string? StopReason { get; }
    /// <summary>An epoch ended: <paramref name="timeStep"/> = training samples seen so far, <paramref name="cost"/> = the epoch's training cost.</summary>
    void EpochEnded(long timeStep, double cost);
    /// <summary>Back to the initial rate, no history.</summary>
    void Reset();
}

/// <summary>
/// The three learning-rate schedules of scikit-learn's MLPClassifier/MLPRegressor with <c>solver='sgd'</c>
/// (<c>learning_rate='constant' | 'invscaling' | 'adaptive'</c>) together with its training-loss stopping rule,
/// reproducing the epoch-end sequence of <c>BaseMultilayerPerceptron._fit_stochastic</c>:
/// <code>
/// if cost &gt; best − tol: count += 1 else: count = 0      (_update_no_improvement_count, best starts at +∞)
/// if cost &lt; best: best = cost
/// invscaling: rate = lr / (timeStep + 1)^power_t            (SGDOptimizer.iteration_ends)
/// if count &gt; n_iter_no_change:                            (strictly greater: n + 1 bad epochs in a row)
///     constant / invscaling: stop
///     adaptive: if rate &lt;= 1e-6: stop  else: rate /= 5; count = 0
/// </code>
/// The best cost is not reset when the adaptive rate is divided. A NaN cost compares false, so (as in scikit-learn)
/// it resets the count; trainers should check for divergence themselves.
/// Pass <c>epochsWithoutImprovement: int.MaxValue</c> to Constant / InverseScaling to never stop.
/// scikit-learn's Adam ignores the schedule (always constant); here any schedule can drive any optimizer.
/// </summary>
public sealed class LearningRateSchedule : ILearningRateSchedule
{
    /// <summary>scikit-learn's rule for 'adaptive': stop instead of dividing once the rate is at or below this.</summary>
    public const double MinimumAdaptiveRate = 1e-6;

    private enum Kind { Constant, InverseScaling, Adaptive }

    private readonly Kind _kind;
    private double _best = double.PositiveInfinity;
    private int _noImprovementCount;

    private LearningRateSchedule(Kind kind, double initialRate, double powerT, double tolerance, int epochsWithoutImprovement)
    {
        if (!double.IsFinite(initialRate) || initialRate <= 0)
            throw new ArgumentOutOfRangeException(nameof(initialRate), initialRate, "The learning rate must be positive and finite.");
        if (!double.IsFinite(powerT)) throw new ArgumentOutOfRangeException(nameof(powerT), powerT, "power_t must be finite.");
        if (!double.IsFinite(tolerance) || tolerance < 0) throw new ArgumentOutOfRangeException(nameof(tolerance), tolerance, "tol must be finite and non-negative.");
        if (epochsWithoutImprovement < 1) throw new ArgumentOutOfRangeException(nameof(epochsWithoutImprovement), epochsWithoutImprovement, "Must be at least 1.");
        _kind = kind;
        InitialRate = initialRate;
        Rate = initialRate;
        PowerT = powerT;
        Tolerance = tolerance;
        EpochsWithoutImprovement = epochsWithoutImprovement;
    }

    /// <summary>rate = lr for every epoch (sklearn <c>learning_rate='constant'</c>); stops after <paramref name="epochsWithoutImprovement"/>+1 epochs in a row that do not improve the best cost by <paramref name="tol"/> (sklearn <c>n_iter_no_change</c>, default 10).</summary>
    public static LearningRateSchedule Constant(double lr, double tol = 1e-4, int epochsWithoutImprovement = 10)
        => new(Kind.Constant, lr, 0, tol, epochsWithoutImprovement);

    /// <summary>rate = lr / (t + 1)^powerT with t = samples seen (sklearn <c>learning_rate='invscaling'</c>); same stopping rule as <see cref="Constant"/>.</summary>
    public static LearningRateSchedule InverseScaling(double lr, double powerT = 0.5, double tol = 1e-4, int epochsWithoutImprovement = 10)
        => new(Kind.InverseScaling, lr, powerT, tol, epochsWithoutImprovement);

    /// <summary>rate ÷= 5 each time the cost fails to improve by tol for more than <paramref name="epochsWithoutImprovement"/> epochs; stops when that happens with rate ≤ 1e-6 (sklearn <c>learning_rate='adaptive'</c>).</summary>
    public static LearningRateSchedule Adaptive(double lr, double tol = 1e-4, int epochsWithoutImprovement = 2)
        => new(Kind.Adaptive, lr, 0, tol, epochsWithoutImprovement);

    public string Name => _kind switch { Kind.Constant => "constant", Kind.InverseScaling => "invscaling", _ => "adaptive" };
    public double InitialRate { get; }
    public double PowerT { get; }
    public double Tolerance { get; }
    public int EpochsWithoutImprovement { get; }
    public double Rate { get; private set; }
    public bool ShouldStop => StopReason is not null;
    public string? StopReason { get; private set; }
    /// <summary>Lowest cost seen so far (+∞ before the first epoch).</summary>
    public double BestCost => _best;
    /// <summary>Consecutive epochs without improvement by tol (sklearn's <c>_no_improvement_count</c>).</summary>
    public int NoImprovementCount => _noImprovementCount;

    public void EpochEnded(long timeStep, double cost)
    {
        if (timeStep < 0) throw new ArgumentOutOfRangeException(nameof(timeStep), timeStep, "The time step (samples seen) cannot be negative.");
        if (ShouldStop) return;

        if (cost > _best - Tolerance) _noImprovementCount++;
        else _noImprovementCount = 0;
        if (cost < _best) _best = cost;

        if (_kind == Kind.InverseScaling)
            Rate = InitialRate / Math.Pow(timeStep + 1, PowerT);

        if (_noImprovementCount > EpochsWithoutImprovement)
        {
            string msg = string.Create(CultureInfo.InvariantCulture,
                $"Training loss did not improve more than tol={Tolerance:F6} for {EpochsWithoutImprovement} consecutive epochs.");
            if (_kind != Kind.Adaptive)
                StopReason = msg + " Stopping.";
            else if (Rate <= MinimumAdaptiveRate)
                StopReason = msg + " Learning rate too small. Stopping.";
            else
            {
                Rate /= 5.0;
                _noImprovementCount = 0;
            }
        }
    }

    /// <summary>Continues from a checkpoint: the rate, the best cost and the no-improvement count after an epoch.</summary>
    internal void Restore(double rate, double best, int noImprovementCount)
    {
        Rate = rate;
        _best = best;
        _noImprovementCount = noImprovementCount;
        StopReason = null;
    }

    public void Reset()
    {
        Rate = InitialRate;
        _best = double.PositiveInfinity;
        _noImprovementCount = 0;
        StopReason = null;
    }
}
