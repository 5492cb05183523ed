using Backprop.Data;
using Backprop.Evaluation;
using Backprop.Models;
using Backprop.Training;
using ScottPlot;
using SkiaSharp;

namespace Backprop.Plots;

/// <summary>A named training history, one set of lines in a history chart.</summary>
public sealed record NamedHistory(string Name, TrainingHistory History);

/// <summary>Cost and accuracy per epoch: plot 0 is the cost, plot 1 (when any accuracy was recorded) the accuracy in %.</summary>
public sealed class HistoryChart(IReadOnlyList<Plot> plots, int width, int height, IReadOnlyList<NamedHistory> runs)
    : ChartFigure(plots, width, height)
{
    public IReadOnlyList<NamedHistory> Runs { get; } = runs;
    /// <summary>The colour of run <paramref name="run"/>'s lines (train solid, validation dashed).</summary>
    public static SKColor ColorOf(int run) => Palette.Color(run);
}

/// <summary>Predicted class over a grid of the plane (tinted) with the data points on top (plot 0).</summary>
public sealed class BoundaryChart(IReadOnlyList<Plot> plots, int width, int height, int[,] grid, double xMin, double xMax, double yMin, double yMax)
    : ChartFigure(plots, width, height)
{
    /// <summary>Predicted class per cell, [row, column]; row 0 is the top (largest y).</summary>
    public int[,] Grid { get; } = grid;
    public double XMin { get; } = xMin;
    public double XMax { get; } = xMax;
    public double YMin { get; } = yMin;
    public double YMax { get; } = yMax;
    /// <summary>The background colour of decision region <paramref name="klass"/>.</summary>
    public static SKColor RegionColor(int klass) => Palette.Tint(klass);
    /// <summary>The marker colour of data points of class <paramref name="klass"/>.</summary>
    public static SKColor PointColor(int klass) => Palette.Color(klass);
    public const float MarkerSize = 7;
}

/// <summary>Row-normalized confusion matrix as a heat map (plot 0): cell (true t, predicted p) is at x = p, y = t.</summary>
public sealed class ConfusionChart(IReadOnlyList<Plot> plots, int width, int height, int[,] counts, double[,] fractions)
    : ChartFigure(plots, width, height, [1])
{
    /// <summary>counts[true, predicted].</summary>
    public int[,] Counts { get; } = counts;
    /// <summary>Each row divided by its total (0 for an empty row).</summary>
    public double[,] Fractions { get; } = fractions;
    /// <summary>The colormap: brighter means a larger fraction.</summary>
    public static IColormap Colormap { get; } = new ScottPlot.Colormaps.Viridis();
    /// <summary>What the colour shows, printed beside the x-axis label.</summary>
    public const string ColourKey = "colour: fraction of the true class";
}

/// <summary>The chart kinds: learning curves, decision boundaries, confusion matrices.</summary>
public static class Charts
{
    /// <summary>Cost (left) and train/validation accuracy (right) per epoch, several runs overlaid.</summary>
    public static HistoryChart History(IReadOnlyList<NamedHistory> runs, int width = 960, int height = 400)
    {
        ArgumentNullException.ThrowIfNull(runs);
        if (runs.Count == 0) throw new ArgumentException("Give at least one training history.", nameof(runs));
        foreach (var r in runs)
        {
            if (r.History.Count == 0) throw new ArgumentException($"The history '{r.Name}' has no epochs.", nameof(runs));
            if (r.History.Any(e => !double.IsFinite(e.Cost))) throw new ArgumentException($"The history '{r.Name}' has a cost that is not a finite number.", nameof(runs));
        }
        bool anyAccuracy = runs.Any(r => r.History.Any(e => e.TrainAccuracy is not null || e.ValidAccuracy is not null));
        bool legend = runs.Count > 1 || anyAccuracy;

        var cost = new Plot();
        cost.Title("cost");
        cost.XLabel("epoch");
        cost.YLabel("cost");
        for (int i = 0; i < runs.Count; i++)
        {
            var h = runs[i].History;
            var line = cost.Add.Scatter(h.Select(e => (double)e.Epoch).ToArray(), h.Select(e => e.Cost).ToArray(), Palette.ToScott(HistoryChart.ColorOf(i)));
            line.LineWidth = 2;
            line.MarkerSize = h.Count <= 30 ? 5 : 0;
            line.LegendText = runs.Count > 1 ? runs[i].Name : "training cost";
        }
        // Both panels get a legend row below or neither, so their plot areas line up side by side.
        if (legend) cost.ShowLegend(Edge.Bottom);
        var plots = new List<Plot> { cost };

        if (anyAccuracy)
        {
            var acc = new Plot();
            acc.Title("accuracy");
            acc.XLabel("epoch");
            acc.YLabel("accuracy (%)");
            for (int i = 0; i < runs.Count; i++)
            {
                var h = runs[i].History;
                var color = Palette.ToScott(HistoryChart.ColorOf(i));
                string prefix = runs.Count > 1 ? runs[i].Name + " " : "";
                AddSeries(acc, h, e => e.TrainAccuracy, color, LinePattern.Solid, prefix + "train");
                AddSeries(acc, h, e => e.ValidAccuracy, color, LinePattern.Dashed, prefix + "validation");
            }
            if (legend) acc.ShowLegend(Edge.Bottom);
            plots.Add(acc);
        }
        return new HistoryChart(plots, anyAccuracy ? width : Math.Max(320, width / 2), height, runs);
    }

