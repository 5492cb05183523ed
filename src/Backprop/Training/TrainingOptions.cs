using System.Globalization;
using Backprop.Training.Schedules;

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
    /// <summary>Full-batch truncated Newton (SciPy's TNC); epochs = the bound on function evaluations (maxfun), one recorded epoch per Newton iteration.</summary>
    TruncatedNewton,
}

/// <summary>How the mini-batch order of each epoch is drawn.</summary>
public enum ShuffleOrder
{
    /// <summary>Each epoch shuffles the previous epoch's order again (scikit-learn's MLPClassifier).</summary>
    Cumulative,
    /// <summary>Each epoch shuffles 0..n−1 afresh (<c>indices = np.arange(n); random.shuffle(indices)</c>, Raschka's NeuralNetMLP).</summary>
    FromIdentity,
}

/// <summary>The learning-rate schedule of the mini-batch optimizers (<see cref="LearningRateSchedule.For"/> builds it).</summary>
public enum ScheduleKind
{
    /// <summary><see cref="ConstantSchedule"/>: the learning rate in every epoch.</summary>
    Constant,
    /// <summary><see cref="InverseScalingSchedule"/>: lr / (t + 1)^<see cref="TrainingOptions.PowerT"/>, t = samples seen.</summary>
    InverseScaling,
    /// <summary><see cref="AdaptiveSchedule"/>: ÷ 5 whenever the cost stalls for 3 epochs, until the rate is at or below 1e-6.</summary>
    Adaptive,
    /// <summary><see cref="StepDecaySchedule"/>: × <see cref="TrainingOptions.DecayFactor"/> every <see cref="TrainingOptions.DecayEvery"/> epochs (every 1: exponential decay).</summary>
    StepDecay,
    /// <summary><see cref="CosineSchedule"/>: cosine annealing per epoch from the learning rate to <see cref="TrainingOptions.MinLearningRate"/> over the run's epochs.</summary>
    Cosine,
}

/// <summary>Every training hyperparameter. Records compare by value, so a run's settings can be logged and reused.</summary>
public sealed record TrainingOptions
{
    public OptimizerKind Optimizer { get; init; } = OptimizerKind.Adam;
    /// <summary>Epochs for mini-batch optimizers; iterations for L-BFGS / CG; the bound on function evaluations (maxfun) for TNC.</summary>
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
    /// <summary>Inverse scaling's exponent (step decay uses <see cref="DecayFactor"/> per <see cref="DecayEvery"/> epochs).</summary>
    public double PowerT { get; init; } = 0.5;
    public double DecayFactor { get; init; } = 0.5;
    public int DecayEvery { get; init; } = 10;
    /// <summary>Stop when the training cost has not improved by 1e-4 for more than this many epochs in a row (scikit-learn's
    /// n_iter_no_change), whatever the schedule (see <see cref="StallRule"/>); 0 = never.</summary>
    public int StopWhenStalled { get; init; }
    /// <summary>Stop when validation accuracy has not improved for this many epochs and keep the best weights; 0 = never.</summary>
    public int EarlyStoppingPatience { get; init; }
    /// <summary>Seeds the shuffling of mini-batches (NumPy's generator, as <c>RandomState(seed).shuffle</c>).</summary>
    public int Seed { get; init; }
    /// <summary>Compute the training accuracy after every epoch (one extra forward pass over the training set).</summary>
    public bool TrackTrainAccuracy { get; init; } = true;
    /// <summary>With <see cref="TrackTrainAccuracy"/>: measure it on this many training rows, a fixed sample drawn once
    /// (NumPy's <c>RandomState(seed + 4).permutation</c>, first rows, in data order); 0 = on every row.</summary>
    public int TrainAccuracyRows { get; init; }
    /// <summary>Cosine annealing's final rate (PyTorch's <c>eta_min</c>).</summary>
    public double MinLearningRate { get; init; }
    /// <summary>Inverted dropout rate on every hidden layer's units during training (0 = none; mini-batch optimizers only).</summary>
    public double Dropout { get; init; }
    /// <summary>Inverted dropout rate on the input features during training (0 = none).</summary>
    public double InputDropout { get; init; }
    /// <summary>Average the parameters along training (EMA or SWA); the average is what is evaluated, kept and saved.</summary>
    public AveragingKind Averaging { get; init; }
    /// <summary>EMA decay per optimizer step.</summary>
    public double AveragingDecay { get; init; } = 0.999;
    /// <summary>Augmentation for image data: each training sample of each mini-batch moved by a random whole-pixel
    /// translation (dy, dx) in [−s, s]², edge pixels repeated (see <see cref="ImageShift"/>); 0 = none.</summary>
    public int ShiftPixels { get; init; }
    /// <summary>Augmentation for image data: each training sample of each mini-batch elastically distorted (see
    /// <see cref="ElasticDistortion{T}"/>) with displacement fields of this scale α in pixels; 0 = none.</summary>
    public double ElasticAlpha { get; init; }
    /// <summary>σ (pixels) of the Gaussian that smooths the elastic distortion's displacement fields.</summary>
    public double ElasticSigma { get; init; } = ElasticDistortion.DefaultSigma;
    /// <summary>The elastic distortion's random rotation: up to this many degrees either way (0 = none).</summary>
    public double ElasticRotation { get; init; } = ElasticDistortion.DefaultRotation;
    /// <summary>The elastic distortion's random scaling: a factor within 1 ± this (0 = none).</summary>
    public double ElasticScale { get; init; } = ElasticDistortion.DefaultScale;
    /// <summary>How a sample's features form an image (rows, pixels per row, stored row by row); needed by <see cref="ShiftPixels"/> and <see cref="ElasticAlpha"/>.
    /// <see cref="Models.MlpClassifier"/> sets it from the data set.</summary>
    public (int Height, int Width)? ImageSize { get; init; }
    /// <summary>Whether the training samples are augmented as images (shifts or elastic distortion).</summary>
    public bool AugmentsImages => ShiftPixels > 0 || ElasticAlpha > 0;

