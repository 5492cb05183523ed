using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using Backprop.Experiments;
using Backprop.Plots.Reports;

namespace Backprop.Cli.Commands;

/// <summary>
/// <c>backprop report PRESET --out DIR</c>: runs a preset experiment and writes DIR/report.html, one self-contained
/// page (see <see cref="ExperimentReport"/>).
/// </summary>
internal static class ReportCommand
{
    public static Command Create()
    {
        var preset = ExperimentOptions.PresetArgument("The experiment");
        var outDir = new Option<string?>("--out") { Description = "Directory for report.html (created if needed)" };
        var x = new ExperimentOptions();   // every override train takes, except --preset (the argument here)
        var noSweep = new Option<bool>("--no-sweep") { Description = "Skip the extra runs at the λ values the seed published figures for" };
        var figures = new Option<bool>("--figures") { Description = "Also write each figure as a PNG beside report.html (the page does not need them)" };
        var json = Options.Json();
        var command = new Command("report",
            "Run a preset experiment and write DIR/report.html: hyperparameters, timings, our figures beside the seed's, learning curves, samples, " +
            "hidden units, decision boundary, confusion matrix and misclassified samples in one self-contained page. JSON: preset, report, figures, train/valid/test accuracy, seconds")
        {
            outDir,
        };
        x.AddTo(command, preset, noSweep, figures, json);
        command.SetAction(parse =>
        {
            var (stdout, progress, asJson) = CommandOutput.Of(parse, json);
            var c = CultureInfo.InvariantCulture;
            string dir = parse.GetValue(outDir) ?? throw new UsageException("report: --out DIR is required (report.html is written there).");
            if (File.Exists(dir)) throw new UsageException($"--out {dir}: is a file; give a directory for report.html.");
            Options.RequireOutputDirectory(dir, "--out");
            var (p, prepared) = x.Prepare(parse, preset);   // a configuration that does not fit the data fails here, before any training
            x.ApplyThreads(parse);

            int total = prepared.Preset.Training.Epochs;
            int every = Math.Max(1, total / 10);
            var options = new ReportOptions
            {
                LambdaSweep = !parse.GetValue(noSweep),
                CommandLine = "backprop report " + string.Join(' ', parse.Tokens.Skip(1).Select(t => t.Value).Where(t => t != "--json")),
                OnEpoch = (label, e) =>
                {
                    if (e.Epoch % every == 0 || e.Epoch == 1 || e.Epoch == total)
                        progress.WriteLine(string.Create(c, $"{label,-8} epoch {e.Epoch,6}  cost {e.Cost,9:F5}  train {Pct(e.TrainAccuracy)}  valid {Pct(e.ValidAccuracy)}  {e.Seconds,7:F1} s"));
                },
            };
            progress.WriteLine($"preset   {p.Name}: {p.Description}");
            ExperimentReport report;
            try { report = ExperimentReport.Run(prepared, options); }
            catch (ArgumentException e) { throw new UsageException($"report {p.Name}: {e.Message.Split(" (Parameter '")[0]}"); }
            string path = report.Save(dir, parse.GetValue(figures));
            var r = report.Result;
            if (asJson)
            {
                Cli.WriteJson(stdout, new JsonObject
                {
                    ["preset"] = p.Name,
                    ["report"] = Path.GetFullPath(path),
                    ["bytes"] = new FileInfo(path).Length,
                    ["figures"] = Cli.ToJsonArray(report.Figures.Select(f => f.Name)),
                    ["train_accuracy"] = r.TrainAccuracy,
                    ["valid_accuracy"] = r.ValidAccuracy,
                    ["test_accuracy"] = r.TestAccuracy,
                    ["epochs"] = r.Epochs,
                    ["seconds"] = r.Seconds,
                    ["total_seconds"] = report.TotalSeconds,
                    ["sweep"] = new JsonArray(report.Sweep.Select(s => (JsonNode)new JsonObject
                    {
                        ["lambda"] = s.Preset.Training.Lambda, ["train_accuracy"] = s.TrainAccuracy, ["seconds"] = s.Seconds,
                    }).ToArray()),
                    ["seed_figures"] = new JsonArray(report.Comparisons.Select(x => (JsonNode)new JsonObject
                    {
                        ["metric"] = x.Seed.Metric, ["seed"] = x.Seed.Value, ["ours"] = x.Ours, ["source"] = x.Seed.Source,
                    }).ToArray()),
                });
            }
            else
            {
                stdout.WriteLine(string.Create(c, $"accuracy train {Pct(r.TrainAccuracy)}  valid {Pct(r.ValidAccuracy)}  test {Pct(r.TestAccuracy)}   ({r.Epochs} epochs, {r.Seconds:F1} s)"));
                foreach (var s in report.Sweep)
                    stdout.WriteLine(string.Create(c, $"λ = {s.Preset.Training.Lambda,-4:0.###} train {Pct(s.TrainAccuracy)}   ({s.Seconds:F1} s)"));
                foreach (var x in report.Comparisons)
                    stdout.WriteLine(string.Create(c, $"seed     {x.Seed.Metric}: {Value(x.Seed, x.Seed.Value)} (ours {Value(x.Seed, x.Ours)})"));
                stdout.WriteLine(string.Create(c, $"report   {Path.GetFullPath(path)} ({new FileInfo(path).Length / 1024.0:F0} KB, {report.Figures.Count} figures, {report.TotalSeconds:F1} s)"));
            }
            return Cli.Ok;
        });
        return command;
    }

    private static string Pct(double? v) => TrainingProgress.Percent(v, missing: "   –   ");

    private static string Value(SeedFigure f, double? v) => v is not double d ? "–"
        : f.IsAccuracy ? (d * 100).ToString("F2", CultureInfo.InvariantCulture) + " %" : d.ToString("G6", CultureInfo.InvariantCulture);
}
