using System.CommandLine;
using System.Globalization;
using Backprop.Data;
using Backprop.Experiments;
using Backprop.Initialization;
using Backprop.Models;
using Backprop.Training;

namespace Backprop.Cli;

/// <summary>
/// The options that override an <see cref="ExperimentPreset"/> (train, sweep): every engine hyperparameter,
/// with no default of their own — what is not given comes from the preset.
/// </summary>
internal sealed class ExperimentOptions(bool forSweep = false, string defaultPreset = "default")
{
    /// <summary>False for sweep, whose --lambda, --lr and --hidden take lists (and --layers would fix what it varies).</summary>
    private readonly bool single = !forSweep;

    public Option<string?> Preset { get; } = new("--preset") { Description = $"Start from a preset: {string.Join(", ", Presets.Names)} (default: {defaultPreset}{(defaultPreset == "default" ? ", the README's main job" : "")})" };
    public Option<string?> Data { get; } = new("--data") { Description = "Built-in data set (mnist, digits, flower, spiral) or a file (.csv, .mat/.npz with X and y)" };
    public Option<string?> Layers { get; } = new("--layers") { Description = "Layer sizes from input to output, e.g. 784,100,10" };
    public Option<string?> Activation { get; } = new("--activation") { Description = "Hidden activation: sigmoid, tanh, relu, identity" };
    public Option<string?> Output { get; } = new("--output") { Description = "Output activation: softmax or sigmoid" };
    public Option<string?> Loss { get; } = new("--loss") { Description = "Loss: cross-entropy or squared-error (default: the one that goes with the output)" };
    public Option<string?> Optimizer { get; } = new("--optimizer") { Description = "gd, sgd, momentum, nesterov, adam, lbfgs, cg or tnc" };
    public Option<int?> Epochs { get; } = new("--epochs") { Description = "Epochs (iterations for lbfgs/cg; function evaluations, maxfun, for tnc)" };
    public Option<int?> Batch { get; } = new("--batch-size") { Description = "Mini-batch size (0 = full batch)" };
    public Option<double?> Lr { get; } = new("--lr") { Description = "Learning rate (on the mean mini-batch gradient)" };
    public Option<string?> Schedule { get; } = new("--schedule") { Description = "constant, invscaling, adaptive, step or cosine (annealed per epoch to --min-lr)" };
    public Option<double?> MinLr { get; } = new("--min-lr") { Description = "Cosine schedule: the final learning rate (default 0)" };
    public Option<double?> Dropout { get; } = new("--dropout") { Description = "Dropout rate on the hidden units during training, in [0, 1)" };
    public Option<double?> InputDropout { get; } = new("--input-dropout") { Description = "Dropout rate on the input features during training, in [0, 1)" };
    public Option<int?> Shift { get; } = new("--shift") { Description = "Augment image data: each training sample moved by a random translation of up to N pixels per direction" };
    public Option<string?> TrainAccuracy { get; } = new("--train-accuracy") { Description = "The training accuracy after every epoch: all (every training row, the default), off, or N (a fixed sample of N rows; a long run's epochs then skip most of a forward pass over the training set)" };
    public Option<string?> Augment { get; } = new("--augment") { Description = string.Create(CultureInfo.InvariantCulture,
        $"Augment image data: elastic[:SIGMA,ALPHA[,DEGREES,SCALE]] distorts each training sample (Simard et al. 2003): displacements smoothed by a Gaussian of σ pixels and scaled by α (default {ElasticDistortion.DefaultSigma},{ElasticDistortion.DefaultAlpha}), a rotation up to ±DEGREES ({ElasticDistortion.DefaultRotation}) and a size within 1 ± SCALE ({ElasticDistortion.DefaultScale}); none turns it off") };
    public Option<string?> Average { get; } = new("--average") { Description = "Weight averaging: none, ema[:DECAY] (per step, default 0.999) or swa[:FROM_EPOCH] (default: the last quarter); the average is evaluated and saved" };
    public Option<double?> DecayFactor { get; } = new("--decay-factor") { Description = "Step schedule: learning-rate factor per period" };
    public Option<int?> DecayEvery { get; } = new("--decay-every") { Description = "Step schedule: period in epochs" };
    public Option<double?> Momentum { get; } = new("--momentum") { Description = "Momentum of momentum/nesterov" };
    public Option<double?> Lambda { get; } = new("--lambda") { Description = "L2 regularization λ (ex4 convention: λ/2m·Σw², bias excluded)" };
    public Option<bool> NoShuffle { get; } = new("--no-shuffle") { Description = "Keep the mini-batches in data order" };
    public Option<double?> PowerT { get; } = new("--power-t") { Description = "Inverse-scaling schedule's exponent" };
    public Option<int?> Stall { get; } = new("--stop-when-stalled") { Description = "Stop when the training cost has not improved by 1e-4 for N epochs (0 = never)" };
    public Option<int?> Patience { get; } = new("--patience") { Description = "Early stopping: epochs without a better validation accuracy (0 = off)" };
    public Option<int?> Seed { get; } = new("--seed") { Description = "Random seed of the initial weights, shuffles and split (NumPy's RandomState)" };
    public Option<string?> Init { get; } = new("--init") { Description = "Initializer: ex4, uniform:EPS, uniform-fan, normal:STD, glorot, he (optionally @outin|@inout|@matlab)" };
    public Option<string?> Scaling { get; } = new("--scaling") { Description = "none, minmax, minmax-symmetric, standardize, pixels (0..255 → [0,1]), pixels-symmetric, or auto (pixels for 0..255 images, else minmax)" };
    public Option<string?> Valid { get; } = new("--valid") { Description = "Validation: a fraction of the training data held out (stratified; 0 = none) or a data file" };
    public Option<string?> Test { get; } = new("--test") { Description = "Test data file" };
    public Option<string?> Precision { get; } = new("--precision") { Description = "float32 or float64" };
    public Option<int?> Threads { get; } = new("--threads") { Description = "Threads for the numeric kernels (default: all cores)" };

    public IEnumerable<Option> All => single
        ? [Preset, Data, Layers, Activation, Output, Loss, Optimizer, Epochs, Batch, Lr, Schedule, DecayFactor, DecayEvery, PowerT, MinLr, Momentum, Lambda,
           Dropout, InputDropout, Shift, Augment, Average, TrainAccuracy, NoShuffle, Stall, Patience, Seed, Init, Scaling, Valid, Test, Precision, Threads]
        : [Preset, Data, Activation, Output, Loss, Optimizer, Epochs, Batch, Schedule, DecayFactor, DecayEvery, PowerT, MinLr, Momentum,
           Dropout, InputDropout, Shift, Augment, Average, TrainAccuracy, NoShuffle, Stall, Patience, Seed, Init, Scaling, Valid, Test, Precision, Threads];

    private T? Get<T>(ParseResult parse, Option<T?> option) where T : struct => single || All.Contains(option) ? parse.GetValue(option) : null;

    /// <summary>The PRESET argument of compare and report (which then take every option but --preset).</summary>
    public static Argument<string> PresetArgument(string description) =>
        new("preset") { Description = $"{description}: {string.Join(", ", Presets.Names)}" };

    /// <summary>
    /// Adds every option to <paramref name="command"/> (--preset only when the preset is not its argument), then the
    /// command's own <paramref name="more"/> options.
    /// </summary>
    public void AddTo(Command command, Argument<string>? presetArgument, params Option[] more)
    {
        if (presetArgument is not null) command.Arguments.Add(presetArgument);
        foreach (var o in All)
            if (presetArgument is null || o != Preset) command.Options.Add(o);
        foreach (var o in more) command.Options.Add(o);
    }

    /// <summary>The preset, and the experiment prepared from it with the command line's settings (data loaded and checked).</summary>
    public (ExperimentPreset Preset, PreparedExperiment Prepared) Prepare(ParseResult parse, Argument<string>? presetArgument = null)
    {
        var preset = ResolvePreset(parse, presetArgument);
        var prepared = Prepare(Apply(parse, preset));
        if (GivenLayers(parse) is { } layers)
        {
            try { prepared.CheckLayers(layers); }
            catch (ArgumentException e) { throw new UsageException(e.Message); }
        }
        return (preset, prepared);
    }

    /// <summary>The preset named by the argument when the command has one, else by --preset (else the default).</summary>
    public ExperimentPreset ResolvePreset(ParseResult parse, Argument<string>? presetArgument = null)
    {
        var (name, what) = presetArgument is null ? (parse.GetValue(Preset) ?? defaultPreset, "--preset: ") : (parse.GetValue(presetArgument)!, "");
        try { return Presets.Get(name); }
        catch (ArgumentException e) { throw new UsageException(what + e.Message); }
    }

    /// <summary>
    /// <paramref name="preset"/> with the command line's settings, as a <c>with</c> copy (the preset's training options a
    /// <c>with</c> copy too); bad values are usage errors (exit 2). Nothing else changes: <see cref="ApplyThreads"/> sets
    /// the thread count when the command runs.
    /// </summary>
    public ExperimentPreset Apply(ParseResult parse, ExperimentPreset preset)
    {
        var c = CultureInfo.InvariantCulture;
        if (parse.GetValue(Epochs) is int epochs) Options.RequirePositive(epochs, "--epochs");
        if (parse.GetValue(Batch) is < 0) throw new UsageException($"--batch-size must be ≥ 0, got {parse.GetValue(Batch)}.");
        if (Get(parse, Lr) is double lr && !(lr > 0 && double.IsFinite(lr))) throw new UsageException($"--lr must be a positive number, got {lr.ToString(c)}.");
        if (Get(parse, Lambda) is double lambda) Options.RequireNonNegative(lambda, "--lambda");
        if (parse.GetValue(Momentum) is double m && !(m >= 0 && m < 1)) throw new UsageException($"--momentum must be in [0, 1), got {m.ToString(c)}.");
        if (parse.GetValue(DecayFactor) is double df && !(df > 0 && df <= 1)) throw new UsageException($"--decay-factor must be in (0, 1], got {df.ToString(c)}.");
        if (parse.GetValue(DecayEvery) is int de) Options.RequirePositive(de, "--decay-every");
        if (parse.GetValue(PowerT) is double pt && !(pt >= 0 && double.IsFinite(pt))) throw new UsageException($"--power-t must be a number ≥ 0, got {pt.ToString(c)}.");
        if (parse.GetValue(Stall) is < 0) throw new UsageException($"--stop-when-stalled must be ≥ 0, got {parse.GetValue(Stall)}.");
        if (parse.GetValue(Patience) is < 0) throw new UsageException($"--patience must be ≥ 0, got {parse.GetValue(Patience)}.");
        if (parse.GetValue(MinLr) is double minLr && !(minLr >= 0 && double.IsFinite(minLr))) throw new UsageException($"--min-lr must be a number ≥ 0, got {minLr.ToString(c)}.");
        if (parse.GetValue(Dropout) is double dropout) Options.RequireRate(dropout, "--dropout");
        if (parse.GetValue(InputDropout) is double inputDropout) Options.RequireRate(inputDropout, "--input-dropout");
        if (parse.GetValue(Shift) is < 0) throw new UsageException($"--shift must be ≥ 0 pixels, got {parse.GetValue(Shift)}.");
        (bool Track, int Rows)? trainAccuracy = parse.GetValue(TrainAccuracy) switch
        {
            null => null,
            "all" => (true, 0),
            "off" => (false, 0),
            var n when int.TryParse(n, NumberStyles.None, c, out int rows) && rows > 0 => (true, rows),
            var n => throw new UsageException($"--train-accuracy '{n}': expected all, off or a number of rows (a positive whole number)."),
        };
        (double Sigma, double Alpha, double Rotation, double Scale)? elastic = null;
        if (parse.GetValue(Augment) is { } augment)
        {
            try { elastic = ElasticDistortion.Parse(augment); }
            catch (ArgumentException e) { throw new UsageException($"--augment: {e.Message}"); }
        }
        (AveragingKind Kind, double Decay, int From)? averaging = null;
        if (parse.GetValue(Average) is { } average)
        {
            averaging = Options.Parse(TrainingOptions.ParseAveraging, average, "--average");
            int lastEpoch = parse.GetValue(Epochs) ?? preset.Training.Epochs;
            if (averaging.Value.From > lastEpoch) throw new UsageException($"--average {average}: averaging cannot start after the last epoch ({lastEpoch}).");
        }
        if (parse.GetValue(MinLr) is double min && min > (Get(parse, Lr) ?? preset.Training.LearningRate))
            throw new UsageException($"--min-lr {min.ToString(c)}: the cosine schedule's final rate cannot exceed the learning rate ({(Get(parse, Lr) ?? preset.Training.LearningRate).ToString(c)}).");
        if (parse.GetValue(Threads) is int threads) Options.RequirePositive(threads, "--threads");
        int[]? layers = GivenLayers(parse);
        var split = preset.Split;
        if (parse.GetValue(Valid) is { } valid)
        {
            if (double.TryParse(valid, NumberStyles.Float, c, out var fraction))
            {
                if (!(fraction >= 0 && fraction < 1)) throw new UsageException($"--valid must be a fraction in [0, 1) or a data file, got {valid}.");
                split = split with { ValidFraction = fraction, ValidCount = 0, ValidFile = null };
            }
            else split = split with { ValidFile = RequireFile(valid, "--valid"), ValidCount = 0, ValidFraction = 0 };
        }
        if (parse.GetValue(Test) is { } test) split = split with { TestFile = RequireFile(test, "--test") };
        string? data = parse.GetValue(Data);
        if (data is not null && !DataSource.IsBuiltin(data)) RequireFile(data, "--data");
        Models.Scaling? scaling = parse.GetValue(Scaling) is { } s ? Options.Parse(Scalings.Parse, s, "--scaling") : null;
        var output = parse.GetValue(Output) is { } o ? Options.ParseActivation(o, "--output") : (Backprop.Layers.Activation?)null;
        var loss = parse.GetValue(Loss) is { } lossText ? Options.Parse(Losses.LossFunctions.Parse, lossText, "--loss") : (Losses.Loss?)null;
        var precision = parse.GetValue(Precision) is { } precisionText ? Options.Parse(Precisions.Parse, precisionText, "--precision") : (Models.Precision?)null;
        try
        {
            // The epochs first: a step-decay period that belongs to the run's length scales with them (an explicit
            // --decay-every below wins); the seed seeds the weights, the split and the shuffles.
            var p = parse.GetValue(Epochs) is int e ? preset.WithEpochs(e) : preset;
            if (parse.GetValue(Seed) is int seed) p = p.WithSeed(seed);
            var t = p.Training;
            return p with
            {
                Data = data ?? p.Data,
                HiddenLayers = layers is { } l ? l[1..^1] : p.HiddenLayers,
                HiddenActivation = parse.GetValue(Activation) is { } a ? Options.ParseActivation(a, "--activation") : p.HiddenActivation,
                OutputActivation = output ?? p.OutputActivation,
                Loss = loss ?? (output is null ? p.Loss : null),   // a new output takes the loss that goes with it
                Initializer = parse.GetValue(Init) is { } init ? Initializer.Parse(init) : p.Initializer,
                Scaling = scaling ?? p.Scaling,
                FileScaling = scaling ?? p.FileScaling,
                Split = split,
                Precision = precision ?? p.Precision,
                Training = t with
                {
                    Lambda = Get(parse, Lambda) ?? t.Lambda,
                    LearningRate = Get(parse, Lr) ?? t.LearningRate,
                    BatchSize = parse.GetValue(Batch) ?? t.BatchSize,
                    Optimizer = parse.GetValue(Optimizer) is { } opt ? TrainingOptions.ParseOptimizer(opt) : t.Optimizer,
                    Schedule = parse.GetValue(Schedule) is { } sch ? TrainingOptions.ParseSchedule(sch) : t.Schedule,
                    Momentum = parse.GetValue(Momentum) ?? t.Momentum,
                    DecayFactor = parse.GetValue(DecayFactor) ?? t.DecayFactor,
                    DecayEvery = parse.GetValue(DecayEvery) ?? t.DecayEvery,
                    EarlyStoppingPatience = parse.GetValue(Patience) ?? t.EarlyStoppingPatience,
                    MinLearningRate = parse.GetValue(MinLr) ?? t.MinLearningRate,
                    Dropout = parse.GetValue(Dropout) ?? t.Dropout,
                    InputDropout = parse.GetValue(InputDropout) ?? t.InputDropout,
                    ShiftPixels = parse.GetValue(Shift) ?? t.ShiftPixels,
                    TrackTrainAccuracy = trainAccuracy?.Track ?? t.TrackTrainAccuracy,
                    TrainAccuracyRows = trainAccuracy?.Rows ?? t.TrainAccuracyRows,
                    ElasticSigma = elastic?.Sigma ?? t.ElasticSigma,
                    ElasticAlpha = elastic?.Alpha ?? t.ElasticAlpha,
                    ElasticRotation = elastic?.Rotation ?? t.ElasticRotation,
                    ElasticScale = elastic?.Scale ?? t.ElasticScale,
                    Averaging = averaging?.Kind ?? t.Averaging,
                    AveragingDecay = averaging?.Decay ?? t.AveragingDecay,
                    AverageFromEpoch = averaging?.From ?? t.AverageFromEpoch,
                    StopWhenStalled = parse.GetValue(Stall) ?? t.StopWhenStalled,
                    PowerT = parse.GetValue(PowerT) ?? t.PowerT,
                    Shuffle = !parse.GetValue(NoShuffle) && t.Shuffle,
                },
            };
        }
        catch (ArgumentException e) { throw new UsageException(e.Message); }
    }

    /// <summary>--threads, for the numeric kernels of this process: called when the command runs, before any training.</summary>
    public void ApplyThreads(ParseResult parse)
    {
        if (parse.GetValue(Threads) is not int threads) return;
        Options.RequirePositive(threads, "--threads");
        Numerics.Parallelism.MaxThreads = threads;
    }

    /// <summary>--layers as sizes (train and compare; sweep varies the hidden layers itself).</summary>
    private int[]? GivenLayers(ParseResult parse) => single && parse.GetValue(Layers) is { } text ? Options.ParseLayers(text) : null;

    /// <summary>
    /// The options given that do nothing in the run <paramref name="p"/> describes (after the overrides): a rate for a
    /// line-search optimizer, momentum for one without it, a batch size for a full-batch one, a schedule's knobs for
    /// another schedule. One sentence each, for a warning on stderr.
    /// </summary>
    public IEnumerable<string> Warnings(ParseResult parse, ExperimentPreset p)
    {
        var t = p.Training;
        string opt = TrainingOptions.OptimizerName(t.Optimizer);
        bool given(Option o) => All.Contains(o) && parse.GetResult(o) is { Implicit: false };
        if (t.IsFullBatchMinimizer)
        {
            foreach (var o in new Option[] { Lr, Batch, Schedule, DecayFactor, DecayEvery, MinLr, PowerT, Momentum, NoShuffle })
                if (given(o)) yield return $"{o.Name} does nothing with {opt}: it takes whole-data steps sized by its own line search.";
            yield break;
        }
        if (given(Momentum) && t.Optimizer is not (OptimizerKind.Momentum or OptimizerKind.Nesterov))
            yield return $"--momentum does nothing with {opt}: only momentum and nesterov use it.";
        if (given(Batch) && t.Optimizer == OptimizerKind.GradientDescent)
            yield return "--batch-size does nothing with gd: it steps on the whole training set (use sgd for mini-batches).";
        if (given(NoShuffle) && (t.Optimizer == OptimizerKind.GradientDescent || t.BatchSize == 0))
            yield return "--no-shuffle does nothing with full batches.";
        if ((given(DecayFactor) || given(DecayEvery)) && t.Schedule != ScheduleKind.StepDecay)
            yield return $"--decay-factor and --decay-every do nothing with the {TrainingOptions.ScheduleName(t.Schedule)} schedule: only step uses them.";
        if (given(MinLr) && t.Schedule != ScheduleKind.Cosine)
            yield return $"--min-lr does nothing with the {TrainingOptions.ScheduleName(t.Schedule)} schedule: only cosine uses it.";
        if (given(PowerT) && t.Schedule != ScheduleKind.InverseScaling)
            yield return $"--power-t does nothing with the {TrainingOptions.ScheduleName(t.Schedule)} schedule: only invscaling uses it.";
    }

    /// <summary>Loads, splits and checks; configuration errors become usage errors (exit 2).</summary>
    public static PreparedExperiment Prepare(ExperimentPreset preset)
    {
        try { return Experiment.Prepare(preset); }
        catch (ArgumentException e) { throw new UsageException(e.Message); }
    }

    private static string RequireFile(string path, string option)
    {
        if (Directory.Exists(path)) throw new UsageException($"{option} {path}: is a directory, not a data file.");
        if (!File.Exists(path)) throw new UsageException($"{option} '{path}': {(option == "--data" ? "neither a built-in data set (mnist, digits, flower, spiral) nor an existing file" : "no such file")}.");
        return path;
    }
}