    /// <summary>First epoch whose steps enter the average; 0 = automatic (EMA: 1; SWA: the last quarter of the epochs).</summary>
    public int AverageFromEpoch { get; init; }

    /// <summary>The first epoch whose steps are averaged (resolves <see cref="AverageFromEpoch"/> = 0).</summary>
    public int AveragingStart => AverageFromEpoch > 0 ? AverageFromEpoch
        : Averaging == AveragingKind.Swa ? Math.Clamp(Epochs - Epochs / 4 + 1, 1, Math.Max(Epochs, 1)) : 1;

    public void Validate()
    {
        if (Epochs < 1) throw new ArgumentOutOfRangeException(nameof(Epochs), $"Epochs must be at least 1, got {Epochs}.");
        if (TrainAccuracyRows < 0) throw new ArgumentOutOfRangeException(nameof(TrainAccuracyRows), $"The training-accuracy sample must be ≥ 0 rows (0 = all), got {TrainAccuracyRows}.");
        if (BatchSize < 0) throw new ArgumentOutOfRangeException(nameof(BatchSize), $"The batch size must be ≥ 0 (0 = full batch), got {BatchSize}.");
        if (!(LearningRate > 0) || !double.IsFinite(LearningRate)) throw new ArgumentOutOfRangeException(nameof(LearningRate), $"The learning rate must be a positive number, got {LearningRate}.");
        if (!(Lambda >= 0) || !double.IsFinite(Lambda)) throw new ArgumentOutOfRangeException(nameof(Lambda), $"Lambda must be ≥ 0, got {Lambda}.");
        if (!(Momentum >= 0 && Momentum < 1)) throw new ArgumentOutOfRangeException(nameof(Momentum), $"Momentum must be in [0, 1), got {Momentum}.");
        if (StopWhenStalled < 0 || EarlyStoppingPatience < 0) throw new ArgumentOutOfRangeException(nameof(EarlyStoppingPatience), "Patience values must be ≥ 0.");
        if (!(DecayFactor > 0 && DecayFactor <= 1) || DecayEvery < 1) throw new ArgumentOutOfRangeException(nameof(DecayFactor), $"Step decay needs a factor in (0, 1] and a period ≥ 1 epoch, got {DecayFactor} every {DecayEvery}.");
        if (!(MinLearningRate >= 0 && MinLearningRate <= LearningRate)) throw new ArgumentOutOfRangeException(nameof(MinLearningRate), $"The minimum learning rate must be in [0, learning rate = {LearningRate}], got {MinLearningRate}.");
        if (!(Dropout >= 0 && Dropout < 1)) throw new ArgumentOutOfRangeException(nameof(Dropout), $"The dropout rate must be in [0, 1), got {Dropout}.");
        if (!(InputDropout >= 0 && InputDropout < 1)) throw new ArgumentOutOfRangeException(nameof(InputDropout), $"The input dropout rate must be in [0, 1), got {InputDropout}.");
        if (!(AveragingDecay >= 0 && AveragingDecay < 1)) throw new ArgumentOutOfRangeException(nameof(AveragingDecay), $"The EMA decay must be in [0, 1), got {AveragingDecay}.");
        if (AverageFromEpoch < 0 || AverageFromEpoch > Epochs) throw new ArgumentOutOfRangeException(nameof(AverageFromEpoch), $"Averaging must start in epoch 1..{Epochs} (0 = automatic), got {AverageFromEpoch}.");
        if (ShiftPixels < 0) throw new ArgumentOutOfRangeException(nameof(ShiftPixels), $"The shift augmentation must be ≥ 0 pixels, got {ShiftPixels}.");
        if (ElasticDistortion.Problem(ElasticSigma, ElasticAlpha, ElasticRotation, ElasticScale) is { } elastic)
            throw new ArgumentOutOfRangeException(new[] { nameof(ElasticSigma), nameof(ElasticAlpha), nameof(ElasticRotation), nameof(ElasticScale) }[elastic.Setting], elastic.Message);
        if (ImageSize is { } size && (size.Height < 1 || size.Width < 1)) throw new ArgumentOutOfRangeException(nameof(ImageSize), $"An image needs at least 1x1 pixels, got {size.Height}x{size.Width}.");
        if (IsFullBatchMinimizer && (Dropout > 0 || InputDropout > 0 || Averaging != AveragingKind.None || AugmentsImages))
            throw new ArgumentException($"Dropout, shift augmentation, elastic distortion and weight averaging need a mini-batch optimizer (sgd, momentum, nesterov, adam, gd); {OptimizerName(Optimizer)} minimizes a fixed full-batch cost.");
    }

