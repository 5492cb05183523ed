namespace Backprop.Training.Schedules;

/// <summary>
/// The learning rate of a mini-batch run, epoch by epoch, and when the run stops for a stalled cost. Read
/// <see cref="Rate"/> for the next epoch; after every epoch call <see cref="EpochEnded"/> with the training samples
/// seen so far and the epoch's training cost; stop when <see cref="ShouldStop"/> is true.
/// <para>Every schedule stops the same way: with a <see cref="Stall"/> rule (scikit-learn's <c>n_iter_no_change</c>,
/// <see cref="TrainingOptions.StopWhenStalled"/>), once more than n epochs in a row did not improve the best cost by
/// tol. The adaptive schedule can also stop by itself, when its rate has become too small. One epoch's end, as
/// scikit-learn's <c>_fit_stochastic</c> orders it:</para>
/// <code>
/// stall rule: count the epoch (improved or not)     (StallRule.Update)
/// schedule:   the next epoch's rate                 (constant: lr; invscaling: lr / (t + 1)^power_t; adaptive: ÷ 5 on
///                                                    its own stall; step: lr·factor^⌊e/every⌋; cosine: annealed)
/// stall rule: stalled → stop
/// </code>
/// Implementations: <see cref="ConstantSchedule"/>, <see cref="InverseScalingSchedule"/>, <see cref="AdaptiveSchedule"/>,
/// <see cref="StepDecaySchedule"/>, <see cref="CosineSchedule"/> (the last two closed forms of the epoch, <see cref="EpochSchedule"/>);
/// <see cref="For"/> builds the one a
/// <see cref="TrainingOptions"/> names. scikit-learn's Adam ignores the schedule; here any schedule drives any optimizer.
/// </summary>
public abstract class LearningRateSchedule
{
    private protected LearningRateSchedule(double initialRate, StallRule? stall)
    {
        if (!double.IsFinite(initialRate) || initialRate <= 0)
            throw new ArgumentOutOfRangeException(nameof(initialRate), initialRate, "The learning rate must be positive and finite.");
        InitialRate = initialRate;
        Rate = initialRate;
        Stall = stall;
    }

    /// <summary>The schedule's command-line name: constant, invscaling, adaptive, step or cosine (<see cref="TrainingOptions.ScheduleName"/>).</summary>
    public abstract string Name { get; }
    /// <summary>The learning rate of the first epoch.</summary>
    public double InitialRate { get; }
    /// <summary>The learning rate to use for the next epoch.</summary>
    public double Rate { get; private protected set; }
    /// <summary>Epochs ended so far.</summary>
    public int EpochsDone { get; private set; }
    /// <summary>The rule that stops training when the cost stalls; null: the cost never stops it.</summary>
    public StallRule? Stall { get; }
    /// <summary>True once training should stop (the cost stalled, or the adaptive rate became too small).</summary>
    public bool ShouldStop => StopReason is not null;
    /// <summary>Why training should stop, as scikit-learn words it; null while <see cref="ShouldStop"/> is false.</summary>
    public string? StopReason { get; private set; }

    /// <summary>An epoch ended: <paramref name="samplesSeen"/> = training samples seen so far (the inverse-scaling time
    /// step), <paramref name="cost"/> = the epoch's training cost. Nothing changes once <see cref="ShouldStop"/>.</summary>
    public void EpochEnded(long samplesSeen, double cost)
    {
        if (samplesSeen < 0) throw new ArgumentOutOfRangeException(nameof(samplesSeen), samplesSeen, "The time step (samples seen) cannot be negative.");
        if (ShouldStop) return;
        EpochsDone++;
        Stall?.Update(cost);
        StopReason = Advance(samplesSeen, cost);
        if (StopReason is null && Stall is { IsStalled: true }) StopReason = Stall.Message + " Stopping.";
    }

    /// <summary>Sets <see cref="Rate"/> for epoch <see cref="EpochsDone"/> + 1; returns why training must stop when the
    /// schedule itself ends it (only adaptive does), else null.</summary>
    private protected abstract string? Advance(long samplesSeen, double cost);

    /// <summary>The rate of the first epoch, after <see cref="Reset"/> or at construction.</summary>
    private protected virtual double FirstRate => InitialRate;

    /// <summary>A rule of the schedule's own that a checkpoint keeps (the adaptive schedule's); null for the others.</summary>
    private protected virtual StallRule? OwnRule => null;

