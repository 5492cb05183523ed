using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using Backprop.Data;
using Backprop.Experiments;
using Backprop.Training;

namespace Backprop.Plots.Reports;

/// <summary>One picture of a report: a short name (also its file name), a heading, a caption, and the PNG.</summary>
public sealed record ReportFigure(string Name, string Heading, string Caption, byte[] Png, int Width, int Height);

/// <summary>A comparison row: our figure beside the one the seed published.</summary>
/// <param name="Ours">What this run measured (null when it has no counterpart).</param>
public sealed record FigureComparison(SeedFigure Seed, double? Ours);

/// <summary>How a report is made.</summary>
public sealed record ReportOptions
{
    /// <summary>
    /// Also run the preset at each λ that the seed published a figure for (e.g. ex4's "train_accuracy (λ = 0)") and
    /// show those models' hidden units side by side.
    /// </summary>
    public bool LambdaSweep { get; init; } = true;

    /// <summary>Random training samples in the digit grid (image data only).</summary>
    public int GridSamples { get; init; } = 100;

    /// <summary>At most this many misclassified samples in the gallery.</summary>
    public int MaxMisclassified { get; init; } = 24;

    /// <summary>The command that made the report, shown on the page (null: not shown).</summary>
    public string? CommandLine { get; init; }

    /// <summary>Sees every epoch of every run: the run's label ("main", "λ = 0", …) and the record.</summary>
    public Action<string, EpochRecord>? OnEpoch { get; init; }
}

/// <summary>
/// The C# counterpart of an executed notebook: runs an experiment and lays out one self-contained HTML page —
/// hyperparameters, timings, our figures beside the seed's published ones, and the pictures (learning curves,
/// samples, hidden units, decision regions, confusion matrix, misclassified samples) embedded as PNG data URIs.
/// </summary>
public sealed class ExperimentReport
{
    private ExperimentReport(ExperimentResult result, IReadOnlyList<ExperimentResult> sweep, IReadOnlyList<FigureComparison> comparisons,
        IReadOnlyList<ReportFigure> figures, double totalSeconds, double figureSeconds, ReportOptions options, DateTime createdUtc)
    {
        Result = result;
        Sweep = sweep;
        Comparisons = comparisons;
        Figures = figures;
        TotalSeconds = totalSeconds;
        FigureSeconds = figureSeconds;
        this.options = options;
        CreatedUtc = createdUtc;
        Html = Render();
    }

    private readonly ReportOptions options;

    /// <summary>The main run.</summary>
    public ExperimentResult Result { get; }
    /// <summary>Extra runs at the λ values the seed published figures for (see <see cref="ReportOptions.LambdaSweep"/>).</summary>
    public IReadOnlyList<ExperimentResult> Sweep { get; }
    public IReadOnlyList<FigureComparison> Comparisons { get; }
    public IReadOnlyList<ReportFigure> Figures { get; }
    /// <summary>Wall time of everything: training runs, evaluation and drawing.</summary>
    public double TotalSeconds { get; }
    /// <summary>Wall time spent drawing the figures.</summary>
    public double FigureSeconds { get; }
    public DateTime CreatedUtc { get; }
    /// <summary>The page: one HTML document with no external resources and no scripts.</summary>
    public string Html { get; }

    /// <summary>Runs <paramref name="preset"/> (and its λ sweep) and builds the report.</summary>
    public static ExperimentReport Run(ExperimentPreset preset, ReportOptions? options = null) =>
        Run(Experiment.Prepare(preset), options);   // prepared first: a configuration error surfaces before any training

    /// <summary>Runs an experiment already prepared (the λ sweep runs its preset at other λ) and builds the report.</summary>
    public static ExperimentReport Run(PreparedExperiment prepared, ReportOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(prepared);
        var preset = prepared.Preset;
        options ??= new ReportOptions();
        var clock = Stopwatch.StartNew();
        var main = prepared.Run(e => options.OnEpoch?.Invoke("main", e));
        var sweep = new List<ExperimentResult>();
        if (options.LambdaSweep)
            foreach (double lambda in SweepLambdas(main))
            {
                string label = string.Create(CultureInfo.InvariantCulture, $"λ = {lambda:0.###}");
                var atLambda = preset with { Training = preset.Training with { Lambda = lambda } };
                sweep.Add(Experiment.Run(atLambda, e => options.OnEpoch?.Invoke(label, e)));
            }
        return Build(main, sweep, options, clock);
    }

