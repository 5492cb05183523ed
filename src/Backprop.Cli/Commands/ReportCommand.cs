using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using Backprop.Experiments;
using Backprop.Models;
using Backprop.Plots.Reports;
using Backprop.Training;

namespace Backprop.Cli.Commands;

/// <summary>
/// <c>backprop report PRESET --out DIR</c>: runs a preset experiment and writes DIR/report.html, one self-contained
/// page (see <see cref="ExperimentReport"/>).
/// </summary>
internal static class ReportCommand
{
    public static Command Create()
    {
        var preset = new Argument<string>("preset") { Description = $"The experiment: {string.Join(", ", Presets.Names)}" };
        var outDir = new Option<string?>("--out") { Description = "Directory for report.html (created if needed)" };
        var data = new Option<string?>("--data") { Description = "Other data: a built-in set or a data file (e.g. ex4data1.mat for ex4)" };
        var epochs = new Option<int?>("--epochs") { Description = "Epochs (iterations for cg/lbfgs) instead of the preset's" };
        var lambda = new Option<double?>("--lambda") { Description = "L2 regularization λ instead of the preset's" };
        var lr = new Option<double?>("--lr") { Description = "Learning rate instead of the preset's" };
        var batch = new Option<int?>("--batch-size") { Description = "Mini-batch size (0 = full batch) instead of the preset's" };
        var optimizer = new Option<string?>("--optimizer") { Description = "gd, sgd, momentum, nesterov, adam, lbfgs or cg instead of the preset's" };
        var layers = new Option<string?>("--layers") { Description = "Layer sizes from input to output, e.g. 64,25,10" };
        var seed = new Option<int?>("--seed") { Description = "Seed of the initial weights, shuffles and splits instead of the preset's" };
        var precision = new Option<string?>("--precision") { Description = "float32 or float64 instead of the preset's" };
        var noSweep = new Option<bool>("--no-sweep") { Description = "Skip the extra runs at the λ values the seed published figures for" };
        var figures = new Option<bool>("--figures") { Description = "Also write each figure as a PNG beside report.html (the page does not need them)" };
        var json = Options.Json();
        var command = new Command("report",
            "Run a preset experiment and write DIR/report.html: hyperparameters, timings, our figures beside the seed's, learning curves, samples, " +
            "hidden units, decision boundary, confusion matrix and misclassified samples in one self-contained page. JSON: preset, report, figures, train/valid/test accuracy, seconds")
        {
            preset, outDir, data, epochs, lambda, lr, batch, optimizer, layers, seed, precision, noSweep, figures, json,
        };
        command.SetAction(parse =>
        {
            var stdout = parse.InvocationConfiguration.Output;
            bool asJson = parse.GetValue(json);
            var progress = asJson ? parse.InvocationConfiguration.Error : stdout;
            var c = CultureInfo.InvariantCulture;
            ExperimentPreset p;
            try { p = Presets.Get(parse.GetValue(preset)!); }
            catch (ArgumentException e) { throw new UsageException(e.Message.Split(" (Parameter '")[0]); }
            string dir = parse.GetValue(outDir) ?? throw new UsageException("report: --out DIR is required (report.html is written there).");
            if (File.Exists(dir)) throw new UsageException($"--out {dir}: is a file; give a directory for report.html.");
            var overrides = Overrides(parse.GetValue(data), parse.GetValue(epochs), parse.GetValue(lambda), parse.GetValue(lr), parse.GetValue(batch),
                parse.GetValue(optimizer), parse.GetValue(layers), parse.GetValue(seed), parse.GetValue(precision));

            int total = (overrides.ApplyTo(p)).Training.Epochs;
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
            try { report = ExperimentReport.Run(p, overrides, options); }
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

    private static ExperimentOverrides Overrides(string? data, int? epochs, double? lambda, double? lr, int? batch, string? optimizer, string? layers, int? seed, string? precision)
    {
        if (epochs is { } e) Options.RequirePositive(e, "--epochs");
        if (lambda is { } l) Options.RequireNonNegative(l, "--lambda");
        if (lr is { } rate && !(rate > 0 && double.IsFinite(rate))) throw new UsageException($"--lr must be a positive number, got {rate.ToString(CultureInfo.InvariantCulture)}.");
        if (batch is < 0) throw new UsageException($"--batch-size must be ≥ 0, got {batch}.");
        if (data is not null) DataLoader.Load(data);   // a missing file or unknown name is a usage error before any work
        OptimizerKind? kind = null;
        if (optimizer is not null)
        {
            try { kind = TrainingOptions.ParseOptimizer(optimizer); }
            catch (ArgumentException ex) { throw new UsageException($"--optimizer: {ex.Message}"); }
        }
        Precision? prec = precision switch
        {
            null => null,
            "float32" or "single" => Precision.Float32,
            "float64" or "double" => Precision.Float64,
            _ => throw new UsageException($"--precision '{precision}': expected float32 or float64."),
        };
        return new ExperimentOverrides
        {
            Data = data, Epochs = epochs, Lambda = lambda, LearningRate = lr, BatchSize = batch, Optimizer = kind,
            Layers = layers is null ? null : Options.ParseLayers(layers), Seed = seed, Precision = prec,
        };
    }

    private static string Pct(double? v) => v is double d ? (d * 100).ToString("F2", CultureInfo.InvariantCulture) + " %" : "   –   ";

    private static string Value(SeedFigure f, double? v) => v is not double d ? "–"
        : f.IsAccuracy ? (d * 100).ToString("F2", CultureInfo.InvariantCulture) + " %" : d.ToString("G6", CultureInfo.InvariantCulture);
}
