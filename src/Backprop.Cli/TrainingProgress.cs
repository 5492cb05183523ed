using System.CommandLine;
using System.Globalization;
using Backprop.Training;
using Spectre.Console;

namespace Backprop.Cli;

/// <summary>
/// Per-epoch progress of a training run: a live Spectre.Console display (progress bar, cost, train and
/// validation accuracy, elapsed time, ETA) when the output is a terminal, plain lines otherwise.
/// </summary>
internal static class TrainingProgress
{
    private static readonly CultureInfo C = CultureInfo.InvariantCulture;

    /// <summary>True when <paramref name="output"/> is the process's own stdout and that is a terminal.</summary>
    public static bool IsTerminal(TextWriter output) => ReferenceEquals(output, Console.Out) && !Console.IsOutputRedirected;

    /// <summary>Every epoch up to 100 epochs, else a round step giving about 20 lines (plus the first and last).</summary>
    public static int DefaultPrintEvery(int epochs)
    {
        if (epochs <= 100) return 1;
        foreach (int step in new[] { 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 20000, 50000 })
            if (step * 20 >= epochs) return step;
        return epochs / 20;
    }

    /// <summary>One progress line; the ETA extrapolates the epochs after the first (which also pays for JIT compilation and data loading).</summary>
    public static string Line(EpochRecord e, int epochs, double firstEpochSeconds) =>
        string.Create(C, $"epoch {e.Epoch,5}/{epochs,-5} cost {e.Cost,9:F5}  train {Pct(e.TrainAccuracy)}  valid {Pct(e.ValidAccuracy)}  {Seconds(e.Seconds),8}  ETA {(e.Epoch == 1 && epochs > 1 ? "…" : Seconds(Eta(e, epochs, firstEpochSeconds))),7}");

    public static string Pct(double? v) => v is double d ? (d * 100).ToString("F2", C).PadLeft(6) + " %" : "   –    ";

    /// <summary>"98.05 %", or <paramref name="missing"/> when there is no such figure.</summary>
    public static string Percent(double? v, string missing = "–") => v is double d ? (d * 100).ToString("F2", C) + " %" : missing;

    /// <summary>The --print-every option of train and compare.</summary>
    public static Option<int?> PrintEveryOption() =>
        new("--print-every") { Description = "Print a progress line every N epochs (default: every epoch up to 100, else about 20 lines)" };

    /// <summary>The value of --print-every, checked (at least 1); null when not given.</summary>
    public static int? PrintEvery(ParseResult parse, Option<int?> option)
    {
        if (parse.GetValue(option) is int n) Options.RequirePositive(n, "--print-every");
        return parse.GetValue(option);
    }

    /// <summary>
    /// Runs the prepared experiment with progress on <paramref name="output"/>.Progress (live on a terminal), a line
    /// every <paramref name="printEvery"/> epochs (default <see cref="DefaultPrintEvery"/>).
    /// </summary>
    public static Experiments.ExperimentResult Run(CommandOutput output, Experiments.PreparedExperiment prepared, int? printEvery, CancellationToken cancellation = default,
        Action<TrainingCheckpoint>? checkpoint = null, TrainingCheckpoint? resume = null, int checkpointEvery = 1)
    {
        int epochs = prepared.Preset.Training.Epochs;
        return Show(output.Progress, output.Live, epochs, printEvery ?? DefaultPrintEvery(epochs), onEpoch => prepared.Run(onEpoch, cancellation, checkpoint, resume, checkpointEvery));
    }

    private static double Eta(EpochRecord e, int epochs, double first) =>
        e.Epoch >= epochs ? 0 : (e.Seconds - first) / Math.Max(e.Epoch - 1, 1) * (epochs - e.Epoch);

    private static string Seconds(double s) => s < 100 ? s.ToString("F1", C) + " s" : s < 6000 ? $"{(int)(s / 60)}m{(int)(s % 60):00}s" : $"{(int)(s / 3600)}h{(int)(s % 3600 / 60):00}m";

    private static bool Due(EpochRecord e, int epochs, int printEvery) => e.Epoch == 1 || e.Epoch % printEvery == 0 || e.Epoch == epochs;

    /// <summary>
    /// Runs <paramref name="train"/>, giving it the per-epoch callback that shows progress on <paramref name="output"/>
    /// (live when <paramref name="live"/>). Epoch lines are printed every <paramref name="printEvery"/> epochs.
    /// </summary>
    public static T Show<T>(TextWriter output, bool live, int epochs, int printEvery, Func<Action<EpochRecord>, T> train)
    {
        double first = 0;
        void Remember(EpochRecord e) { if (e.Epoch == 1) first = e.Seconds; }
        if (!live)
        {
            return train(e =>
            {
                Remember(e);
                if (Due(e, epochs, printEvery)) output.WriteLine(Line(e, epochs, first));
            });
        }
        T result = default!;
        AnsiConsole.Progress()
            .AutoClear(true)
            .HideCompleted(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(),
                new ElapsedTimeColumn(), new RemainingTimeColumn())
            .Start(ctx =>
            {
                var task = ctx.AddTask(Markup.Escape($"epoch 0/{epochs}"), maxValue: epochs);
                result = train(e =>
                {
                    Remember(e);
                    task.Description = Markup.Escape(string.Create(C, $"epoch {e.Epoch}/{epochs}  cost {e.Cost:F5}  train {Pct(e.TrainAccuracy).Trim()}  valid {Pct(e.ValidAccuracy).Trim()}"));
                    task.Value = e.Epoch;
                    if (Due(e, epochs, printEvery)) AnsiConsole.WriteLine(Line(e, epochs, first));
                });
                task.Value = task.MaxValue;
            });
        return result;
    }
}
