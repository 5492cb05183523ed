using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using Backprop.Experiments;
using Backprop.Layers;
using Backprop.Training;

namespace Backprop.Cli.Commands;

/// <summary>
/// <c>backprop train</c>: train a classifier and save it, from a preset (the seed experiments) with any
/// hyperparameter overridden. With no options it is the README's main job — a digit recognizer on the
/// built-in MNIST (<see cref="Presets.Default"/>: 784-256-10 ReLU/softmax, Adam, 12 epochs).
/// </summary>
internal static class TrainCommand
{
    public static Command Create()
    {
        var x = new ExperimentOptions();
        var outPath = new Option<string?>("--out") { Description = "Where to save the model (default: models/<data>-mlp.json, models/<preset>-<data>.json with --preset)" };
        var history = new Option<string?>("--history") { Description = "Also write the per-epoch history as CSV (epoch,cost,train_accuracy,valid_accuracy,seconds,learning_rate)" };
        var printEvery = TrainingProgress.PrintEveryOption();
        var json = Options.Json();
        var command = new Command("train", "Train a multilayer perceptron and save it (no options: a digit recognizer on built-in MNIST; --preset for the seed experiments)");
        x.AddTo(command, null, outPath, history, printEvery, json);
        command.SetAction(parse =>
        {
            var output = CommandOutput.Of(parse, json);
            var (stdout, progress, asJson) = output;
            var c = CultureInfo.InvariantCulture;
            int? every = TrainingProgress.PrintEvery(parse, printEvery);
            var (preset, _, prepared) = x.Prepare(parse);
            var p = prepared.Preset;
            var set = prepared.Source;
            var train = prepared.Train;
            string path = Options.RequireOutputFile(
                parse.GetValue(outPath) ?? Path.Combine("models", ReferenceEquals(preset, Presets.Default) ? $"{set.Name}-mlp.json" : $"{p.Name}-{set.Name}.json"), "--out");
            string? historyPath = parse.GetValue(history) is { } h ? Options.RequireOutputFile(h, "--history") : null;
            if (Backprop.Models.ModelFile.TooLarge(prepared.Spec, p.Precision) is { } tooLarge) throw new UsageException($"--out {path}: {tooLarge}.");

            if (!ReferenceEquals(preset, Presets.Default)) progress.WriteLine($"preset     {p.Name}: {p.Description}");
            progress.WriteLine(string.Create(c, $"data       {set.Name}: {train.Count} training samples x {train.FeatureCount} features, {train.Classes} classes" +
                $"{(prepared.Valid is null ? "" : $", {prepared.Valid.Count} validation")}{(prepared.Test is null ? "" : $", {prepared.Test.Count} test samples")}"));
            progress.WriteLine(string.Create(c, $"network    {string.Join("-", prepared.Spec.LayerSizes)} {(p.HiddenLayers.Length == 0 ? "" : Activations.Name(p.HiddenActivation) + "/")}{Activations.Name(p.OutputActivation)}, " +
                $"{p.Training}, {p.Precision.ToString().ToLowerInvariant()}, init {p.Initializer}, scaling {p.ScalingFor(p.Data).ToString().ToLowerInvariant()}, seed {p.Seed}"));

            using var cancel = new CancellationTokenSource();
            ConsoleCancelEventHandler? onCancel = null;
            if (ReferenceEquals(stdout, Console.Out)) // the real console (not a test harness): Ctrl+C stops after the epoch and saves
            {
                onCancel = (_, e) => { e.Cancel = true; cancel.Cancel(); };
                Console.CancelKeyPress += onCancel;
            }
            ExperimentResult result;
            try
            {
                result = TrainingProgress.Run(output, prepared, every, cancel.Token);
            }
            catch (TrainingDivergedException e)
            {
                throw new TrainingDivergedException($"{e.Message} Nothing was saved to {path}.");
            }
            finally
            {
                if (onCancel is not null) Console.CancelKeyPress -= onCancel;
            }
            Options.WriteOutput(path, "--out", () => result.Model.Save(path));
            if (historyPath is not null) Options.WriteOutput(historyPath, "--history", () => result.History.WriteCsv(historyPath));

            if (asJson)
            {
                Cli.WriteJson(stdout, new JsonObject
                {
                    ["preset"] = p.Name,
                    ["data"] = set.Name,
                    ["network"] = result.Model.Spec.ToString(),
                    ["training"] = p.Training.ToString(),
                    ["precision"] = p.Precision.ToString().ToLowerInvariant(),
                    ["seed"] = p.Seed,
                    ["train_accuracy"] = result.TrainAccuracy,
                    ["valid_accuracy"] = result.ValidAccuracy,
                    ["test_accuracy"] = result.TestAccuracy,
                    ["final_cost"] = result.FinalCost,
                    ["epochs"] = result.Epochs,
                    ["seconds"] = result.Seconds,
                    ["stop_reason"] = result.StopReason,
                    ["history"] = new JsonArray(result.History.Select(e => (JsonNode)new JsonObject
                    {
                        ["epoch"] = e.Epoch, ["cost"] = e.Cost, ["train_accuracy"] = e.TrainAccuracy, ["valid_accuracy"] = e.ValidAccuracy,
                        ["seconds"] = e.Seconds, ["learning_rate"] = e.LearningRate,
                    }).ToArray()),
                    ["seed_figures"] = SeedFiguresJson(p),
                    ["target"] = TargetJson(p, result),
                    ["model"] = Path.GetFullPath(path),
                });
            }
            else
            {
                stdout.WriteLine(string.Create(c, $"stopped    {result.StopReason.TrimEnd('.')} in {result.Seconds:F1} s"));
                stdout.WriteLine($"accuracy   train {TrainingProgress.Percent(result.TrainAccuracy)}  valid {TrainingProgress.Percent(result.ValidAccuracy)}  test {TrainingProgress.Percent(result.TestAccuracy)}");
                foreach (var f in p.SeedFigures)
                    if (result.Figure(f.Metric) is double ours)
                        stdout.WriteLine(string.Create(c, $"seed       {f.Metric} {f.Value * 100:F2} % (published by the seed: {f.Source}); ours {ours * 100:F2} %"));
                if (TargetLine(p, result) is { } targetLine) stdout.WriteLine(targetLine);
                stdout.WriteLine($"model      saved to {Path.GetFullPath(path)}");
            }
            return Cli.Ok;
        });
        return command;
    }

