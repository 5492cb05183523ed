using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using Backprop.Experiments;
using Backprop.Layers;
using Backprop.Models;
using Backprop.Training;

namespace Backprop.Cli.Commands;

/// <summary>
/// <c>backprop train</c>: train a classifier and save it, from a preset (the seed experiments) with any
/// hyperparameter overridden. With no options it is the README's main job — a digit recognizer on the
/// built-in MNIST (<see cref="Presets.Default"/>: 784-256-10 ReLU/softmax, Adam, 12 epochs).
/// </summary>
internal static class TrainCommand
{
    /// <summary>Options that do not define the run: not stored in a checkpoint, free to give with --resume.</summary>
    private static readonly string[] RunControl = ["--checkpoint", "--checkpoint-every", "--resume", "--json", "--print-every", "--threads"];

    public static Command Create()
    {
        var x = new ExperimentOptions();
        var outPath = new Option<string?>("--out") { Description = "Where to save the model (default: models/<data>-mlp.json, models/<preset>-<data>.json with --preset; an existing file there is replaced with a warning)" };
        var history = new Option<string?>("--history") { Description = "Also write the per-epoch history as CSV (epoch,cost,train_accuracy,valid_accuracy,seconds,learning_rate)" };
        var checkpoint = new Option<string?>("--checkpoint") { Description = "Rewrite this checkpoint file (atomically) after every epoch: weights, optimizer state, schedule, generators, history, options; continue with --resume (mini-batch optimizers)" };
        var checkpointEvery = new Option<int?>("--checkpoint-every") { Description = "With --checkpoint: write it every N epochs instead of every epoch (for runs of many tiny epochs)" };
        var resume = new Option<string?>("--resume") { Description = "Continue the run a --checkpoint file holds to its epoch count (same options; --out, --checkpoint, --json, --print-every, --threads may be given)" };
        var printEvery = TrainingProgress.PrintEveryOption();
        var json = Options.Json();
        var command = new Command("train", "Train a multilayer perceptron and save it (no options: a digit recognizer on built-in MNIST; --preset for the seed experiments)");
        x.AddTo(command, null, outPath, history, checkpoint, checkpointEvery, resume, printEvery, json);
        command.SetAction(parse =>
        {
            var output = CommandOutput.Of(parse, json);
            int? every = TrainingProgress.PrintEvery(parse, printEvery);
            if (parse.GetValue(checkpointEvery) is int ce) Options.RequirePositive(ce, "--checkpoint-every");
            if (parse.GetValue(resume) is not { } resumePath)
                return Execute(parse, output, every, parse.GetValue(checkpoint), parse.GetValue(checkpointEvery) ?? 1, null);

            foreach (var r in parse.CommandResult.Children.OfType<System.CommandLine.Parsing.OptionResult>())
                if (!r.Implicit && r.Option.Name != "--out" && !RunControl.Contains(r.Option.Name))
                    throw new UsageException($"--resume continues the run with the options it was started with; {r.Option.Name} cannot change it (with --resume give only --out, --checkpoint, --json, --print-every, --threads).");
            var file = CheckpointFile.Load(resumePath);
            var args = new List<string>(file.Arguments);
            if (parse.GetValue(outPath) is { } o)
            {
                int at = args.IndexOf("--out");
                if (at >= 0) args.RemoveRange(at, Math.Min(2, args.Count - at));
                args.AddRange(["--out", o]);
            }
            if (parse.GetValue(x.Threads) is int t) args.AddRange(["--threads", t.ToString(CultureInfo.InvariantCulture)]);
            var again = command.Parse(["train", .. args]);
            if (again.Errors.Count > 0) throw new UsageException($"--resume {resumePath}: its options no longer parse ({again.Errors[0].Message}).");
            if (!string.Equals(Path.GetFullPath(file.WorkingDirectory), Path.GetFullPath("."), StringComparison.Ordinal) && args.Any(a => !Path.IsPathRooted(a) && File.Exists(Path.Combine(file.WorkingDirectory, a)) && !File.Exists(a)))
                throw new UsageException($"--resume {resumePath}: the run was started in {file.WorkingDirectory} and names files relative to it; resume it from there.");
            output.Progress.WriteLine(string.Create(CultureInfo.InvariantCulture, $"resume     {resumePath}: after epoch {file.State.Epoch} of backprop train {string.Join(' ', args)}"));
            return Execute(again, output, every, parse.GetValue(checkpoint) ?? resumePath, parse.GetValue(checkpointEvery) ?? 1, file.State);
        });
        return command;

        // The command line's options that define the run, in order (for the checkpoint file).
        static List<string> RunArguments(ParseResult parse)
        {
            var args = new List<string>();
            bool skip = false;
            foreach (var token in parse.Tokens)
            {
                if (token.Type == System.CommandLine.Parsing.TokenType.Command) continue;
                if (token.Type == System.CommandLine.Parsing.TokenType.Option) skip = RunControl.Contains(token.Value);
                if (!skip) args.Add(token.Value);
            }
            return args;
        }

        int Execute(ParseResult parse, CommandOutput output, int? every, string? checkpointPath, int checkpointEvery, TrainingCheckpoint? resumeState)
        {
            var (stdout, progress, asJson) = output;
            var stderr = parse.InvocationConfiguration.Error;
            var c = CultureInfo.InvariantCulture;
            var (preset, prepared) = x.Prepare(parse);
            var p = prepared.Preset;
            var set = prepared.Source;
            var train = prepared.Train;
            string? givenOut = parse.GetValue(outPath);
            string path = Options.RequireOutputFile(
                givenOut ?? Path.Combine("models", ReferenceEquals(preset, Presets.Default) ? $"{set.Name}-mlp.json" : $"{p.Name}-{set.Name}.json"), "--out");
            string? historyPath = parse.GetValue(history) is { } h ? Options.RequireOutputFile(h, "--history") : null;
            if (checkpointPath is not null)
            {
                Options.RequireOutputFile(checkpointPath, "--checkpoint");
                if (p.Training.IsFullBatchMinimizer)
                    throw new UsageException($"--checkpoint needs a mini-batch optimizer (sgd, momentum, nesterov, adam, gd); {TrainingOptions.OptimizerName(p.Training.Optimizer)} keeps its line search's state to itself.");
            }
            foreach (var warning in x.Warnings(parse, p)) stderr.WriteLine($"backprop: warning: {warning}");
            if (givenOut is null && resumeState is null && File.Exists(path))
                stderr.WriteLine($"backprop: warning: {path} exists and will be replaced by this run's model (give --out to keep it)");
            if (Backprop.Models.ModelFile.TooLarge(prepared.Spec, p.Precision) is { } tooLarge) throw new UsageException($"--out {path}: {tooLarge}.");

            if (!ReferenceEquals(preset, Presets.Default)) progress.WriteLine($"preset     {p.Name}: {p.Description}");
            progress.WriteLine(string.Create(c, $"data       {set.Name}: {train.Count} training samples x {train.FeatureCount} features, {train.Classes} classes" +
                $"{(prepared.Valid is null ? "" : $", {prepared.Valid.Count} validation")}{(prepared.Test is null ? "" : $", {prepared.Test.Count} test samples")}"));
            progress.WriteLine(string.Create(c, $"network    {string.Join("-", prepared.Spec.LayerSizes)} {(p.HiddenLayers.Length == 0 ? "" : Activations.Name(p.HiddenActivation) + "/")}{Activations.Name(p.OutputActivation)}, " +
                $"{p.Training}, {Precisions.Name(p.Precision)}, init {p.Initializer}, scaling {Scalings.Name(prepared.Scaling)}, seed {p.Seed}"));

            x.ApplyThreads(parse);
            // The state after the last epoch: written to --checkpoint every N epochs, or captured only when a signal stops the
            // run (each capture copies the whole state, which a long run of a large network would otherwise pile up).
            using var interrupts = Interrupts.Listen(stdout, stderr);
            var runArguments = RunArguments(parse);
            TrainingCheckpoint? last = null;
            Action<TrainingCheckpoint>? onCheckpoint = null;
            if (!p.Training.IsFullBatchMinimizer && (checkpointPath is not null || interrupts is not null))
                onCheckpoint = state =>
                {
                    last = state;
                    if (checkpointPath is not null)
                        Options.WriteOutput(checkpointPath, "--checkpoint", () => new CheckpointFile(runArguments, Directory.GetCurrentDirectory(), state).Save(checkpointPath));
                };
            ExperimentResult result;
            try
            {
                result = TrainingProgress.Run(output, prepared, every, interrupts?.Token ?? default, onCheckpoint, resumeState,
                    checkpointPath is null ? int.MaxValue : checkpointEvery);
            }
            catch (ArgumentException e) when (resumeState is not null)
            {
                throw new UsageException($"--resume: {Cli.OneLine(e.Message)}");
            }
            catch (TrainingDivergedException e)
            {
                throw new TrainingDivergedException($"{e.Message} Nothing was saved to {path}.");
            }
            Options.WriteOutput(path, "--out", () => result.Model.Save(path));
            if (historyPath is not null) Options.WriteOutput(historyPath, "--history", () => result.History.WriteCsv(historyPath));
            string? leftCheckpoint = checkpointPath;
            if (interrupts?.Signal is not null && checkpointPath is null && last is not null)
            {
                leftCheckpoint = Path.ChangeExtension(path, ".checkpoint.json");
                var state = last;
                Options.WriteOutput(leftCheckpoint, "--out", () => new CheckpointFile(runArguments, Directory.GetCurrentDirectory(), state).Save(leftCheckpoint));
            }

            if (asJson)
            {
                Cli.WriteJson(stdout, new JsonObject
                {
                    ["preset"] = p.Name,
                    ["data"] = set.Name,
                    ["network"] = result.Model.Spec.ToString(),
                    ["training"] = p.Training.ToString(),
                    ["learning_rate_schedule"] = p.Training.ScheduleText(),
                    ["precision"] = Precisions.Name(p.Precision),
                    ["seed"] = p.Seed,
                    ["train_accuracy"] = result.TrainAccuracy,
                    ["valid_accuracy"] = result.ValidAccuracy,
                    ["test_accuracy"] = result.TestAccuracy,
                    ["final_cost"] = result.FinalCost,
                    ["epochs"] = result.Epochs,
                    ["seconds"] = result.Seconds,
                    ["stop_reason"] = result.StopReason,
                    ["interrupted_by"] = interrupts?.Signal,
                    ["checkpoint"] = leftCheckpoint is null ? null : Path.GetFullPath(leftCheckpoint),
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
                        stdout.WriteLine(f.IsAccuracy
                            ? string.Create(c, $"seed       {f.Metric} {f.Value * 100:F2} % (published by the seed: {f.Source}); ours {ours * 100:F2} %")
                            : string.Create(c, $"seed       {f.Metric} {f.Value.ToString("F" + f.Decimals, c)} (published by the seed: {f.Source}); ours {ours.ToString("F" + f.Decimals, c)}"));
                if (TargetLine(p, result) is { } targetLine) stdout.WriteLine(targetLine);
                stdout.WriteLine($"model      saved to {Path.GetFullPath(path)}");
                if (interrupts?.Signal is not null && leftCheckpoint is not null)
                    stdout.WriteLine($"checkpoint {Path.GetFullPath(leftCheckpoint)} (continue with: backprop train --resume {leftCheckpoint})");
            }
            return interrupts?.Signal is not null ? interrupts.ExitCode : Cli.Ok;
        }
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
