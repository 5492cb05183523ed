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
    public Option<string?> Scaling { get; } = new("--scaling") { Description = "none, minmax, minmax-symmetric, standardize, pixels (0..255 → [0,1]), pixels-symmetric" };
    public Option<string?> Valid { get; } = new("--valid") { Description = "Validation: a fraction of the training data held out (stratified; 0 = none) or a data file" };
    public Option<string?> Test { get; } = new("--test") { Description = "Test data file" };
    public Option<string?> Precision { get; } = new("--precision") { Description = "float32 or float64" };
    public Option<int?> Threads { get; } = new("--threads") { Description = "Threads for the numeric kernels (default: all cores)" };

    public IEnumerable<Option> All => single
        ? [Preset, Data, Layers, Activation, Output, Loss, Optimizer, Epochs, Batch, Lr, Schedule, DecayFactor, DecayEvery, PowerT, MinLr, Momentum, Lambda,
           Dropout, InputDropout, Shift, Augment, Average, NoShuffle, Stall, Patience, Seed, Init, Scaling, Valid, Test, Precision, Threads]
        : [Preset, Data, Activation, Output, Loss, Optimizer, Epochs, Batch, Schedule, DecayFactor, DecayEvery, PowerT, MinLr, Momentum,
           Dropout, InputDropout, Shift, Augment, Average, NoShuffle, Stall, Patience, Seed, Init, Scaling, Valid, Test, Precision, Threads];

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

    /// <summary>The preset, the command line's overrides and the experiment prepared from them (data loaded and checked).</summary>
    public (ExperimentPreset Preset, ExperimentOverrides Overrides, PreparedExperiment Prepared) Prepare(ParseResult parse, Argument<string>? presetArgument = null)
    {
        var preset = ResolvePreset(parse, presetArgument);
        var overrides = Overrides(parse, preset);
        return (preset, overrides, Prepare(preset, overrides));
    }

    /// <summary>The preset named by the argument when the command has one, else by --preset (else the default).</summary>
    public ExperimentPreset ResolvePreset(ParseResult parse, Argument<string>? presetArgument = null)
    {
        var (name, what) = presetArgument is null ? (parse.GetValue(Preset) ?? defaultPreset, "--preset: ") : (parse.GetValue(presetArgument)!, "");
        try { return Presets.Get(name); }
        catch (ArgumentException e) { throw new UsageException(what + e.Message); }
    }

    /// <summary>The overrides the command line gives; bad values are usage errors (exit 2). Applies --threads.</summary>
    public ExperimentOverrides Overrides(ParseResult parse, ExperimentPreset preset)
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
        (double Sigma, double Alpha, double Rotation, double Scale)? elastic = null;
        if (parse.GetValue(Augment) is { } augment)
        {
            try { elastic = ElasticDistortion.Parse(augment); }
            catch (ArgumentException e) { throw new UsageException($"--augment: {e.Message}"); }
        }
        (AveragingKind Kind, double Decay, int From)? averaging = null;
        if (parse.GetValue(Average) is { } average)
        {
            try { averaging = TrainingOptions.ParseAveraging(average); }
            catch (ArgumentException e) { throw new UsageException($"--average: {e.Message}"); }
            int lastEpoch = parse.GetValue(Epochs) ?? preset.Training.Epochs;
            if (averaging.Value.From > lastEpoch) throw new UsageException($"--average {average}: averaging cannot start after the last epoch ({lastEpoch}).");
        }
        if (parse.GetValue(MinLr) is double min && min > (Get(parse, Lr) ?? preset.Training.LearningRate))
            throw new UsageException($"--min-lr {min.ToString(c)}: the cosine schedule's final rate cannot exceed the learning rate ({(Get(parse, Lr) ?? preset.Training.LearningRate).ToString(c)}).");
        if (parse.GetValue(Threads) is int threads)
        {
            Options.RequirePositive(threads, "--threads");
            Numerics.Parallelism.MaxThreads = threads;
        }
        int[]? layers = single && parse.GetValue(Layers) is { } layerText ? Options.ParseLayers(layerText) : null;
        double? validFraction = null;
        string? validFile = null;
        if (parse.GetValue(Valid) is { } valid)
        {
            if (double.TryParse(valid, NumberStyles.Float, c, out var fraction))
            {
                if (!(fraction >= 0 && fraction < 1)) throw new UsageException($"--valid must be a fraction in [0, 1) or a data file, got {valid}.");
                validFraction = fraction;
            }
            else validFile = RequireFile(valid, "--valid");
        }
        string? testFile = parse.GetValue(Test) is { } test ? RequireFile(test, "--test") : null;
        string? data = parse.GetValue(Data);
        if (data is not null && !DataSource.IsBuiltin(data)) RequireFile(data, "--data");
        Scaling? scaling = parse.GetValue(Scaling) is { } s ? ParseScaling(s) : null;
        // Backprop's own recipe on other data: choose the scaling from the data, as before presets existed.
        if (scaling is null && data is not null && ReferenceEquals(preset, Presets.Default) && !string.Equals(data, "mnist", StringComparison.OrdinalIgnoreCase))
            scaling = AutoScaling(DataSource.Load(data).Train);
        try
        {
            return new ExperimentOverrides
            {
                Data = data,
                Epochs = parse.GetValue(Epochs),
                Lambda = Get(parse, Lambda),
                LearningRate = Get(parse, Lr),
                BatchSize = parse.GetValue(Batch),
                Layers = layers,
                HiddenActivation = parse.GetValue(Activation) is { } a ? Options.ParseActivation(a, "--activation") : null,
                OutputActivation = parse.GetValue(Output) is { } o ? Options.ParseActivation(o, "--output") : null,
                Loss = parse.GetValue(Loss) is { } loss ? ParseLoss(loss) : null,
                Optimizer = parse.GetValue(Optimizer) is { } opt ? TrainingOptions.ParseOptimizer(opt) : null,
                Schedule = parse.GetValue(Schedule) is { } sch ? TrainingOptions.ParseSchedule(sch) : null,
                Momentum = parse.GetValue(Momentum),
                Initializer = parse.GetValue(Init) is { } init ? Initializer.Parse(init) : null,
                Scaling = scaling,
                Seed = parse.GetValue(Seed),
                Precision = parse.GetValue(Precision) switch
                {
                    null => null,
                    "float32" or "single" => Models.Precision.Float32,
                    "float64" or "double" => Models.Precision.Float64,
                    var p => throw new UsageException($"--precision '{p}': expected float32 or float64."),
                },
                ValidFraction = validFraction,
                ValidFile = validFile,
                TestFile = testFile,
                Training = t => t with
                {
                    DecayFactor = parse.GetValue(DecayFactor) ?? t.DecayFactor,
                    DecayEvery = parse.GetValue(DecayEvery) ?? t.DecayEvery,
                    EarlyStoppingPatience = parse.GetValue(Patience) ?? t.EarlyStoppingPatience,
                    MinLearningRate = parse.GetValue(MinLr) ?? t.MinLearningRate,
                    Dropout = parse.GetValue(Dropout) ?? t.Dropout,
                    InputDropout = parse.GetValue(InputDropout) ?? t.InputDropout,
                    ShiftPixels = parse.GetValue(Shift) ?? t.ShiftPixels,
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
    public static PreparedExperiment Prepare(ExperimentPreset preset, ExperimentOverrides overrides)
    {
        try { return Experiment.Prepare(preset, overrides); }
        catch (ArgumentException e) { throw new UsageException(e.Message); }
    }

    private static Losses.Loss ParseLoss(string text)
    {
        try { return Losses.LossFunctions.Parse(text); }
        catch (ArgumentException e) { throw new UsageException($"--loss: {e.Message}"); }
    }

    private static string RequireFile(string path, string option)
    {
        if (Directory.Exists(path)) throw new UsageException($"{option} {path}: is a directory, not a data file.");
        if (!File.Exists(path)) throw new UsageException($"{option} '{path}': {(option == "--data" ? "neither a built-in data set (mnist, digits, flower, spiral) nor an existing file" : "no such file")}.");
        return path;
    }

    /// <summary>Values within 0..255 reaching above 16 (the 8x8 digits' 0..16 range is scaled by its own min/max).</summary>
    private static bool LooksLikePixels(double[] features) =>
        features.Length > 0 && System.Numerics.Tensors.TensorPrimitives.Min<double>(features) >= 0
        && System.Numerics.Tensors.TensorPrimitives.Max<double>(features) is > 16 and <= 255;

    private static Scaling AutoScaling(Dataset train) =>
        train.Image is not null && LooksLikePixels(train.Features) ? Models.Scaling.Pixels : Models.Scaling.MinMax;

    public static Scaling ParseScaling(string text) => text.ToLowerInvariant() switch
    {
        "none" => Models.Scaling.None,
        "minmax" => Models.Scaling.MinMax,
        "minmax-symmetric" => Models.Scaling.MinMaxSymmetric,
        "standardize" => Models.Scaling.Standardize,
        "pixels" => Models.Scaling.Pixels,
        "pixels-symmetric" => Models.Scaling.PixelsSymmetric,
        _ => throw new UsageException($"--scaling '{text}': expected none, minmax, minmax-symmetric, standardize, pixels or pixels-symmetric."),
    };
}