    /// <summary>The preset's own target (not a seed figure) beside our figure; null when it has none.</summary>
    public static JsonObject? TargetJson(ExperimentPreset p, ExperimentResult result) => p.Target is not { } t ? null : new JsonObject
    {
        ["metric"] = t.Metric, ["value"] = t.Value, ["max_seconds"] = t.MaxSeconds, ["note"] = t.Note,
        ["kind"] = "Backprop's own target (not a seed figure)", ["ours"] = result.Figure(t.Metric), ["meets"] = t.IsMetBy(result),
    };

    public static string? TargetLine(ExperimentPreset p, ExperimentResult result) => p.Target is not { } t ? null
        : string.Create(CultureInfo.InvariantCulture,
            $"target     {t.Metric} ≥ {t.Value * 100:F2} % in ≤ {t.MaxSeconds:0} s (our own target, not a seed figure); {(result.Figure(t.Metric) is double ours ? $"ours {ours * 100:F2} %{(t.IsMetBy(result) ? " — meets the accuracy" : " — below")}" : "not measured by this run (no such split)")}, training took {result.Seconds:F1} s");

    public static JsonArray SeedFiguresJson(ExperimentPreset p) => new(p.SeedFigures.Select(f => (JsonNode)new JsonObject
    {
        ["metric"] = f.Metric, ["value"] = f.Value, ["source"] = f.Source, ["kind"] = "published seed figure (constant)",
    }).ToArray());
}
