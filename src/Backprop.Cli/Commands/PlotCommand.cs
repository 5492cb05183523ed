using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using Backprop.Data;
using Backprop.Experiments;
using Backprop.Models;
using Backprop.Plots;
using Backprop.Training;

namespace Backprop.Cli.Commands;

/// <summary>
/// <c>backprop plot KIND --out FILE.png|.svg</c>: the pictures of Backprop.Plots from the command line.
/// Parsing and printing only; every picture is drawn by <see cref="Figures"/> or <see cref="Charts"/>.
/// </summary>
internal static class PlotCommand
{
    public static readonly string[] Kinds = ["digits", "image", "weights", "history", "boundary", "confusion", "misclassified"];

    private sealed record Inputs(
        string Kind, string? Data, IReadOnlyList<string> Models, IReadOnlyList<string> Histories, string? Weights, string Split,
        IReadOnlyList<int>? Samples, int Count, int Seed, string Order, int? Scale, int? Columns, int Max, string? Title);

    public static Command Create()
    {
        var kind = new Argument<string>("kind") { Description = $"What to draw: {string.Join(", ", Kinds)}" };
        var data = new Option<string?>("--data") { Description = "Built-in data set (mnist, digits, flower, spiral) or a data file (digits, image, boundary, confusion, misclassified)" };
        var model = new Option<string[]>("--model") { Description = "A model saved by 'backprop train' (weights: repeat for several models side by side)", AllowMultipleArgumentsPerToken = false };
        var history = new Option<string[]>("--history") { Description = "A history CSV written by 'backprop train --history' (repeat to overlay runs)" };
        var weights = new Option<string?>("--weights") { Description = "weights: a course weights file (Theta1, … as in ex4weights.mat) instead of --model" };
        var outPath = new Option<string?>("--out") { Description = "Output file, .png or .svg" };
        var split = new Option<string>("--split") { Description = "Which part of --data: train or test (default: test for confusion/misclassified when the set has one, else train)", DefaultValueFactory = _ => "auto" };
        var samples = new Option<string?>("--samples") { Description = "digits: comma-separated sample indices (default: random ones); image: one index" };
        var count = new Option<int>("--count") { Description = "digits: how many random samples (default 100, a 10x10 grid)", DefaultValueFactory = _ => 100 };
        var seed = Options.Seed();
        var order = new Option<string>("--order") { Description = "Pixel order of the images: auto (as the data says), row (MNIST) or column (MATLAB/ex4); the wrong one shows digits transposed", DefaultValueFactory = _ => "auto" };
        var scale = new Option<int?>("--scale") { Description = "Screen pixels per image pixel" };
        var columns = new Option<int?>("--columns") { Description = "Tiles per row" };
        var max = new Option<int>("--max") { Description = "misclassified: at most this many samples; weights: at most this many units", DefaultValueFactory = _ => 0 };
        var title = new Option<string?>("--title") { Description = "Title of the figure" };
        var json = Options.Json();
        var command = new Command("plot",
            "Draw a picture: digits (a grid of samples), image (one sample), weights (hidden units as images), history (cost and accuracy per epoch), " +
            "boundary (decision regions of a 2-D model), confusion (confusion matrix), misclassified (wrong samples titled 't: 7 p: 9'). JSON: kind, out, format, width, height")
        {
            kind, data, model, history, weights, outPath, split, samples, count, seed, order, scale, columns, max, title, json,
        };
        command.SetAction(parse =>
        {
            var stdout = parse.InvocationConfiguration.Output;
            string k = parse.GetValue(kind)!.Trim().ToLowerInvariant();
            if (!Kinds.Contains(k)) throw new UsageException($"plot: unknown kind '{parse.GetValue(kind)}'; expected one of {string.Join(", ", Kinds)}.");
            string output = parse.GetValue(outPath) ?? throw new UsageException($"plot {k}: --out FILE.png or FILE.svg is required.");
            ImageFormat format;
            try { format = Figure.FormatOf(output); }
            catch (ArgumentException e) { throw new UsageException($"--out {e.Message}"); }
            if (Directory.Exists(output)) throw new UsageException($"--out {output}: is a directory; give a file name ending in .png or .svg.");
            Options.RequireOutputFile(output, "--out");
            Options.RequirePositive(parse.GetValue(count), "--count");
            if (parse.GetValue(scale) is { } s) Options.RequirePositive(s, "--scale");
            if (parse.GetValue(columns) is { } cols) Options.RequirePositive(cols, "--columns");
            if (parse.GetValue(max) < 0) throw new UsageException($"--max must be ≥ 0, got {parse.GetValue(max)}.");
            var inputs = new Inputs(k, parse.GetValue(data), parse.GetValue(model) ?? [], parse.GetValue(history) ?? [], parse.GetValue(weights),
                parse.GetValue(split)!.Trim().ToLowerInvariant(), ParseSamples(parse.GetValue(samples)), parse.GetValue(count), parse.GetValue(seed),
                parse.GetValue(order)!.Trim().ToLowerInvariant(), parse.GetValue(scale), parse.GetValue(columns), parse.GetValue(max), parse.GetValue(title));
            if (inputs.Split is not ("auto" or "train" or "test")) throw new UsageException($"--split '{inputs.Split}': expected train or test.");
            if (inputs.Order is not ("auto" or "row" or "column")) throw new UsageException($"--order '{inputs.Order}': expected auto, row or column.");

            Figure figure;
            string what;
            try
            {
                (figure, what) = Draw(inputs);
                figure.Save(output);
            }
            catch (Exception e) when (e is ArgumentException or InvalidDataException && e is not ArgumentNullException)
            {
                // Everything plot reads is the user's choice: a file or option that does not fit is a usage error.
                throw new UsageException($"plot {k}: {e.Message.Split(" (Parameter '")[0]}");
            }
            if (parse.GetValue(json))
            {
                Cli.WriteJson(stdout, new JsonObject
                {
                    ["kind"] = k,
                    ["out"] = Path.GetFullPath(output),
                    ["format"] = format.ToString().ToLowerInvariant(),
                    ["width"] = figure.Width,
                    ["height"] = figure.Height,
                    ["shows"] = what,
                });
            }
            else
            {
                stdout.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{k,-13} {what}"));
                stdout.WriteLine(string.Create(CultureInfo.InvariantCulture, $"saved         {Path.GetFullPath(output)} ({figure.Width}x{figure.Height} {format.ToString().ToUpperInvariant()})"));
            }
            return Cli.Ok;
        });
        return command;
    }

    private static (Figure Figure, string What) Draw(Inputs a)
    {
        var options = new ImageOptions
        {
            ColumnMajor = a.Order switch { "row" => false, "column" => true, _ => null },
            Scale = a.Scale, Columns = a.Columns, Count = a.Count, Seed = a.Seed, Title = a.Title,
        };
        switch (a.Kind)
        {
            case "digits":
            {
                var d = Data(a, "digits", preferTest: false);
                var sheet = Figures.DigitGrid(d, a.Samples, options);
                return (sheet, $"{sheet.Panels[0].Tiles.Count} samples of '{d.Name}' ({sheet.ImageHeight}x{sheet.ImageWidth}, {Order(options.ColumnMajor ?? d.Image?.ColumnMajor ?? false)})");
            }
            case "image":
            {
                var d = Data(a, "image", preferTest: false);
                if (a.Samples is not { Count: 1 }) throw new UsageException("plot image: give the sample with --samples INDEX (one index).");
                var sheet = Figures.Image(d, a.Samples[0], options);
                return (sheet, $"sample {a.Samples[0]} of '{d.Name}' (label {d.ClassNames[d.Labels[a.Samples[0]]]})");
            }
            case "weights":
            {
                var layers = new List<UnitWeights>();
                if (a.Weights is { } w)
                {
                    if (a.Models.Count > 0) throw new UsageException("plot weights: give --model or --weights, not both.");
                    var net = CourseFiles.LoadThetas(InputFiles.Read(w, "--weights"));
                    int units = net.Spec.LayerSizes[1], inputs = net.Spec.Inputs;
                    var shape = ImageTiles.ShapeOf(null, inputs, $"--weights {w}");
                    layers.Add(new UnitWeights(Path.GetFileNameWithoutExtension(w), net.Parameters.AsSpan(0, units * inputs).ToArray(), units, inputs,
                        shape with { ColumnMajor = true }));   // MATLAB's Theta1 columns follow ex4's column-major pixels
                }
                else
                {
                    if (a.Models.Count == 0) throw new UsageException("plot weights needs --model FILE (repeat it for several models) or --weights FILE.");
                    foreach (var m in a.Models) layers.Add(UnitWeights.FirstLayer(LoadModel(m), Path.GetFileNameWithoutExtension(m)));
                }
                var sheet = Figures.HiddenUnits(layers, options, a.Max > 0 ? a.Max : 100);
                return (sheet, $"{string.Join(", ", sheet.Panels.Select(p => $"{p.Tiles.Count} units of '{p.Title}'"))} ({sheet.ImageHeight}x{sheet.ImageWidth})");
            }
            case "history":
            {
                if (a.Histories.Count == 0) throw new UsageException("plot history needs --history FILE.csv (repeat it to overlay runs).");
                var runs = a.Histories.Select(h =>
                {
                    if (!File.Exists(h)) throw new UsageException($"--history {h}: no such file.");
                    return new NamedHistory(Path.GetFileNameWithoutExtension(h), TrainingHistory.ReadCsv(h));
                }).ToArray();
                var chart = Charts.History(runs);
                return (chart, $"{string.Join(", ", runs.Select(r => $"'{r.Name}' ({r.History.Count} epochs)"))}");
            }
            case "boundary":
            {
                var model = LoadModel(Single(a, "boundary"));
                var d = Data(a, "boundary", preferTest: false);
                var chart = Charts.DecisionBoundary(model, d, a.Title);
                return (chart, $"decision regions of {model.Spec} over '{d.Name}' ({d.Count} points)");
            }
            case "confusion":
            {
                var model = LoadModel(Single(a, "confusion"));
                var d = Data(a, "confusion", preferTest: true);
                var chart = Charts.ConfusionMatrix(model, d, a.Title);
                int correct = Enumerable.Range(0, chart.Counts.GetLength(0)).Sum(i => chart.Counts[i, i]);
                return (chart, string.Create(CultureInfo.InvariantCulture, $"confusion matrix of {model.Spec} on '{d.Name}' ({correct} of {d.Count} correct)"));
            }
            case "misclassified":
            {
                var model = LoadModel(Single(a, "misclassified"));
                var d = Data(a, "misclassified", preferTest: true);
                var sheet = Figures.Misclassified(model, d, options, a.Max > 0 ? a.Max : 24);
                return (sheet, $"{sheet.Panels[0].Tiles.Count} misclassified samples of '{d.Name}'");
            }
            default:
                throw new UsageException($"plot: unknown kind '{a.Kind}'.");
        }
    }

    private static string Order(bool columnMajor) => columnMajor ? "column-major" : "row-major";

    private static string Single(Inputs a, string kind) => a.Models.Count switch
    {
        0 => throw new UsageException($"plot {kind} needs --model FILE."),
        1 => a.Models[0],
        _ => throw new UsageException($"plot {kind}: give one --model, not {a.Models.Count}."),
    };

    private static Model LoadModel(string path)
    {
        if (Directory.Exists(path)) throw new UsageException($"--model {path}: is a directory, not a model file.");
        if (!File.Exists(path)) throw new UsageException($"--model {path}: no such file.");
        try { return Model.Load(path); }
        catch (Exception e) when (e is InvalidDataException or System.Text.Json.JsonException or NotSupportedException)
        {
            throw new UsageException($"--model {path}: {e.Message}");
        }
    }

    private static Dataset Data(Inputs a, string kind, bool preferTest)
    {
        if (a.Data is null) throw new UsageException($"plot {kind} needs --data (a built-in name or a data file).");
        var set = DataLoader.Load(a.Data);
        return a.Split switch
        {
            "train" => set.Train,
            "test" => set.Test ?? throw new UsageException($"--split test: '{set.Name}' has no test part."),
            _ => preferTest ? set.Test ?? set.Train : set.Train,
        };
    }

    private static int[]? ParseSamples(string? text)
    {
        if (text is null) return null;
        var parts = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length == 0) throw new UsageException($"--samples '{text}': give sample indices, e.g. 0,5,17.");
        var result = new int[parts.Length];
        for (int i = 0; i < parts.Length; i++)
            if (!int.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out result[i]))
                throw new UsageException($"--samples '{text}': '{parts[i]}' is not a sample index (a whole number ≥ 0).");
        return result;
    }
}
