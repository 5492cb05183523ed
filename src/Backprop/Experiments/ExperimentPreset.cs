using System.Globalization;
using Backprop.Initialization;
using Backprop.Layers;
using Backprop.Losses;
using Backprop.Models;
using Backprop.Training;

namespace Backprop.Experiments;

/// <summary>
/// A figure a seed experiment published (a constant copied from its text, not something Backprop measured).
/// </summary>
/// <param name="Metric">What was measured, named like <see cref="ExperimentResult"/>'s figures where one matches
/// ("train_accuracy", "valid_accuracy", "test_accuracy"); other figures say what they are, e.g. "train_accuracy (λ = 0)".</param>
/// <param name="Value">Accuracies as fractions 0..1, costs as they were printed.</param>
/// <param name="Source">Where the figure comes from, and on what data.</param>
/// <param name="Decimals">The decimals the seed printed the figure with (accuracies as fractions: 4 for "98.67 %"); ours is
/// rounded to them before it is judged, so 296/300 = 98.666… % meets a printed 98.67 %.</param>
/// <param name="Differs">What differs between the seed's measurement and ours (data, initial draws, protocol), when
/// something does; then the figure is shown beside ours but never called met.</param>
public sealed record SeedFigure(string Metric, double Value, string Source, int Decimals = 4, string? Differs = null)
{
    /// <summary>"meets" or "below" when like is compared with like; otherwise "above"/"below" with what differs.</summary>
    public string Verdict(double ours) => Differs is null ? (Meets(ours) ? "meets" : "below")
        : $"{(Meets(ours) == IsAccuracy ? "at or above" : "below")}, not like for like: {Differs}";

    private static readonly System.Text.RegularExpressions.Regex Qualifier =
        new(@"\(λ = ([0-9]+(?:\.[0-9]+)?)(?:, ([0-9]+) iterations)?\)", System.Text.RegularExpressions.RegexOptions.CultureInvariant);

    /// <summary>The λ of a figure named like "train_accuracy (λ = 20)" or "train_accuracy (λ = 0, 5000 iterations)"; null for others.</summary>
    public double? Lambda => Qualifier.Match(Metric) is { Success: true } m ? double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) : null;

    /// <summary>The iteration count of a figure named like "train_accuracy (λ = 0, 5000 iterations)"; null when it names none.</summary>
    public int? Iterations => Qualifier.Match(Metric) is { Success: true } m && m.Groups[2].Success ? int.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture) : null;

    /// <summary>The metric without its λ qualifier ("train_accuracy"), as <see cref="ExperimentResult.Figure"/> names it.</summary>
    public string BaseMetric => Qualifier.Replace(Metric, "").Trim();

    /// <summary>Whether a run with <paramref name="epochs"/> epochs may be set beside this figure (always, unless it names an iteration count).</summary>
    public bool AppliesTo(int epochs) => Iterations is not int n || n == epochs;

    /// <summary>Whether <paramref name="ours"/> meets the figure at its printed precision: accuracies at least as high, costs at most as high.</summary>
    public bool Meets(double ours) => IsAccuracy ? Math.Round(ours, Decimals) >= Value : Math.Round(ours, Decimals) <= Value;

    /// <summary>True for accuracies (shown as percentages).</summary>
    public bool IsAccuracy => Metric.Contains("accuracy", StringComparison.OrdinalIgnoreCase);

    public override string ToString() => IsAccuracy
        ? string.Create(CultureInfo.InvariantCulture, $"{Metric} {Value * 100:F2} % (seed figure: {Source})")
        : string.Create(CultureInfo.InvariantCulture, $"{Metric} {Value:G6} (seed figure: {Source})");
}

/// <summary>
/// A goal Backprop set itself for one of its own presets (not a figure any seed published).
/// </summary>
/// <param name="Metric">"test_accuracy", "valid_accuracy" or "train_accuracy", as <see cref="ExperimentResult.Figure"/> names them.</param>
/// <param name="Value">The accuracy to reach, 0..1.</param>
/// <param name="MaxSeconds">The wall time allowed for loading, training and evaluating, on the 2-core development machine.</param>
/// <param name="Note">Where the target comes from.</param>
public sealed record ExperimentTarget(string Metric, double Value, double MaxSeconds, string Note)
{
    /// <summary>True when <paramref name="result"/> reaches the accuracy (time is the caller's to judge: it includes loading).</summary>
    public bool IsMetBy(ExperimentResult result) => result?.Figure(Metric) is double v && v >= Value;

    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{Metric} ≥ {Value * 100:F2} % in ≤ {MaxSeconds:0} s (our own target: {Note})");
}

