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
        var preset = new Argument<string>("preset") { Description = $"The preset to run: {string.Join(", ", Presets.Names)}" };
        var printEvery = new Option<int?>("--print-every") { Description = "Print a progress line every N epochs" };
        var json = Options.Json();
        var command = new Command("compare", "Run a preset and show our figures beside the seed's published ones");
        command.Arguments.Add(preset);
        foreach (var o in x.All.Where(o => o != x.Preset)) command.Options.Add(o);
        command.Options.Add(printEvery);
        command.Options.Add(json);
        command.SetAction(parse =>
        {
            var stdout = parse.InvocationConfiguration.Output;
            bool asJson = parse.GetValue(json);
            var progress = asJson ? parse.InvocationConfiguration.Error : stdout;
            var c = CultureInfo.InvariantCulture;
            ExperimentPreset p;
            try { p = Presets.Get(parse.GetValue(preset)!); }
            catch (ArgumentException e) { throw new UsageException(e.Message); }
            if (parse.GetValue(printEvery) is int pe) Options.RequirePositive(pe, "--print-every");
            var prepared = ExperimentOptions.Prepare(p, x.Overrides(parse, p));
            var run = prepared.Preset;
            progress.WriteLine($"preset     {run.Name} on {prepared.Source.Name}: {run.Description}");
            if (run.Recipe.Length > 0) progress.WriteLine($"recipe     {run.Recipe}");
            bool live = !asJson && TrainingProgress.IsTerminal(stdout);
            var result = TrainingProgress.Show(progress, live, run.Training.Epochs,
                parse.GetValue(printEvery) ?? TrainingProgress.DefaultPrintEvery(run.Training.Epochs), onEpoch => prepared.Run(onEpoch));
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
                        ["meets"] = r.Ours is double o ? o >= r.Figure.Value : null,
                    }).ToArray()),
                });
                return Cli.Ok;
            }
            stdout.WriteLine(string.Create(c, $"trained    {result.Model.Spec}, {result.StopReason} in {result.Seconds:F1} s"));
            if (rows.Count == 0)
            {
                stdout.WriteLine($"'{run.Name}' is not a seed experiment: it has no published figures. Ours: train {Pct(result.TrainAccuracy)}, valid {Pct(result.ValidAccuracy)}, test {Pct(result.TestAccuracy)}.");
                if (TrainCommand.TargetLine(run, result) is { } targetLine) stdout.WriteLine(targetLine);
                return Cli.Ok;
            }
            stdout.WriteLine($"{"metric",-26} {"ours",9} {"seed",9} {"ours − seed",12}");
            foreach (var (f, ours) in rows)
            {
                string diff = ours is double o ? ((o - f.Value) * (f.IsAccuracy ? 100 : 1)).ToString(f.IsAccuracy ? "+0.00;−0.00;0.00" : "+0.000000;−0.000000", c) + (f.IsAccuracy ? " pt" : "") : "";
                string verdict = ours is double o2 ? (o2 >= f.Value ? "  meets" : "  below") : f.Metric.Contains("λ =", StringComparison.Ordinal) ? "  (not measured by this run: backprop sweep --lambda)" : "  (not measured by this run)";
                stdout.WriteLine($"{f.Metric,-26} {Fmt(ours, f),9} {Fmt(f.Value, f),9} {diff,12}{verdict}");
            }
            stdout.WriteLine("seed       = figures published by the seed experiment (constants copied from its text, not measured here):");
            foreach (var f in run.SeedFigures.Select(f => f.Source).Distinct()) stdout.WriteLine($"           {f}");
            return Cli.Ok;
        });
        return command;
    }

    private static string Pct(double? v) => v is double d ? (d * 100).ToString("F2", CultureInfo.InvariantCulture) + " %" : "–";

    private static string Fmt(double? v, SeedFigure f) => v is double d ? (f.IsAccuracy ? Pct(d) : d.ToString("F6", CultureInfo.InvariantCulture)) : "–";
}