    /// <summary>Back to the first epoch's rate, no history.</summary>
    public void Reset()
    {
        EpochsDone = 0;
        StopReason = null;
        Stall?.Reset();
        OwnRule?.Reset();
        Rate = FirstRate;
    }

    /// <summary>The state a checkpoint keeps: the next rate, the schedule's own rule (adaptive) and the stall rule.</summary>
    internal (double Rate, double? OwnBest, int OwnCount, double? StallBest, int? StallCount) State =>
        (Rate, OwnRule?.BestCost, OwnRule?.Count ?? 0, Stall?.BestCost, Stall?.Count);

    /// <summary>Continues after epoch <paramref name="epochsDone"/> from <see cref="State"/>'s values. A checkpoint written
    /// before the stall rule had fields of its own (<paramref name="stallCount"/> null) kept it in the schedule's.</summary>
    internal void Restore(int epochsDone, long samplesSeen, double? rate, double? ownBest, int ownCount, double? stallBest, int? stallCount)
    {
        EpochsDone = epochsDone;
        StopReason = null;
        OwnRule?.Restore(ownBest ?? double.PositiveInfinity, ownCount);
        if (stallCount is int count) Stall?.Restore(stallBest ?? double.PositiveInfinity, count);
        else Stall?.Restore(ownBest ?? double.PositiveInfinity, ownCount);
        Rate = Resumed(samplesSeen, rate);
    }

    /// <summary>The next epoch's rate after <see cref="EpochsDone"/> epochs, given the rate a checkpoint saved.</summary>
    private protected abstract double Resumed(long samplesSeen, double? savedRate);

    /// <summary>The rate's course in words (<see cref="TrainingOptions.ScheduleText"/>), e.g. "step x0.3 every 5 epochs".</summary>
    public abstract override string ToString();

    /// <summary>rate = lr in every epoch (scikit-learn <c>learning_rate='constant'</c>), stopping as scikit-learn's does:
    /// after <paramref name="epochsWithoutImprovement"/> + 1 epochs in a row that do not improve the best cost by
    /// <paramref name="tol"/> (<c>n_iter_no_change</c>, default 10; <see cref="int.MaxValue"/>: never).</summary>
    public static ConstantSchedule Constant(double lr, double tol = StallRule.DefaultTolerance, int epochsWithoutImprovement = 10)
        => new(lr, new StallRule(epochsWithoutImprovement, tol));

    /// <summary>rate = lr / (t + 1)^powerT with t = samples seen (scikit-learn <c>learning_rate='invscaling'</c>); stops as <see cref="Constant"/>.</summary>
    public static InverseScalingSchedule InverseScaling(double lr, double powerT = 0.5, double tol = StallRule.DefaultTolerance, int epochsWithoutImprovement = 10)
        => new(lr, powerT, new StallRule(epochsWithoutImprovement, tol));

    /// <summary>rate ÷= 5 each time the cost fails to improve by tol for more than <paramref name="epochsWithoutImprovement"/>
    /// epochs; stops when that happens with rate ≤ 1e-6 (scikit-learn <c>learning_rate='adaptive'</c>).</summary>
    public static AdaptiveSchedule Adaptive(double lr, double tol = StallRule.DefaultTolerance, int epochsWithoutImprovement = 2)
        => new(lr, tol, epochsWithoutImprovement);

    /// <summary>The schedule <paramref name="options"/> names (<see cref="TrainingOptions.Schedule"/> and its knobs), with the
    /// stall rule of <see cref="TrainingOptions.StopWhenStalled"/> (tol 1e-4) when it is set, whatever the schedule.</summary>
    public static LearningRateSchedule For(TrainingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var stall = options.StopWhenStalled > 0 ? new StallRule(options.StopWhenStalled) : null;
        double lr = options.LearningRate;
        return options.Schedule switch
        {
            ScheduleKind.Constant => new ConstantSchedule(lr, stall),
            ScheduleKind.InverseScaling => new InverseScalingSchedule(lr, options.PowerT, stall),
            ScheduleKind.Adaptive => new AdaptiveSchedule(lr, stall: stall),
            ScheduleKind.StepDecay => new StepDecaySchedule(lr, options.DecayFactor, options.DecayEvery, stall),
            ScheduleKind.Cosine => new CosineSchedule(lr, options.MinLearningRate, options.Epochs, stall),
            var kind => throw new ArgumentOutOfRangeException(nameof(options), kind, "Unknown learning-rate schedule."),
        };
    }
}
