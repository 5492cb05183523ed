using System.Globalization;

namespace Backprop.Experiments;

/// <summary>The hyperparameter a <see cref="Sweep"/> varies.</summary>
public enum SweepParameter
{
    /// <summary>L2 strength λ (Backprop's convention).</summary>
    Lambda,
    /// <summary>Hidden layer sizes, e.g. [25] or [100, 50].</summary>
    Hidden,
    /// <summary>Learning rate.</summary>
    LearningRate,
}

/// <summary>One run of a sweep.</summary>
/// <param name="Value">The swept value as written ("0.1", "100-50").</param>
/// <param name="SeedFigure">The seed's published figure for this value, when it has one (ex4's λ = 0 / 1 / 20 accuracies).</param>
public sealed record SweepRow(SweepParameter Parameter, string Value, ExperimentResult Result, SeedFigure? SeedFigure);

/// <summary>Runs one preset once per value of one hyperparameter, everything else unchanged.</summary>
public static class Sweep
{
    /// <summary>"0,1,20" → ["0", "1", "20"]; for <see cref="SweepParameter.Hidden"/>, "25,50,100-50" → [25], [50], [100, 50].</summary>
    public static IReadOnlyList<string> ParseValues(SweepParameter parameter, string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var values = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (values.Length == 0) throw new ArgumentException($"No values to sweep in '{text}'.");
        foreach (var v in values)
        {
            if (parameter == SweepParameter.Hidden) ParseHidden(v);
            else ParseNumber(parameter, v);
        }
        return values;
    }

    /// <summary><paramref name="preset"/> with <paramref name="parameter"/> set to <paramref name="value"/>; an <see cref="ArgumentException"/> names a bad value.</summary>
    public static ExperimentPreset Apply(SweepParameter parameter, string value, ExperimentPreset preset)
    {
        ArgumentNullException.ThrowIfNull(value);
        ArgumentNullException.ThrowIfNull(preset);
        return parameter switch
        {
            SweepParameter.Hidden => preset with { HiddenLayers = ParseHidden(value) },
            SweepParameter.Lambda => preset with { Training = preset.Training with { Lambda = ParseNumber(parameter, value) } },
            _ => preset with { Training = preset.Training with { LearningRate = ParseNumber(parameter, value) } },
        };
    }

    /// <summary>"100-50" → [100, 50].</summary>
    private static int[] ParseHidden(string value)
    {
        var parts = value.Split('-', StringSplitOptions.TrimEntries);
        var sizes = new int[parts.Length];
        for (int i = 0; i < parts.Length; i++)
            if (!int.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out sizes[i]) || sizes[i] < 1)
                throw new ArgumentException($"Hidden layer sizes '{value}': '{parts[i]}' is not a positive whole number (write several layers as 100-50).");
        return sizes;
    }

    /// <summary>A λ (≥ 0) or a learning rate (&gt; 0).</summary>
    private static double ParseNumber(SweepParameter parameter, string value)
    {
        if (!double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) || !double.IsFinite(d))
            throw new ArgumentException($"'{value}' is not a number.");
        if (parameter == SweepParameter.Lambda)
            return d >= 0 ? d : throw new ArgumentException($"λ must be ≥ 0, got {value}.");
        return d > 0 ? d : throw new ArgumentException($"The learning rate must be positive, got {value}.");
    }

    /// <summary>The seed figure of <paramref name="preset"/> for λ = <paramref name="lambda"/>: "train_accuracy (λ = v)",
    /// or the plain "train_accuracy" when v is the preset's own λ.</summary>
    public static SeedFigure? SeedFigureForLambda(ExperimentPreset preset, double lambda)
    {
        var perLambda = preset.SeedFigures.Where(f => f.BaseMetric == "train_accuracy" && f.Lambda is not null).ToList();
        bool anyWithIterations = perLambda.Any(f => f.Iterations is not null);
        return perLambda.FirstOrDefault(f => f.Lambda == lambda && f.AppliesTo(preset.Training.Epochs))
            ?? (lambda == preset.Training.Lambda && !anyWithIterations ? preset.SeedFigures.FirstOrDefault(f => f.Metric == "train_accuracy") : null);
    }

    /// <summary>
    /// Runs <paramref name="preset"/> for every value, in order. Configuration errors surface before the first run.
    /// <paramref name="onEpoch"/> sees (value, epoch) during each run; <paramref name="onRow"/> each finished run.
    /// </summary>
    public static IReadOnlyList<SweepRow> Run(ExperimentPreset preset, SweepParameter parameter, IReadOnlyList<string> values,
        Action<SweepRow>? onRow = null, Action<string, Training.EpochRecord>? onEpoch = null, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(preset);
        ArgumentNullException.ThrowIfNull(values);
        var prepared = values.Select(v => (Value: v, Experiment: Experiment.Prepare(Apply(parameter, v, preset)))).ToList();
        var rows = new List<SweepRow>();
        foreach (var (value, experiment) in prepared)
        {
            if (cancellation.IsCancellationRequested) break;
            var result = experiment.Run(onEpoch is null ? null : e => onEpoch(value, e), cancellation);
            var figure = parameter == SweepParameter.Lambda ? SeedFigureForLambda(result.Preset, result.Preset.Training.Lambda) : null;
            var row = new SweepRow(parameter, value, result, figure);
            rows.Add(row);
            onRow?.Invoke(row);
        }
        return rows;
    }
}
