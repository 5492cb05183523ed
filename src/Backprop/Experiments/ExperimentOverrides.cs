using Backprop.Initialization;
using Backprop.Layers;
using Backprop.Losses;
using Backprop.Models;
using Backprop.Training;

namespace Backprop.Experiments;

/// <summary>
/// Changes to a preset for one run (null = keep the preset's value). <see cref="ApplyTo"/> gives the preset
/// that actually runs; <see cref="ExperimentResult.Preset"/> is that preset.
/// </summary>
public sealed record ExperimentOverrides
{
    /// <summary>A built-in set name or a data file.</summary>
    public string? Data { get; init; }
    public int? Epochs { get; init; }
    public double? Lambda { get; init; }
    public double? LearningRate { get; init; }
    public int? BatchSize { get; init; }
    /// <summary>Hidden layer sizes (empty: no hidden layer).</summary>
    public int[]? HiddenLayers { get; init; }
    /// <summary>Full layer sizes, input to output; checked against the data when the experiment is prepared.</summary>
    public int[]? Layers { get; init; }
    public Activation? HiddenActivation { get; init; }
    public Activation? OutputActivation { get; init; }
    /// <summary>The loss (null: the preset's, or the one that goes with a new output activation).</summary>
    public Loss? Loss { get; init; }
    public OptimizerKind? Optimizer { get; init; }
    public ScheduleKind? Schedule { get; init; }
    public double? Momentum { get; init; }
    public Initializer? Initializer { get; init; }
    public Scaling? Scaling { get; init; }
    /// <summary>Seeds the initial weights, the shuffles and the stratified split.</summary>
    public int? Seed { get; init; }
    public Precision? Precision { get; init; }
    /// <summary>Stratified validation fraction (replaces the preset's validation rule; 0 = none).</summary>
    public double? ValidFraction { get; init; }
    /// <summary>A validation data file (replaces the preset's validation rule).</summary>
    public string? ValidFile { get; init; }
    /// <summary>A test data file.</summary>
    public string? TestFile { get; init; }
    /// <summary>Applied last to the training options, for anything not listed above.</summary>
    public Func<TrainingOptions, TrainingOptions>? Training { get; init; }

    /// <summary>A step-decay period of <paramref name="every"/> in <paramref name="epochs"/> epochs, stretched to a run of
    /// <paramref name="newEpochs"/> (at least 1 epoch): 5 of 12 → 83 of 200, so the rate is not frozen by a long run.</summary>
    public static int ScaledDecayPeriod(int every, int epochs, int newEpochs) =>
        Math.Max(1, (int)Math.Round((double)every * newEpochs / epochs, MidpointRounding.AwayFromZero));

    /// <summary>The preset with these changes.</summary>
    public ExperimentPreset ApplyTo(ExperimentPreset preset)
    {
        ArgumentNullException.ThrowIfNull(preset);
        var t = preset.Training;
        if (Epochs is { } e)
        {
            t = t with { Epochs = e };
            if (preset.DecayScalesWithEpochs && t.Schedule == ScheduleKind.StepDecay)
                t = t with { DecayEvery = ScaledDecayPeriod(preset.Training.DecayEvery, preset.Training.Epochs, e) };
        }
        if (Lambda is { } l) t = t with { Lambda = l };
        if (LearningRate is { } lr) t = t with { LearningRate = lr };
        if (BatchSize is { } b) t = t with { BatchSize = b };
        if (Optimizer is { } o) t = t with { Optimizer = o };
        if (Schedule is { } s) t = t with { Schedule = s };
        if (Momentum is { } m) t = t with { Momentum = m };
        if (Seed is { } seed) t = t with { Seed = seed };
        if (Training is { } f) t = f(t);
        var split = preset.Split;
        if (ValidFraction is { } vf) split = split with { ValidFraction = vf, ValidCount = 0, ValidFile = null };
        if (ValidFile is { } vfile) split = split with { ValidFile = vfile, ValidCount = 0, ValidFraction = 0 };
        if (TestFile is { } tfile) split = split with { TestFile = tfile };
        return preset with
        {
            Data = Data ?? preset.Data,
            HiddenLayers = Layers is { Length: >= 2 } layers ? layers[1..^1] : HiddenLayers ?? preset.HiddenLayers,
            HiddenActivation = HiddenActivation ?? preset.HiddenActivation,
            OutputActivation = OutputActivation ?? preset.OutputActivation,
            Loss = Loss ?? (OutputActivation is null ? preset.Loss : null),
            Initializer = Initializer ?? preset.Initializer,
            Scaling = Scaling ?? preset.Scaling,
            FileScaling = Scaling ?? preset.FileScaling,
            Split = split,
            Training = t,
            Seed = Seed ?? preset.Seed,
            Precision = Precision ?? preset.Precision,
        };
    }
}
