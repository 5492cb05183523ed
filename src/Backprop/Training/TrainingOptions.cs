using System.Globalization;

namespace Backprop.Training;

/// <summary>How the parameters are updated.</summary>
public enum OptimizerKind
{
    /// <summary>Full-batch gradient descent (one step per epoch on all samples).</summary>
    GradientDescent,
    /// <summary>Mini-batch stochastic gradient descent, shuffled every epoch.</summary>
    Sgd,
    /// <summary>Mini-batch SGD with (heavy-ball) momentum.</summary>
    Momentum,
    /// <summary>Mini-batch SGD with Nesterov momentum.</summary>
    Nesterov,
    /// <summary>Mini-batch Adam.</summary>
    Adam,
    /// <summary>Full-batch L-BFGS; one epoch = one iteration.</summary>
    Lbfgs,
    /// <summary>Full-batch nonlinear conjugate gradient with fmincg's line search; one epoch = one iteration (line search).</summary>
    ConjugateGradient,
}

/// <summary>How the mini-batch order of each epoch is drawn.</summary>
public enum ShuffleOrder
{
    /// <summary>Each epoch shuffles the previous epoch's order again (scikit-learn's MLPClassifier).</summary>
    Cumulative,
    /// <summary>Each epoch shuffles 0..n−1 afresh (<c>indices = np.arange(n); random.shuffle(indices)</c>, Raschka's NeuralNetMLP).</summary>
    FromIdentity,
}

/// <summary>The learning-rate schedule of the mini-batch optimizers.</summary>
public enum ScheduleKind { Constant, InverseScaling, Adaptive, StepDecay }

/// <summary>Every training hyperparameter. Records compare by value, so a run's settings can be logged and reused.</summary>
public sealed record TrainingOptions
{
    public OptimizerKind Optimizer { get; init; } = OptimizerKind.Adam;
    /// <summary>Epochs for mini-batch optimizers; iterations for L-BFGS / CG.</summary>
    public int Epochs { get; init; } = 20;
    /// <summary>Samples per mini-batch; 0 means the whole training set (full batch).</summary>
    public int BatchSize { get; init; } = 100;
    public bool Shuffle { get; init; } = true;
    /// <summary>Whether each epoch's shuffle starts from the previous order or from 0..n−1.</summary>
    public ShuffleOrder ShuffleOrder { get; init; } = ShuffleOrder.Cumulative;
    public double LearningRate { get; init; } = 0.001;
    /// <summary>L2 strength λ in the ex4 convention: λ/(2m)·Σw² on the mean cost, m = the batch size.</summary>
    public double Lambda { get; init; }
    public double Momentum { get; init; } = 0.9;
    public ScheduleKind Schedule { get; init; } = ScheduleKind.Constant;
    /// <summary>Inverse scaling's exponent; for <see cref="ScheduleKind.StepDecay"/>, the factor per <see cref="DecayEvery"/> epochs.</summary>
    public double PowerT { get; init; } = 0.5;
    public double DecayFactor { get; init; } = 0.5;
    public int DecayEvery { get; init; } = 10;
    /// <summary>Stop when the training cost has not improved by 1e-4 for this many epochs (scikit-learn's n_iter_no_change); 0 = never.</summary>
    public int StopWhenStalled { get; init; }
    /// <summary>Stop when validation accuracy has not improved for this many epochs and keep the best weights; 0 = never.</summary>
    public int EarlyStoppingPatience { get; init; }
    /// <summary>Seeds the shuffling of mini-batches (NumPy's generator, as <c>RandomState(seed).shuffle</c>).</summary>
    public int Seed { get; init; }
    /// <summary>Compute the training accuracy after every epoch (one extra forward pass over the training set).</summary>
    public bool TrackTrainAccuracy { get; init; } = true;

    public void Validate()
    {
        if (Epochs < 1) throw new ArgumentOutOfRangeException(nameof(Epochs), $"Epochs must be at least 1, got {Epochs}.");
        if (BatchSize < 0) throw new ArgumentOutOfRangeException(nameof(BatchSize), $"The batch size must be ≥ 0 (0 = full batch), got {BatchSize}.");
        if (!(LearningRate > 0) || !double.IsFinite(LearningRate)) throw new ArgumentOutOfRangeException(nameof(LearningRate), $"The learning rate must be a positive number, got {LearningRate}.");
        if (!(Lambda >= 0) || !double.IsFinite(Lambda)) throw new ArgumentOutOfRangeException(nameof(Lambda), $"Lambda must be ≥ 0, got {Lambda}.");
        if (!(Momentum >= 0 && Momentum < 1)) throw new ArgumentOutOfRangeException(nameof(Momentum), $"Momentum must be in [0, 1), got {Momentum}.");
        if (StopWhenStalled < 0 || EarlyStoppingPatience < 0) throw new ArgumentOutOfRangeException(nameof(EarlyStoppingPatience), "Patience values must be ≥ 0.");
        if (!(DecayFactor > 0 && DecayFactor <= 1) || DecayEvery < 1) throw new ArgumentOutOfRangeException(nameof(DecayFactor), $"Step decay needs a factor in (0, 1] and a period ≥ 1 epoch, got {DecayFactor} every {DecayEvery}.");
    }

    public static OptimizerKind ParseOptimizer(string name) => name.Trim().ToLowerInvariant() switch
    {
        "gd" or "gradient-descent" => OptimizerKind.GradientDescent,
        "sgd" => OptimizerKind.Sgd,
        "momentum" => OptimizerKind.Momentum,
        "nesterov" => OptimizerKind.Nesterov,
        "adam" => OptimizerKind.Adam,
        "lbfgs" or "l-bfgs" => OptimizerKind.Lbfgs,
        "cg" or "fmincg" => OptimizerKind.ConjugateGradient,
        _ => throw new ArgumentException($"Unknown optimizer '{name}': expected gd, sgd, momentum, nesterov, adam, lbfgs or cg."),
    };

    public static string OptimizerName(OptimizerKind kind) => kind switch
    {
        OptimizerKind.GradientDescent => "gd",
        OptimizerKind.ConjugateGradient => "cg",
        _ => kind.ToString().ToLowerInvariant(),
    };

    public static ScheduleKind ParseSchedule(string name) => name.Trim().ToLowerInvariant() switch
    {
        "constant" => ScheduleKind.Constant,
        "invscaling" or "inverse-scaling" => ScheduleKind.InverseScaling,
        "adaptive" => ScheduleKind.Adaptive,
        "step" or "step-decay" => ScheduleKind.StepDecay,
        _ => throw new ArgumentException($"Unknown learning-rate schedule '{name}': expected constant, invscaling, adaptive or step."),
    };

    /// <summary>Full-batch minimizers ignore batch size, learning rate and schedule.</summary>
    public bool IsFullBatchMinimizer => Optimizer is OptimizerKind.Lbfgs or OptimizerKind.ConjugateGradient;

    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"{OptimizerName(Optimizer)} epochs={Epochs} batch={BatchSize} lr={LearningRate} lambda={Lambda}");
}
