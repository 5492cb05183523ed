using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using Backprop.Experiments;

namespace Backprop.Cli.Commands;

/// <summary>
/// <c>backprop evaluate</c>: ex4's cost (nnCostFunction) and training-set accuracy (predict.m).
/// Modes: <c>--data D --weights W</c> (course files: X, y and Theta1, Theta2, …). Each mode is a
/// <see cref="Mode"/> that turns the parsed options into an <see cref="Ex4Evaluation"/>; a new one
/// (e.g. a saved model) is one more case in <see cref="ResolveMode"/>.
/// </summary>
internal static class EvaluateCommand
{
    /// <summary>One way of getting a network and data to evaluate.</summary>
    private abstract record Mode
    {
        /// <summary>Where the parameters came from, for the text output ("ex4weights").</summary>
        public abstract string Source { get; }
        public abstract Ex4Evaluation Run(double lambda);
        public abstract void AddJson(JsonObject o);
    }

    /// <summary>Course files: X and y in one file, Theta1, Theta2, … in another.</summary>
    private sealed record CourseFilesMode(string Data, string Weights) : Mode
    {
        public override string Source => Path.GetFileNameWithoutExtension(Weights);

        public override Ex4Evaluation Run(double lambda)
        {
            var weights = InputFiles.Read(Weights, "--weights");
            var data = InputFiles.Read(Data, "--data");
            return CourseFiles.Evaluate(data, weights, lambda);
        }

        public override void AddJson(JsonObject o)
        {
            o["data"] = Data;
            o["weights"] = Weights;
        }
    }

    public static Command Create()
    {
        var data = new Option<string>("--data") { Description = "Data file with X (m x n, one example per row) and y (m labels 1..K)" };
        var weights = new Option<string>("--weights") { Description = "Weights file with Theta1, Theta2, … (MATLAB layout, bias column first)" };
        var lambda = Options.Lambda();
        var json = Options.Json();
        var command = new Command("evaluate",
            "ex4 cost and training-set accuracy of given weights on given data. JSON: cost, accuracy (a percentage, 0..100), accuracy_fraction (0..1), samples, lambda, network")
        {
            data, weights, lambda, json,
        };
        command.SetAction(parse =>
        {
            var stdout = parse.InvocationConfiguration.Output;
            double l = parse.GetValue(lambda);
            Options.RequireNonNegative(l, "--lambda");
            var mode = ResolveMode(parse.GetValue(data), parse.GetValue(weights));
            var result = mode.Run(l);
            double percent = Math.Round(result.Accuracy * 100, 10);
            if (parse.GetValue(json))
            {
                var o = new JsonObject
                {
                    ["cost"] = result.Cost,
                    ["accuracy"] = percent,
                    ["accuracy_fraction"] = result.Accuracy,
                    ["samples"] = result.Samples,
                    ["lambda"] = result.Lambda,
                    ["network"] = result.Network,
                };
                mode.AddJson(o);
                Cli.WriteJson(stdout, o);
            }
            else
            {
                var c = CultureInfo.InvariantCulture;
                stdout.WriteLine(string.Create(c, $"Network: {result.Network}, λ = {result.Lambda}"));
                stdout.WriteLine(string.Create(c, $"Cost at parameters (loaded from {mode.Source}): {result.Cost:F6}"));
                stdout.WriteLine(string.Create(c, $"Training Set Accuracy: {percent:F2}% ({result.Samples} samples)"));
            }
            return Cli.Ok;
        });
        return command;
    }

    private static Mode ResolveMode(string? data, string? weights)
    {
        if (string.IsNullOrEmpty(data) && string.IsNullOrEmpty(weights))
            throw new UsageException("evaluate needs --data FILE and --weights FILE.");
        if (string.IsNullOrEmpty(data)) throw new UsageException("evaluate: --weights needs --data FILE (X and y) too.");
        if (string.IsNullOrEmpty(weights)) throw new UsageException("evaluate: --data needs --weights FILE (Theta1, Theta2, …) too.");
        return new CourseFilesMode(data, weights);
    }
}