    /// <summary>Histories read from CSV files written by <c>backprop train --history</c> (named after the files).</summary>
    public static HistoryChart History(IEnumerable<string> csvPaths, int width = 960, int height = 400) =>
        History(csvPaths.Select(p => new NamedHistory(Path.GetFileNameWithoutExtension(p), TrainingHistory.ReadCsv(p))).ToArray(), width, height);

    private static void AddSeries(Plot plot, TrainingHistory h, Func<EpochRecord, double?> value, ScottPlot.Color color, LinePattern pattern, string label)
    {
        var points = h.Where(e => value(e) is not null).ToArray();
        if (points.Length == 0) return;
        var line = plot.Add.Scatter(points.Select(e => (double)e.Epoch).ToArray(), points.Select(e => value(e)!.Value * 100).ToArray(), color);
        line.LineWidth = 2;
        line.LinePattern = pattern;
        line.MarkerSize = points.Length <= 30 ? 5 : 0;
        line.LegendText = label;
    }

    /// <summary>
    /// The decision regions of any classifier of 2-D points, evaluated on a <paramref name="resolution"/>² grid spanning the
    /// data (plus a margin), with the data points on top coloured by their true class.
    /// </summary>
    /// <param name="predict">Predicted class for each of <c>count</c> points given row-major as [count, 2].</param>
    public static BoundaryChart DecisionBoundary(Func<double[], int, int[]> predict, Dataset data, string? title = null, int resolution = 240, int size = 560)
    {
        ArgumentNullException.ThrowIfNull(predict);
        ArgumentNullException.ThrowIfNull(data);
        if (data.FeatureCount != 2) throw new ArgumentException($"A decision boundary needs 2-D points; '{data.Name}' has {data.FeatureCount} features.", nameof(data));
        if (data.Count == 0) throw new ArgumentException($"'{data.Name}' has no points.", nameof(data));
        if (resolution < 2) throw new ArgumentOutOfRangeException(nameof(resolution), $"The grid needs at least 2 cells a side, got {resolution}.");
        double xMin = double.MaxValue, xMax = double.MinValue, yMin = double.MaxValue, yMax = double.MinValue;
        for (int i = 0; i < data.Count; i++)
        {
            var p = data.Sample(i);
            xMin = Math.Min(xMin, p[0]); xMax = Math.Max(xMax, p[0]);
            yMin = Math.Min(yMin, p[1]); yMax = Math.Max(yMax, p[1]);
        }
        double padX = Math.Max((xMax - xMin) * 0.08, 1e-3), padY = Math.Max((yMax - yMin) * 0.08, 1e-3);
        xMin -= padX; xMax += padX; yMin -= padY; yMax += padY;

        // Cell centres, row 0 at the top: [resolution², 2] row-major.
        int n = resolution;
        var points = new double[n * n * 2];
        for (int r = 0; r < n; r++)
            for (int c = 0; c < n; c++)
            {
                points[(r * n + c) * 2] = xMin + (c + 0.5) * (xMax - xMin) / n;
                points[(r * n + c) * 2 + 1] = yMax - (r + 0.5) * (yMax - yMin) / n;
            }
        var predicted = predict(points, n * n);
        if (predicted is null || predicted.Length != n * n)
            throw new InvalidOperationException($"The classifier returned {predicted?.Length ?? 0} predictions for {n * n} grid points.");
        int classes = Math.Max(data.Classes, predicted.Max() + 1);
        var grid = new int[n, n];
        var intensities = new double[n, n];
        for (int r = 0; r < n; r++)
            for (int c = 0; c < n; c++)
            {
                int k = predicted[r * n + c];
                if (k < 0) throw new InvalidOperationException($"The classifier predicted class {k} at a grid point.");
                grid[r, c] = k;
                intensities[r, c] = k;
            }

        var plot = new Plot();
        var map = plot.Add.Heatmap(intensities);
        map.Colormap = new ClassColormap(classes);
        map.ManualRange = new ScottPlot.Range(0, Math.Max(classes - 1, 1));
        map.Rectangle = new CoordinateRect(xMin, xMax, yMin, yMax);
        map.Smooth = false;
        for (int k = 0; k < data.Classes; k++)
        {
            var idx = Enumerable.Range(0, data.Count).Where(i => data.Labels[i] == k).ToArray();
            if (idx.Length == 0) continue;
            var markers = plot.Add.Markers(idx.Select(i => data.Sample(i)[0]).ToArray(), idx.Select(i => data.Sample(i)[1]).ToArray(),
                MarkerShape.FilledCircle, BoundaryChart.MarkerSize, Palette.ToScott(BoundaryChart.PointColor(k)));
            markers.MarkerStyle.OutlineColor = Colors.Black;
            markers.MarkerStyle.OutlineWidth = 0.75f;
            markers.LegendText = data.ClassNames[k];
        }
        plot.Axes.SetLimits(xMin, xMax, yMin, yMax);
        plot.Axes.Margins(0, 0);
        plot.Title(title ?? $"decision boundary — {data.Name}");
        plot.ShowLegend(Alignment.UpperRight);
        return new BoundaryChart([plot], size + 40, size, grid, xMin, xMax, yMin, yMax);
    }