    /// <summary>"none", "ema", "ema:DECAY", "swa" or "swa:FROM_EPOCH" → the averaging fields of an options record.</summary>
    public static (AveragingKind Kind, double Decay, int From) ParseAveraging(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parts = text.Trim().ToLowerInvariant().Split(':', 2);
        string arg = parts.Length > 1 ? parts[1] : "";
        switch (parts[0])
        {
            case "none" when arg.Length == 0:
                return (AveragingKind.None, 0.999, 0);
            case "ema":
                if (arg.Length == 0) return (AveragingKind.Ema, 0.999, 0);
                if (double.TryParse(arg, NumberStyles.Float, CultureInfo.InvariantCulture, out double d) && d is >= 0 and < 1)
                    return (AveragingKind.Ema, d, 0);
                throw new ArgumentException($"Averaging '{text}': the EMA decay must be a number in [0, 1), e.g. ema:0.999.");
            case "swa":
                if (arg.Length == 0) return (AveragingKind.Swa, 0.999, 0);
                if (int.TryParse(arg, NumberStyles.None, CultureInfo.InvariantCulture, out int from) && from >= 1)
                    return (AveragingKind.Swa, 0.999, from);
                throw new ArgumentException($"Averaging '{text}': SWA's start must be an epoch ≥ 1, e.g. swa:10.");
            default:
                throw new ArgumentException($"Unknown averaging '{text}': expected none, ema[:DECAY] or swa[:FROM_EPOCH].");
        }
    }

    /// <summary>"none", "ema" or "swa": the kind <see cref="ParseAveraging"/> reads (without its argument).</summary>
    public static string AveragingName(AveragingKind kind) => kind switch
    {
        AveragingKind.None => "none",
        AveragingKind.Ema => "ema",
        AveragingKind.Swa => "swa",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown averaging."),
    };

    public static OptimizerKind ParseOptimizer(string name) => name.Trim().ToLowerInvariant() switch
    {
        "gd" or "gradient-descent" => OptimizerKind.GradientDescent,
        "sgd" => OptimizerKind.Sgd,
        "momentum" => OptimizerKind.Momentum,
        "nesterov" => OptimizerKind.Nesterov,
        "adam" => OptimizerKind.Adam,
        "lbfgs" or "l-bfgs" => OptimizerKind.Lbfgs,
        "cg" or "fmincg" => OptimizerKind.ConjugateGradient,
        "tnc" => OptimizerKind.TruncatedNewton,
        _ => throw new ArgumentException($"Unknown optimizer '{name}': expected gd, sgd, momentum, nesterov, adam, lbfgs, cg or tnc."),
    };