/// <summary>
/// How the data of an experiment is divided. The validation set comes from, in this order: <see cref="ValidFile"/>,
/// the last <see cref="ValidCount"/> training samples in file order (Raschka's <c>X_train[55000:]</c>), or a
/// stratified <see cref="ValidFraction"/>; none when all are unset. The test set comes from <see cref="TestFile"/>,
/// else the built-in set's own test part (MNIST's t10k) when <see cref="UseBuiltinTest"/>.
/// </summary>
public sealed record ExperimentSplit
{
    public double ValidFraction { get; init; }
    public int ValidCount { get; init; }
    public string? ValidFile { get; init; }
    public string? TestFile { get; init; }
    public bool UseBuiltinTest { get; init; } = true;

    /// <summary>Train on everything; no validation set.</summary>
    public static ExperimentSplit None { get; } = new();

    public void Validate()
    {
        if (!(ValidFraction >= 0 && ValidFraction < 1))
            throw new ArgumentException($"The validation fraction must be in [0, 1), got {ValidFraction.ToString(CultureInfo.InvariantCulture)}.");
        if (ValidCount < 0) throw new ArgumentException($"The validation size must be ≥ 0, got {ValidCount}.");
    }

    public override string ToString()
    {
        string valid = ValidFile is not null ? $"validation {ValidFile}"
            : ValidCount > 0 ? $"validation = last {ValidCount} training samples"
            : ValidFraction > 0 ? string.Create(CultureInfo.InvariantCulture, $"validation = stratified {ValidFraction:0.####}")
            : "no validation";
        string test = TestFile is not null ? $"test {TestFile}" : UseBuiltinTest ? "built-in test set" : "no test set";
        return $"{valid}, {test}";
    }
}

/// <summary>
/// One experiment, complete: the data, how it is split and scaled, the network, its initial weights, the
/// update rule with its regularization convention, the epochs, the precision, the seed — and the figures the
/// seed experiment published, to compare with. Run it with <see cref="Experiment.Run"/>; change parts with
/// <c>with { … }</c> (<c>p with { Training = p.Training with { Lambda = 3 } }</c>), and with <see cref="WithEpochs"/> and
/// <see cref="WithSeed"/> where one setting touches several.
/// </summary>
public sealed record ExperimentPreset
{
    public required string Name { get; init; }
    public required string Description { get; init; }
    /// <summary>A built-in set (mnist, digits, flower, spiral) or a data file (see <see cref="Data.DataSource"/>).</summary>
    public required string Data { get; init; }
    /// <summary>Hidden layer sizes; empty for logistic regression. The input and output sizes come from the data.</summary>
    public required int[] HiddenLayers { get; init; }
    public Activation HiddenActivation { get; init; } = Activation.Sigmoid;
    public Activation OutputActivation { get; init; } = Activation.Sigmoid;
    /// <summary>null: the loss that goes with the output (cross-entropy for sigmoid and softmax).</summary>
    public Loss? Loss { get; init; }
    public required Initializer Initializer { get; init; }
    public Scaling Scaling { get; init; } = Scaling.None;
    /// <summary>The largest raw pixel value for <see cref="Scaling.Pixels"/> / <see cref="Scaling.PixelsSymmetric"/> (255 for MNIST, 16 for the 8x8 digits).</summary>
    public double PixelMax { get; init; } = 255;
    /// <summary>The scaling when <see cref="Data"/> is a user's file rather than a built-in set; null: <see cref="Scaling"/>.</summary>
    public Scaling? FileScaling { get; init; }
    public ExperimentSplit Split { get; init; } = ExperimentSplit.None;
    public required TrainingOptions Training { get; init; }
    /// <summary>
    /// A step-decay schedule that belongs to the run's length: when <see cref="WithEpochs"/> changes the epochs, the
    /// period scales with them, so the rate falls by the same total factor over any run.
    /// </summary>
    public bool DecayScalesWithEpochs { get; init; }
    public Precision Precision { get; init; } = Precision.Float64;
    /// <summary>Seeds the initial weights (NumPy's <c>RandomState(seed)</c>) and the stratified split.</summary>
    public int Seed { get; init; }
    /// <summary>
    /// True: the mini-batch shuffles continue the generator that drew the initial weights (one <c>RandomState</c>
    /// for everything, as Raschka's <c>self.random</c>); false: shuffles use <c>RandomState(Training.Seed)</c>.
    /// </summary>
    public bool SharedRandomStream { get; init; }
    /// <summary>
    /// True: one generator, <c>RandomState(Seed)</c>, first generates the planar data set named by <see cref="Data"/>
    /// (flower or spiral, which then depends on the seed) and then draws the initial weights — a notebook that seeds
    /// once at the top and initializes without reseeding. False: the weights come from a fresh <c>RandomState(Seed)</c>.
    /// </summary>
    public bool WeightsAfterData { get; init; }
    /// <summary>
    /// True: no hidden layer, sigmoid outputs, trained as K separate one-vs-all logistic regressions from zero weights
    /// (the course's ex3 <c>oneVsAll</c>, see <see cref="Training.OneVsAll"/>) instead of one joint network.
    /// </summary>
    public bool OneVsAll { get; init; }
    /// <summary>
    /// When set, the run also reports the seed's own cost ("seed_cost"): the cross-entropy summed over the training
    /// samples and classes plus this factor times Σw² over the weights (no biases) — Raschka's <c>_compute_cost</c>
    /// with its l2 — beside Backprop's mean cost.
    /// </summary>
    public double? SeedCostL2 { get; init; }
    /// <summary>What the seed experiment published (constants from its text, never computed here).</summary>
    public IReadOnlyList<SeedFigure> SeedFigures { get; init; } = [];
    /// <summary>Backprop's own goal for its own presets (<c>best</c>); null for the seed experiments, whose figures are <see cref="SeedFigures"/>.</summary>
    public ExperimentTarget? Target { get; init; }
    /// <summary>The seed's recipe in its own terms, e.g. "reg 1e-3 on 0.5·reg·ΣW² → λ = reg·m = 0.3".</summary>
    public string Recipe { get; init; } = "";