    /// <summary>A report of runs already made (<paramref name="sweep"/>: the same experiment at other λ, may be empty).</summary>
    public static ExperimentReport FromResults(ExperimentResult main, IReadOnlyList<ExperimentResult>? sweep = null, ReportOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(main);
        return Build(main, sweep ?? [], options ?? new ReportOptions(), Stopwatch.StartNew());
    }

    /// <summary>Writes <c>report.html</c> into <paramref name="directory"/> (created if needed) atomically; returns its path.</summary>
    /// <param name="figures">Also write each figure as <c>NAME.png</c> beside it (the page does not use them).</param>
    public string Save(string directory, bool figures = false)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        if (File.Exists(directory)) throw new ArgumentException($"{directory}: is a file; the report needs a directory.");
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, "report.html");
        AtomicFile.WriteAllText(path, Html);
        if (figures)
            foreach (var f in Figures)
                AtomicFile.Write(Path.Combine(directory, f.Name + ".png"), s => s.Write(f.Png));
        return path;
    }

    /// <summary>The λ values of the seed's figures named like "train_accuracy (λ = 20)", other than the main run's.</summary>
    public static IReadOnlyList<double> SweepLambdas(ExperimentResult main)
    {
        ArgumentNullException.ThrowIfNull(main);
        var result = new List<double>();
        foreach (var f in main.Preset.SeedFigures)
            if (f.Lambda is { } l && l != main.Preset.Training.Lambda && !result.Contains(l)) result.Add(l);
        result.Sort();
        return result;
    }

    private static ExperimentReport Build(ExperimentResult main, IReadOnlyList<ExperimentResult> sweep, ReportOptions options, Stopwatch clock)
    {
        var comparisons = main.Preset.SeedFigures.Select(f =>
        {
            double? ours = null;
            if (f.Lambda is { } l)
            {
                var run = l == main.Preset.Training.Lambda ? main : sweep.FirstOrDefault(r => r.Preset.Training.Lambda == l);
                // "(λ = 0, 5000 iterations)": only a run of that many iterations is compared with it.
                ours = run is not null && f.AppliesTo(run.Preset.Training.Epochs) ? run.Figure(f.BaseMetric) : null;
            }
            else ours = main.Figure(f.Metric);
            return new FigureComparison(f, ours);
        }).ToArray();
        var drawing = Stopwatch.StartNew();
        var figures = DrawFigures(main, sweep, options);
        double figureSeconds = drawing.Elapsed.TotalSeconds;
        return new ExperimentReport(main, sweep, comparisons, figures, clock.Elapsed.TotalSeconds, figureSeconds, options, DateTime.UtcNow);
    }

    /// <summary>The data the confusion matrix and the gallery use: test, else validation, else training.</summary>
    private static (Dataset Data, string Role) EvaluationSet(ExperimentResult r) =>
        r.Test is not null ? (r.Test, "test") : r.Valid is not null ? (r.Valid, "validation") : (r.Train, "training");

    private static List<ReportFigure> DrawFigures(ExperimentResult main, IReadOnlyList<ExperimentResult> sweep, ReportOptions options)
    {
        var c = CultureInfo.InvariantCulture;
        var figures = new List<ReportFigure>();
        void Add(string name, string heading, string caption, Figure f) => figures.Add(new ReportFigure(name, heading, caption, f.ToPng(), f.Width, f.Height));

        var runs = new List<NamedHistory> { new(Label(main), main.History) };
        runs.AddRange(sweep.Select(s => new NamedHistory(Label(s), s.History)));
        runs = runs.OrderBy(r => r.Name, StringComparer.Ordinal).ToList();
        bool validation = runs.Any(r => r.History.Any(e => e.ValidAccuracy is not null));
        if (main.History.Count > 0)
            Add("history", "Learning curves", "Mean training cost (regularization included) and accuracy per epoch"
                + (sweep.Count > 0 ? ", one colour per λ" : "") + (validation ? "; solid: training, dashed: validation." : " on the training set."), Charts.History(runs));

        var train = main.Train;
        bool image = train.Image is { Channels: 1 } || IsSquare(train.FeatureCount);
        if (image)
        {
            var grid = Plots.Figures.DigitGrid(train, options: new ImageOptions { Count = options.GridSamples, Seed = main.Preset.Seed });
            Add("samples", "The data", string.Create(c,
                $"{grid.Panels[0].Tiles.Count} random training samples of '{train.Name}' ({grid.ImageHeight}x{grid.ImageWidth}, {(train.Image?.ColumnMajor == true ? "column-major, read column by column" : "row-major")}), each scaled to its own gray range."), grid);
            if (main.Model.Spec.LayerCount >= 2)
            {
                var models = new List<ExperimentResult> { main };
                models.AddRange(sweep);
                var layers = models.OrderBy(m => m.Preset.Training.Lambda)
                    .Select(m => UnitWeights.FirstLayer(m.Model, string.Create(c, $"λ = {m.Preset.Training.Lambda:0.###}"))).ToList();
                // On the course's data, the course's own trained network beside ours (ex4's displayData(Theta1(:, 2:end))).
                if (main.Train.Name == "ex4data1" && main.Model.Spec.LayerSizes[0] == 400)
                {
                    var thetas = Backprop.Experiments.CourseFiles.LoadThetas(Backprop.Data.Formats.Mat.MatFile.Read(Backprop.Data.Builtin.BuiltinData.WeightsPath("ex4weights")));
                    layers.Add(UnitWeights.FirstLayer(Backprop.Models.Model.From(thetas, image: main.Train.Image), "the course's ex4weights"));
                }
                var units = Plots.Figures.HiddenUnits(layers.ToArray());
                Add("hidden-units", "The hidden layer", string.Create(c,
                    $"Incoming weights of each of the {main.Model.Spec.LayerSizes[1]} hidden units{(main.Model.Spec.LayerSizes[1] > 100 ? " (first 100)" : "")} drawn as an image (mid-gray = 0, per unit scaled by its largest |w|){(models.Count > 1 ? "; larger λ gives smoother, blurrier units" : "")}{(layers.Count > models.Count ? "; last, the course's own trained ex4weights" : "")}."), units);
            }
        }
        else if (train.FeatureCount == 2)
        {
            Add("boundary", "Decision boundary", string.Create(c,
                $"Predicted class over the plane (tinted) with the {train.Count} training points coloured by their true class; training accuracy {main.TrainAccuracy:P2}."),
                Charts.DecisionBoundary(main.Model, train, $"decision boundary — {main.Preset.Name}"));
        }

        var (eval, role) = EvaluationSet(main);
        Add("confusion", "Confusion matrix", string.Create(c,
            $"On the {role} set ({eval.Count} samples): rows are true classes, columns predictions; colour is the fraction of the row, numbers are counts."),
            Charts.ConfusionMatrix(main.Model, eval, $"confusion matrix — {role} set", Math.Clamp(140 + 42 * eval.Classes, 320, 560)));
        if (image)
        {
            var predicted = main.Model.Predict(eval);
            if (predicted.Where((p, i) => p != eval.Labels[i]).Any())
                Add("misclassified", "Misclassified samples", $"The first misclassified samples of the {role} set, titled with the true (t) and predicted (p) class.",
                    Plots.Figures.Misclassified(eval, predicted, maxCount: options.MaxMisclassified));
        }
        return figures;
    }

    private static string Label(ExperimentResult r) => string.Create(CultureInfo.InvariantCulture, $"λ = {r.Preset.Training.Lambda:0.###}");

    private static bool IsSquare(int n)
    {
        int side = (int)Math.Round(Math.Sqrt(n));
        return n >= 16 && side * side == n;
    }

    private string Render()
    {
        var c = CultureInfo.InvariantCulture;
        var p = Result.Preset;
        var sb = new StringBuilder();
        string E(string s) => WebUtility.HtmlEncode(s);
        sb.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
        sb.Append(c, $"<title>Backprop report — {E(p.Name)}</title>\n");
        sb.Append("<style>\n")
          .Append("body{font-family:'DejaVu Sans',Helvetica,Arial,sans-serif;max-width:1040px;margin:24px auto;padding:0 16px;color:#222;line-height:1.45}\n")
          .Append("h1{font-size:1.6em;margin-bottom:.2em}h2{font-size:1.2em;margin-top:1.8em;border-bottom:1px solid #ddd;padding-bottom:.2em}\n")
          .Append("table{border-collapse:collapse;margin:.6em 0}th,td{border:1px solid #ccc;padding:4px 10px;text-align:left;vertical-align:top}\n")
          .Append("th{background:#f3f3f3}td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}\n")
          .Append(".muted{color:#666;font-size:.92em}figure{margin:1em 0}figure img{max-width:100%;height:auto;border:1px solid #eee}\n")
          .Append("figcaption{color:#444;font-size:.92em;margin-top:.3em}code{background:#f5f5f5;padding:1px 4px}\n")
          .Append("</style>\n</head>\n<body>\n");
        sb.Append(c, $"<h1>{E(p.Name)}</h1>\n<p>{E(p.Description)}</p>\n");
        sb.Append(c, $"<p class=\"muted\">Made by Backprop on {CreatedUtc:yyyy-MM-dd HH:mm} UTC{(options.CommandLine is { } cmd ? $" with <code>{E(cmd)}</code>" : "")}.</p>\n");

        // Results beside the seed's.
        sb.Append("<h2>Results</h2>\n<table>\n<tr><th>figure</th><th>this run</th><th>the seed's</th><th>difference</th><th>the seed's source</th></tr>\n");
        sb.Append(c, $"<tr><td>training accuracy</td><td class=\"num\">{Pct(Result.TrainAccuracy)}</td>{SeedCells("train_accuracy", Result.TrainAccuracy)}</tr>\n");
        if (Result.ValidAccuracy is { } va) sb.Append(c, $"<tr><td>validation accuracy</td><td class=\"num\">{Pct(va)}</td>{SeedCells("valid_accuracy", va)}</tr>\n");
        if (Result.TestAccuracy is { } ta) sb.Append(c, $"<tr><td>test accuracy</td><td class=\"num\">{Pct(ta)}</td>{SeedCells("test_accuracy", ta)}</tr>\n");
        sb.Append(c, $"<tr><td>final cost</td><td class=\"num\">{Result.FinalCost:G6}</td>{SeedCells("cost", Result.FinalCost)}</tr>\n");
        foreach (var cmp in Comparisons.Where(x => x.Seed.Metric is not ("train_accuracy" or "valid_accuracy" or "test_accuracy" or "cost")))
            sb.Append(c, $"<tr><td>{E(cmp.Seed.Metric.Replace('_', ' '))}</td><td class=\"num\">{Value(cmp.Seed, cmp.Ours)}</td><td class=\"num\">{Value(cmp.Seed, cmp.Seed.Value)}</td><td class=\"num\">{Difference(cmp.Seed, cmp.Ours)}</td><td>{E(cmp.Seed.Source)}</td></tr>\n");
        sb.Append("</table>\n");
        if (Comparisons.Count > 0)
            sb.Append(c, $"<p class=\"muted\">The seed's figures are constants copied from its text, measured on its own data (see the source column); this run used '{E(Result.Train.Name)}'.</p>\n");
        if (Result.StopReason.Length > 0)
            sb.Append(c, $"<p class=\"muted\">Training: {E(Result.StopReason)}</p>\n");

        // Setup.
        var spec = Result.Model.Spec;
        sb.Append("<h2>Setup</h2>\n<table>\n");
        void Row(string k, string v) => sb.Append(c, $"<tr><th>{E(k)}</th><td>{E(v)}</td></tr>\n");
        Row("data", $"{Result.Train.Name}: {Result.Train.Count} training samples x {Result.Train.FeatureCount} features, {Result.Train.Classes} classes"
            + (Result.Valid is { } v ? $"; {v.Count} validation" : "") + (Result.Test is { } t ? $"; {t.Count} test" : ""));
        Row("split", p.Split.ToString() + (Result.Test is null && p.Split.UseBuiltinTest && p.Split.TestFile is null ? $" ('{Result.Train.Name}' has none)" : ""));
        Row("scaling", Result.Scaling.ToString() + (Result.Model.Preprocessor is { } pre ? $" ({pre})" : ""));
        Row("network", spec.ToString());
        Row("initial weights", $"{p.Initializer}, seed {p.Seed}{(p.SharedRandomStream ? " (one random stream for weights and shuffles)" : "")}");
        Row("training", p.Training.ToString() + $", schedule {p.Training.Schedule}, shuffle {(p.Training.Shuffle ? "yes" : "no")}");
        Row("precision", Backprop.Models.Precisions.Name(p.Precision));
        if (p.Recipe.Length > 0) Row("the seed's recipe", p.Recipe);
        sb.Append("</table>\n");

        // Timings.
        sb.Append("<h2>Timings</h2>\n<table>\n<tr><th>run</th><th>epochs</th><th>training</th><th>per epoch</th><th>training accuracy</th></tr>\n");
        foreach (var r in new[] { Result }.Concat(Sweep).OrderBy(r => r.Preset.Training.Lambda))
            sb.Append(c, $"<tr><td>{E(Label(r))}{(ReferenceEquals(r, Result) ? " (main)" : "")}</td><td class=\"num\">{r.Epochs}</td><td class=\"num\">{r.Seconds:F2} s</td><td class=\"num\">{(r.Epochs > 0 ? r.Seconds / r.Epochs * 1000 : 0):F2} ms</td><td class=\"num\">{Pct(r.TrainAccuracy)}</td></tr>\n");
        sb.Append("</table>\n");
        sb.Append(c, $"<p class=\"muted\">Whole report {TotalSeconds:F1} s, of which drawing {FigureSeconds:F1} s; {Environment.ProcessorCount} cores, {E(System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription)}, {E(System.Runtime.InteropServices.RuntimeInformation.OSDescription)}.</p>\n");

        // Pictures.
        foreach (var f in Figures)
        {
            sb.Append(c, $"<h2>{E(f.Heading)}</h2>\n<figure>\n<img alt=\"{E(f.Heading)}\" width=\"{f.Width}\" height=\"{f.Height}\" src=\"data:image/png;base64,");
            sb.Append(Convert.ToBase64String(f.Png));
            sb.Append(c, $"\">\n<figcaption>{E(f.Caption)}</figcaption>\n</figure>\n");
        }
        sb.Append("</body>\n</html>\n");
        return sb.ToString();

        string SeedCells(string metric, double ours)
        {
            var seed = Comparisons.FirstOrDefault(x => x.Seed.Metric == metric)?.Seed;
            if (seed is null) return "<td class=\"num\">—</td><td class=\"num\"></td><td></td>";
            return $"<td class=\"num\">{Value(seed, seed.Value)}</td><td class=\"num\">{Difference(seed, ours)}</td><td>{E(seed.Source)}</td>";
        }
    }

    private static string Pct(double v) => (v * 100).ToString("F2", CultureInfo.InvariantCulture) + " %";

    private static string Value(SeedFigure f, double? v) => v is not double d ? "—" : f.IsAccuracy ? Pct(d) : d.ToString("G6", CultureInfo.InvariantCulture);

    private static string Difference(SeedFigure f, double? ours) => ours is not double d ? ""
        : f.IsAccuracy ? ((d - f.Value) * 100).ToString("+0.00;−0.00;0.00", CultureInfo.InvariantCulture) + " pts"
        : (d - f.Value).ToString("+0.####;−0.####;0", CultureInfo.InvariantCulture);
}