    public static string OptimizerName(OptimizerKind kind) => kind switch
    {
        OptimizerKind.GradientDescent => "gd",
        OptimizerKind.ConjugateGradient => "cg",
        OptimizerKind.TruncatedNewton => "tnc",
        _ => kind.ToString().ToLowerInvariant(),
    };

    public static ScheduleKind ParseSchedule(string name) => name.Trim().ToLowerInvariant() switch
    {
        "constant" => ScheduleKind.Constant,
        "invscaling" or "inverse-scaling" => ScheduleKind.InverseScaling,
        "adaptive" => ScheduleKind.Adaptive,
        "step" or "step-decay" => ScheduleKind.StepDecay,
        "cosine" => ScheduleKind.Cosine,
        _ => throw new ArgumentException($"Unknown learning-rate schedule '{name}': expected constant, invscaling, adaptive, step or cosine."),
    };

    /// <summary>The schedule's command-line name: constant, invscaling, adaptive, step or cosine.</summary>
    public static string ScheduleName(ScheduleKind kind) => kind switch
    {
        ScheduleKind.InverseScaling => "invscaling",
        ScheduleKind.StepDecay => "step",
        _ => kind.ToString().ToLowerInvariant(),
    };

    /// <summary>Full-batch minimizers ignore batch size, learning rate and schedule.</summary>
    public bool IsFullBatchMinimizer => Optimizer is OptimizerKind.Lbfgs or OptimizerKind.ConjugateGradient or OptimizerKind.TruncatedNewton;

    /// <summary>The learning rate's course in words (<see cref="LearningRateSchedule.ToString"/>): "constant", "step x0.3 every 5 epochs",
    /// "cosine to 0", "invscaling power 0.5", "adaptive"; "none (line search)" for L-BFGS, CG and TNC.</summary>
    public string ScheduleText() => IsFullBatchMinimizer ? "none (line search)" : LearningRateSchedule.For(this).ToString();

    /// <summary>e.g. "adam epochs=12 batch=100 lr=0.001 lambda=0", followed by the schedule, dropout, augmentation and averaging when used.</summary>
    public override string ToString()
    {
        var c = CultureInfo.InvariantCulture;
        // L-BFGS and CG take whole-data steps with their own line search: batch size and learning rate do not apply.
        if (Optimizer == OptimizerKind.TruncatedNewton) return string.Create(c, $"tnc maxfun={Epochs} lambda={Lambda}");
        if (IsFullBatchMinimizer) return string.Create(c, $"{OptimizerName(Optimizer)} iterations={Epochs} lambda={Lambda}");
        var text = string.Create(c, $"{OptimizerName(Optimizer)} epochs={Epochs} batch={BatchSize} lr={LearningRate} lambda={Lambda}");
        text += Schedule switch
        {
            ScheduleKind.Cosine => string.Create(c, $" schedule=cosine{(MinLearningRate > 0 ? $"(min {MinLearningRate})" : "")}"),
            ScheduleKind.StepDecay => string.Create(c, $" schedule=step(x{DecayFactor} every {DecayEvery} epoch{(DecayEvery == 1 ? "" : "s")})"),
            ScheduleKind.InverseScaling => string.Create(c, $" schedule=invscaling(power {PowerT})"),
            ScheduleKind.Adaptive => " schedule=adaptive",
            _ => "",
        };
        if (Dropout > 0) text += string.Create(c, $" dropout={Dropout}");
        if (InputDropout > 0) text += string.Create(c, $" input-dropout={InputDropout}");
        if (ShiftPixels > 0) text += string.Create(c, $" shift={ShiftPixels}");
        if (ElasticAlpha > 0) text += " augment=" + ElasticDistortion.Format(ElasticSigma, ElasticAlpha, ElasticRotation, ElasticScale);
        if (Averaging == AveragingKind.Ema) text += string.Create(c, $" average=ema:{AveragingDecay}{(AverageFromEpoch > 1 ? $" from epoch {AverageFromEpoch}" : "")}");
        if (Averaging == AveragingKind.Swa) text += string.Create(c, $" average=swa:{AveragingStart}");
        if (!TrackTrainAccuracy) text += " train-accuracy=off";
        else if (TrainAccuracyRows > 0) text += string.Create(c, $" train-accuracy={TrainAccuracyRows} rows");
        return text;
    }
}
