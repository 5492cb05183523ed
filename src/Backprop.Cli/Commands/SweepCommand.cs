using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using Backprop.Experiments;

namespace Backprop.Cli.Commands;

/// <summary>
/// <c>backprop sweep --lambda 0,1,20 [--preset ex4]</c> (or <c>--hidden</c>, <c>--lr</c>): one run of the preset per
/// value, a table of train / validation / test accuracy and cost per value, beside the seed's figure where it has one.
/// </summary>
internal static class SweepCommand
{
    public static Command Create()
    {
        var x = new ExperimentOptions(forSweep: true, defaultPreset: "ex4");
        var lambda = new Option<string?>("--lambda") { Description = "λ values to try, e.g. 0,1,20" };
        var hidden = new Option<string?>("--hidden") { Description = "Hidden layer sizes to try, e.g. 10,25,100 (100-50 for two layers)" };
        var lr = new Option<string?>("--lr") { Description = "Learning rates to try, e.g. 0.01,0.1,1" };
        var json = Options.Json();
        var command = new Command("sweep", "Run a preset once per value of λ, hidden size or learning rate and tabulate the accuracies (default preset: ex4)");
        x.AddTo(command, null, lambda, hidden, lr, json);
        command.SetAction(parse =>
        {
            var (stdout, progress, asJson) = CommandOutput.Of(parse, json);
            var c = CultureInfo.InvariantCulture;
            var given = new (SweepParameter Parameter, string Option, string? Text)[]
            {
                (SweepParameter.Lambda, "--lambda", parse.GetValue(lambda)),
                (SweepParameter.Hidden, "--hidden", parse.GetValue(hidden)),
                (SweepParameter.LearningRate, "--lr", parse.GetValue(lr)),
            }.Where(g => g.Text is not null).ToArray();
            // One --lr value beside another swept parameter holds the rate fixed (sweep --lambda 0,1,20 --lr 0.5).
            double? fixedRate = null;
            if (given.Length == 2 && given.Any(g => g.Parameter == SweepParameter.LearningRate))
            {
                var rate = given.First(g => g.Parameter == SweepParameter.LearningRate);
                IReadOnlyList<string> rates;
                try { rates = Sweep.ParseValues(SweepParameter.LearningRate, rate.Text!); }
                catch (ArgumentException e) { throw new UsageException($"--lr: {e.Message}"); }
                if (rates.Count == 1)
                {
                    fixedRate = double.Parse(rates[0], CultureInfo.InvariantCulture);
                    given = given.Where(g => g.Parameter != SweepParameter.LearningRate).ToArray();
                }
            }
            if (given.Length != 1)
                throw new UsageException($"sweep needs exactly one of --lambda, --hidden or --lr with a list of values, e.g. --lambda 0,1,20{(given.Length > 1 ? $" (got {string.Join(" and ", given.Select(g => g.Option))})" : "")}.");
            var (parameter, option, text) = given[0];
            IReadOnlyList<string> values;
            try { values = Sweep.ParseValues(parameter, text!); }
            catch (ArgumentException e) { throw new UsageException($"{option}: {e.Message}"); }

            var preset = x.ResolvePreset(parse);
            var run = x.Apply(parse, preset);
            if (fixedRate is double fixedLr) run = run with { Training = run.Training with { LearningRate = fixedLr } };
            // Check every run's configuration (data, files, layers) before the first one trains.
            var first = ExperimentOptions.Prepare(Sweep.Apply(parameter, values[0], run));
            if (parameter == SweepParameter.LearningRate && first.Preset.Training.IsFullBatchMinimizer)
                throw new UsageException($"--lr: the {first.Preset.Name} preset trains with {Backprop.Training.TrainingOptions.OptimizerName(first.Preset.Training.Optimizer)}, which has no learning rate (its line search sizes the steps); sweep --lambda or --hidden, or add --optimizer sgd, momentum, nesterov, adam or gd.");
            foreach (var warning in x.Warnings(parse, first.Preset)) parse.InvocationConfiguration.Error.WriteLine($"backprop: warning: {warning}");
            foreach (var v in values.Skip(1)) ExperimentOptions.Prepare(Sweep.Apply(parameter, v, run));
            x.ApplyThreads(parse);
            var p = first.Preset;
            string header = parameter switch { SweepParameter.Lambda => "λ", SweepParameter.Hidden => "hidden", _ => "lr" };
            progress.WriteLine($"preset     {p.Name} on {first.Source.Name}: {p.Description}");
            progress.WriteLine(string.Create(c, $"sweep      {header} = {string.Join(", ", values)}  ({first.Train.Count} training samples{(first.Valid is null ? "" : $", {first.Valid.Count} validation")}{(first.Test is null ? "" : $", {first.Test.Count} test")})"));
            bool anyFigure = parameter == SweepParameter.Lambda && values.Any(v => Sweep.SeedFigureForLambda(p, double.Parse(v, c)) is not null);
            progress.WriteLine($"{header,-8} {"train",9} {"valid",9} {"test",9} {"cost",10} {"epochs",7} {"seconds",8}{(anyFigure ? "   seed figure (published)" : "")}");
            var rows = Sweep.Run(run, parameter, values, row =>
            {
                var r = row.Result;
                string seed = row.SeedFigure is { } f ? $"   {f.Value * 100:F2} % ({f.Source})" : "";
                progress.WriteLine(string.Create(c, $"{row.Value,-8} {Pct(r.TrainAccuracy),9} {Pct(r.ValidAccuracy),9} {Pct(r.TestAccuracy),9} {r.FinalCost,10:F5} {r.Epochs,7} {r.Seconds,8:F1}{seed}"));
            });
            if (asJson)
            {
                Cli.WriteJson(stdout, new JsonObject
                {
                    ["preset"] = p.Name,
                    ["data"] = first.Source.Name,
                    ["parameter"] = parameter switch { SweepParameter.Lambda => "lambda", SweepParameter.Hidden => "hidden", _ => "lr" },
                    ["rows"] = new JsonArray(rows.Select(row => (JsonNode)new JsonObject
                    {
                        ["value"] = row.Value,
                        ["network"] = row.Result.Model.Spec.ToString(),
                        ["train_accuracy"] = row.Result.TrainAccuracy,
                        ["valid_accuracy"] = row.Result.ValidAccuracy,
                        ["test_accuracy"] = row.Result.TestAccuracy,
                        ["cost"] = row.Result.FinalCost,
                        ["epochs"] = row.Result.Epochs,
                        ["seconds"] = row.Result.Seconds,
                        ["seed_figure"] = row.SeedFigure is { } f ? new JsonObject
                        {
                            ["metric"] = f.Metric, ["value"] = f.Value, ["source"] = f.Source, ["kind"] = "published seed figure (constant)",
                        } : null,
                    }).ToArray()),
                });
            }
            return Cli.Ok;
        });
        return command;
    }

    private static string Pct(double? v) => TrainingProgress.Percent(v);
}