    /// <summary>The preset run for <paramref name="epochs"/> epochs. A step-decay period that belongs to the run's length
    /// (<see cref="DecayScalesWithEpochs"/>) is stretched with it (<see cref="ScaledDecayPeriod"/>); set
    /// <see cref="TrainingOptions.DecayEvery"/> afterwards to fix another.</summary>
    public ExperimentPreset WithEpochs(int epochs)
    {
        var t = Training with { Epochs = epochs };
        if (DecayScalesWithEpochs && t.Schedule == ScheduleKind.StepDecay)
            t = t with { DecayEvery = ScaledDecayPeriod(Training.DecayEvery, Training.Epochs, epochs) };
        return this with { Training = t };
    }

    /// <summary>The preset with <paramref name="seed"/> for the initial weights, the stratified split and the shuffles.</summary>
    public ExperimentPreset WithSeed(int seed) => this with { Seed = seed, Training = Training with { Seed = seed } };

    /// <summary>A step-decay period of <paramref name="every"/> in <paramref name="epochs"/> epochs, stretched to a run of
    /// <paramref name="newEpochs"/> (at least 1 epoch): 5 of 12 → 83 of 200, so the rate is not frozen by a long run.</summary>
    public static int ScaledDecayPeriod(int every, int epochs, int newEpochs) =>
        Math.Max(1, (int)Math.Round((double)every * newEpochs / epochs, MidpointRounding.AwayFromZero));

    /// <summary>The scaling used for <paramref name="data"/> (built-in or a file); <see cref="Scaling.Auto"/> is chosen from the data when it is loaded.</summary>
    public Scaling ScalingFor(string data) => Backprop.Data.DataSource.IsBuiltin(data) ? Scaling : FileScaling ?? Scaling;

    /// <summary>Checks everything that can be checked without the data; an <see cref="ArgumentException"/> names the problem.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(Data)) throw new ArgumentException($"Preset '{Name}': no data given.");
        foreach (var h in HiddenLayers)
            if (h < 1) throw new ArgumentException($"Preset '{Name}': hidden layer sizes must be at least 1, got {string.Join(",", HiddenLayers)}.");
        if (HiddenActivation == Activation.Softmax) throw new ArgumentException("Softmax is an output activation; hidden layers cannot use it.");
        if (OneVsAll && (HiddenLayers.Length > 0 || OutputActivation != Activation.Sigmoid))
            throw new ArgumentException($"Preset '{Name}': one-vs-all training needs no hidden layer and sigmoid outputs.");
        if (!(PixelMax > 0) || !double.IsFinite(PixelMax)) throw new ArgumentException($"PixelMax must be positive, got {PixelMax}.");
        if (WeightsAfterData && Data.Trim().ToLowerInvariant() is not ("flower" or "spiral"))
            throw new ArgumentException($"Preset '{Name}': drawing the weights after the data needs the generated data set flower or spiral, not '{Data}'.");
        Split.Validate();
        try { Training.Validate(); }
        catch (ArgumentOutOfRangeException e) { throw new ArgumentException(e.Message.Split(" (Parameter")[0], e); }
    }

    public override string ToString() => Name;
}
