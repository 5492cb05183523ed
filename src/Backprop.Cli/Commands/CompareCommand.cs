using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using Backprop.Experiments;

namespace Backprop.Cli.Commands;

/// <summary>
/// <c>backprop compare PRESET</c>: runs the preset (overrides allowed) and prints our figures beside the ones the
/// seed published — those are constants copied from the seed, labelled as such.
/// </summary>
internal static class CompareCommand
{
    public static Command Create()
    {
        var x = new ExperimentOptions();
        var preset = ExperimentOptions.PresetArgument("The preset to run");
        var printEvery = TrainingProgress.PrintEveryOption();
        var json = Options.Json();
        var command = new Command("compare", "Run a preset and show our figures beside the seed's published ones");
        x.AddTo(command, preset, printEvery, json);
        command.SetAction(parse =>
        {
            var output = CommandOutput.Of(parse, json);
            var (stdout, progress, asJson) = output;
            var c = CultureInfo.InvariantCulture;
            int? every = TrainingProgress.PrintEvery(parse, printEvery);
            var (_, prepared) = x.Prepare(parse, preset);
            var run = prepared.Preset;
            x.ApplyThreads(parse);
            foreach (var warning in x.Warnings(parse, run)) parse.InvocationConfiguration.Error.WriteLine($"backprop: warning: {warning}");
            progress.WriteLine($"preset     {run.Name} on {prepared.Source.Name}: {run.Description}");
            if (run.Recipe.Length > 0) progress.WriteLine($"recipe     {run.Recipe}");
            var result = TrainingProgress.Run(output, prepared, every);
            var rows = run.SeedFigures.Select(f => (Figure: f, Ours: result.Figure(f.Metric))).ToList();
            if (asJson)
            {
                Cli.WriteJson(stdout, new JsonObject
                {
                    ["preset"] = run.Name,
                    ["data"] = prepared.Source.Name,
                    ["network"] = result.Model.Spec.ToString(),
                    ["training"] = run.Training.ToString(),
                    ["epochs"] = result.Epochs,
                    ["seconds"] = result.Seconds,
                    ["train_accuracy"] = result.TrainAccuracy,
                    ["valid_accuracy"] = result.ValidAccuracy,
                    ["test_accuracy"] = result.TestAccuracy,
                    ["target"] = TrainCommand.TargetJson(run, result),
                    ["figures"] = new JsonArray(rows.Select(r => (JsonNode)new JsonObject
                    {
                        ["metric"] = r.Figure.Metric,
                        ["ours"] = r.Ours,
                        ["seed"] = r.Figure.Value,
                        ["seed_source"] = r.Figure.Source,
                        ["seed_kind"] = "published seed figure (constant)",
                        ["difference"] = r.Ours - r.Figure.Value,
                        ["meets"] = r.Ours is double o && r.Figure.Differs is null ? r.Figure.Meets(o) : null,
                        ["differs"] = r.Figure.Differs,
                    }).ToArray()),
                });
                return Cli.Ok;
            }
            string stop = result.StopReason.TrimEnd('.');
            if (stop.Length > 0) stop = char.ToLowerInvariant(stop[0]) + stop[1..];
            stdout.WriteLine(string.Create(c, $"trained    {result.Model.Spec}: {stop} in {result.Seconds:F1} s"));
            if (rows.Count == 0)
            {
                stdout.WriteLine($"'{run.Name}' is not a seed experiment: it has no published figures. Ours: train {Pct(result.TrainAccuracy)}, valid {Pct(result.ValidAccuracy)}, test {Pct(result.TestAccuracy)}.");
                if (TrainCommand.TargetLine(run, result) is { } targetLine) stdout.WriteLine(targetLine);
                return Cli.Ok;
            }
            stdout.WriteLine($"{"metric",-40} {"ours",9} {"seed",9} {"ours − seed",12}");
            foreach (var (f, ours) in rows)
            {
                string diff = ours is double o ? ((o - f.Value) * (f.IsAccuracy ? 100 : 1)).ToString(f.IsAccuracy ? "+0.00;−0.00;0.00" : "+0.000000;−0.000000", c) + (f.IsAccuracy ? " pt" : "") : "";
                string verdict = ours is double o2 ? "  " + f.Verdict(o2) : f.Metric.Contains("λ =", StringComparison.Ordinal) ? "  (not measured by this run: backprop sweep --lambda)" : "  (not measured by this run)";
                stdout.WriteLine($"{f.Metric,-40} {Fmt(ours, f),9} {Fmt(f.Value, f),9} {diff,12}{verdict}");
            }
            stdout.WriteLine("seed       = figures published by the seed experiment (constants copied from its text, not measured here):");
            foreach (var f in run.SeedFigures.Select(f => f.Source).Distinct()) stdout.WriteLine($"           {f}");
            return Cli.Ok;
        });
        return command;
    }

    private static string Pct(double? v) => TrainingProgress.Percent(v);

    private static string Fmt(double? v, SeedFigure f) => v is double d ? (f.IsAccuracy ? Pct(d) : d.ToString("F6", CultureInfo.InvariantCulture)) : "–";
}
