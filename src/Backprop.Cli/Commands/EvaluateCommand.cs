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
        /// <summary>Which samples were scored, in words ("mnist's test split"), and as a JSON word (test, all).</summary>
        public string SplitText { get; protected set; } = "";
        public string Split { get; protected set; } = "all";
        public abstract Ex4Evaluation Run(double lambda);
        public abstract void AddJson(JsonObject o);
    }

    /// <summary>Course files: X and y in one file, Theta1, Theta2, … in another.</summary>
    private sealed record CourseFilesMode(string Data, string Weights, bool RowMajorImages) : Mode
    {
        public override string Source => Path.GetFileNameWithoutExtension(Weights);

        public override Ex4Evaluation Run(double lambda)
        {
            var weights = InputFiles.Read(Weights, "--weights");
            var data = InputFiles.Read(Data, "--data");
            var result = CourseFiles.Evaluate(data, weights, lambda, RowMajorImages);
            SplitText = $"all {result.Samples} samples of {Path.GetFileName(Data)}, the exercise's training set";
            return result;
        }

        public override void AddJson(JsonObject o)
        {
            o["data"] = Data;
            o["weights"] = Weights;
            o["pixel_order"] = RowMajorImages ? "row" : "column";
        }
    }

    /// <summary>A saved model on a built-in data set (its test split when it has one) or a data file.</summary>
    private sealed record ModelMode(string ModelPath, string Data) : Mode
    {
        public override string Source => Path.GetFileName(ModelPath);

        public override Ex4Evaluation Run(double lambda)
        {
            if (!File.Exists(ModelPath)) throw new UsageException($"--model {ModelPath}: no such file.");
            var model = Backprop.Models.Model.Load(ModelPath);
            var set = DataLoader.Load(Data);
            var d = set.Test ?? set.Train;
            (Split, SplitText) = set.Test is not null ? ("test", $"{set.Name}'s test split, {d.Count} samples")
                : Backprop.Data.DataSource.IsBuiltin(Data) ? ("all", $"all {d.Count} samples of {set.Name}, which has no separate test split")
                : ("all", $"all {d.Count} samples of {Path.GetFileName(Data)}");
            if (d.FeatureCount != model.Spec.Inputs)
                throw new InvalidDataException($"'{Data}' has {d.FeatureCount} features per sample; the model {model.Spec} takes {model.Spec.Inputs}.");
            var e = model.Evaluate(d, lambda);
            return new Ex4Evaluation(e.Cost, e.Accuracy, e.Samples, lambda, model.Spec.ToString(), e.Predictions);
        }

        public override void AddJson(JsonObject o)
        {
            o["data"] = Data;
            o["model"] = ModelPath;
        }
    }

    public static Command Create()
    {
        var data = new Option<string>("--data") { Description = "Data file with X (m x n, one example per row) and y (m labels 1..K), or the built-in ex4data1" };
        var weights = new Option<string>("--weights") { Description = "Weights file with Theta1, Theta2, … (MATLAB layout, bias column first), or the built-in ex4weights" };
        var pixelOrder = new Option<string>("--pixel-order")
        {
            Description = "How X's square images are stored: column (MATLAB's order, the course's files) or row (a loader that transposed them)",
            DefaultValueFactory = _ => "column",
        };
        pixelOrder.AcceptOnlyFromAmong("column", "row");
        var modelPath = new Option<string>("--model") { Description = "A model saved by 'backprop train' (then --data may be a built-in name; its test split is used)" };
        var lambda = Options.Lambda();
        var json = Options.Json();
        var command = new Command("evaluate",
            "ex4 cost and accuracy of given weights (or a saved model) on given data, naming the samples it scored. JSON: cost, accuracy (0..1), split (test or all), scored, samples, lambda, network")
        {
            data, weights, modelPath, lambda, pixelOrder, json,
        };
        command.SetAction(parse =>
        {
            var stdout = parse.InvocationConfiguration.Output;
            double l = parse.GetValue(lambda);
            Options.RequireNonNegative(l, "--lambda");
            var mode = ResolveMode(parse.GetValue(data), parse.GetValue(weights), parse.GetValue(modelPath), parse.GetValue(pixelOrder) == "row");
            var result = mode.Run(l);
            double percent = Math.Round(result.Accuracy * 100, 10);
            if (parse.GetValue(json))
            {
                var o = new JsonObject
                {
                    ["cost"] = result.Cost,
                    ["accuracy"] = result.Accuracy,
                    ["split"] = mode.Split,
                    ["scored"] = mode.SplitText,
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
                string label = mode is CourseFilesMode ? "Training Set Accuracy" : mode.Split == "test" ? "Test Set Accuracy" : "Accuracy";
                stdout.WriteLine(string.Create(c, $"{label}: {percent:F2}% ({mode.SplitText})"));
            }
            return Cli.Ok;
        });
        return command;
    }

    private static Mode ResolveMode(string? data, string? weights, string? model, bool rowMajorImages)
    {
        if (!string.IsNullOrEmpty(model))
        {
            if (rowMajorImages) throw new UsageException("evaluate: --pixel-order applies to --data with --weights (course files), not to --model.");
            if (!string.IsNullOrEmpty(weights)) throw new UsageException("evaluate: give either --model or --weights, not both.");
            if (string.IsNullOrEmpty(data)) throw new UsageException("evaluate: --model needs --data (a built-in name or a file).");
            return new ModelMode(model, data);
        }
        if (string.IsNullOrEmpty(data) && string.IsNullOrEmpty(weights))
            throw new UsageException("evaluate needs --data FILE and --weights FILE (or --model FILE and --data).");
        if (string.IsNullOrEmpty(data)) throw new UsageException("evaluate: --weights needs --data FILE (X and y) too.");
        if (string.IsNullOrEmpty(weights)) throw new UsageException("evaluate: --data needs --weights FILE (Theta1, Theta2, …) too.");
        return new CourseFilesMode(data, weights, rowMajorImages);
    }
}