    /// <summary>The decision regions of a model of 2-D inputs.</summary>
    public static BoundaryChart DecisionBoundary(Model model, Dataset data, string? title = null, int resolution = 240, int size = 560)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (model.Spec.Inputs != 2) throw new ArgumentException($"A decision boundary needs a model of 2 inputs; {model.Spec} takes {model.Spec.Inputs}.", nameof(model));
        return DecisionBoundary((x, count) => model.Predict(x, count), data, title, resolution, size);
    }

    /// <summary>The confusion matrix as a heat map of each true class's fractions, with the counts written in the cells.</summary>
    public static ConfusionChart ConfusionMatrix(int[,] counts, IReadOnlyList<string>? classNames = null, string? title = null, int size = 560)
    {
        ArgumentNullException.ThrowIfNull(counts);
        int k = counts.GetLength(0);
        if (k == 0 || counts.GetLength(1) != k) throw new ArgumentException($"A confusion matrix is square with at least one class; got {counts.GetLength(0)}x{counts.GetLength(1)}.", nameof(counts));
        classNames ??= Enumerable.Range(0, k).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        if (classNames.Count != k) throw new ArgumentException($"{classNames.Count} class names for {k} classes.", nameof(classNames));
        var fractions = new double[k, k];
        for (int t = 0; t < k; t++)
        {
            long total = 0;
            for (int p = 0; p < k; p++)
            {
                if (counts[t, p] < 0) throw new ArgumentException($"Count [{t}, {p}] is negative ({counts[t, p]}).", nameof(counts));
                total += counts[t, p];
            }
            for (int p = 0; p < k; p++) fractions[t, p] = total > 0 ? (double)counts[t, p] / total : 0;
        }
        // Heat map rows are drawn top-down: row t (true class t) at y = t with y inverted so class 0 is on top.
        var plot = new Plot();
        var map = plot.Add.Heatmap(fractions);
        map.Colormap = ConfusionChart.Colormap;
        map.ManualRange = new ScottPlot.Range(0, 1);
        map.Rectangle = new CoordinateRect(-0.5, k - 0.5, -0.5, k - 0.5);
        map.Smooth = false;
        float fontSize = k <= 12 ? 13 : 9;
        for (int t = 0; t < k; t++)
            for (int p = 0; p < k; p++)
            {
                if (counts[t, p] == 0) continue;
                var text = plot.Add.Text(counts[t, p].ToString(System.Globalization.CultureInfo.InvariantCulture), p, t);
                text.Alignment = Alignment.MiddleCenter;
                text.LabelFontSize = fontSize;
                text.LabelFontColor = fractions[t, p] > 0.5 ? Colors.Black : Colors.White;
                if (Text.Available) text.LabelFontName = Text.Family;
            }
        var ticks = Enumerable.Range(0, k).Select(i => new Tick(i, classNames[i])).ToArray();
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(ticks);
        plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericManual(ticks);
        plot.Axes.SetLimits(-0.5, k - 0.5, k - 0.5, -0.5);
        // What the colour means goes under the matrix, where no caller's title can drop it (a colour-bar label
        // would overlap the bar's tick labels: ScottPlot places it at a fixed offset).
        // Two lines, so the key fits the narrowest matrix (a report's 2-class one is 400 px wide).
        plot.XLabel($"predicted class\n{ConfusionChart.ColourKey}", 14);
        plot.YLabel("true class");
        plot.Title(title ?? "confusion matrix (row-normalized)");
        plot.Add.ColorBar(map);
        return new ConfusionChart([plot], size + 80, size, counts, fractions);
    }

    /// <summary>The confusion matrix of <paramref name="model"/> on <paramref name="data"/>.</summary>
    public static ConfusionChart ConfusionMatrix(Model model, Dataset data, string? title = null, int size = 560)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        var predicted = model.Predict(data);
        int classes = Math.Max(data.Classes, model.ClassNames.Count);
        return ConfusionMatrix(Metrics.ConfusionMatrix(predicted, data.Labels, classes), data.Classes >= model.ClassNames.Count ? data.ClassNames : model.ClassNames.ToArray(),
            title ?? $"confusion matrix — {data.Name}, accuracy {Metrics.Accuracy(predicted, data.Labels):P2}", size);
    }

    /// <summary>Region colours by class: the heat map's value is the class index, normalized over 0..classes−1.</summary>
    private sealed class ClassColormap(int classes) : IColormap
    {
        public string Name => "classes";
        public ScottPlot.Color GetColor(double position)
        {
            int k = classes <= 1 ? 0 : (int)Math.Round(Math.Clamp(position, 0, 1) * (classes - 1));
            return Palette.ToScott(BoundaryChart.RegionColor(k));
        }
    }
}
