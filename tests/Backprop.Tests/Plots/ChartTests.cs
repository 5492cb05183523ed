using Backprop.Data.Builtin;
using Backprop.Evaluation;
using Backprop.Plots;
using Backprop.Training;
using SkiaSharp;
using static Backprop.Tests.Plots.PlotFixtures;

namespace Backprop.Tests.Plots;

public class ChartTests
{
    /// <summary>Figure rows in column <paramref name="x"/> (±1) whose colour is near <paramref name="color"/>.</summary>
    private static List<int> RowsWithColor(SKBitmap bitmap, int x, SKColor color, SKRect area, int tolerance = 40)
    {
        var rows = new List<int>();
        for (int y = (int)area.Top; y < (int)area.Bottom; y++)
            for (int dx = -1; dx <= 1; dx++)
                if (Near(bitmap.GetPixel(x + dx, y), color, tolerance)) { rows.Add(y); break; }
        return rows;
    }

    private static TrainingHistory Synthetic(Func<int, double> cost, Func<int, double> train, Func<int, double> valid, int epochs)
    {
        var h = new TrainingHistory();
        for (int e = 1; e <= epochs; e++) h.Add(new EpochRecord(e, cost(e), train(e), valid(e), e * 0.5, 0.01));
        return h;
    }

    [Fact]
    public void HistoryLinesPassThroughEachEpochsValuesAndFollowTheirDirection()
    {
        // Run A: cost falls, accuracy rises. Run B: cost rises (a diverging run), accuracy falls.
        var a = Synthetic(e => 2.0 / e, e => 0.5 + 0.04 * e, e => 0.45 + 0.035 * e, 12);
        var b = Synthetic(e => 0.5 + 0.1 * e, e => 0.9 - 0.03 * e, e => 0.85 - 0.03 * e, 12);
        var chart = Charts.History([new NamedHistory("A", a), new NamedHistory("B", b)]);
        Assert.Equal(2, chart.Plots.Count);
        using var bitmap = Render(chart, "history");
        var runs = new[] { a, b };
        for (int run = 0; run < 2; run++)
        {
            var color = HistoryChart.ColorOf(run);
            var area0 = chart.DataArea(0);
            var area1 = chart.DataArea(1);
            var ys = new List<float>();
            foreach (int epoch in new[] { 1, 3, 6, 9, 12 })
            {
                var rec = runs[run][epoch - 1];
                var (px, py) = chart.PixelOf(0, epoch, rec.Cost);
                var rows = RowsWithColor(bitmap, (int)Math.Round(px), color, area0);
                Assert.True(rows.Any(y => Math.Abs(y - py) <= 3), $"run {run} epoch {epoch}: cost {rec.Cost} expected at y≈{py}, line rows [{string.Join(",", rows)}]");
                ys.Add(py);
                var (qx, qy) = chart.PixelOf(1, epoch, rec.TrainAccuracy!.Value * 100);
                var accRows = RowsWithColor(bitmap, (int)Math.Round(qx), color, area1);
                Assert.True(accRows.Any(y => Math.Abs(y - qy) <= 3), $"run {run} epoch {epoch}: train accuracy expected at y≈{qy}");
            }
            // Screen y grows downwards: a falling cost moves the line down the picture, a rising one up.
            for (int i = 1; i < ys.Count; i++)
                Assert.True(run == 0 ? ys[i] > ys[i - 1] : ys[i] < ys[i - 1], $"run {run}: line pixels must follow the cost's direction");
        }
        // Run A's line is absent where run B's cost would be at epoch 12 (a wrong line would be caught).
        var (wx, wy) = chart.PixelOf(0, 12, b[11].Cost);
        Assert.DoesNotContain(RowsWithColor(bitmap, (int)Math.Round(wx), HistoryChart.ColorOf(0), chart.DataArea(0)), y => Math.Abs(y - wy) <= 3);
    }

    [Fact]
    public void HistoryOfOneRunLinesUpTheCostAndAccuracyPanels()
    {
        // One run with accuracy: the accuracy panel has a legend row (train / validation); the cost panel must have one
        // too, or its plot area is taller and the two epoch axes sit at different heights.
        var chart = Charts.History([new NamedHistory("only", Synthetic(e => 2.0 / e, e => 0.5 + 0.04 * e, e => 0.45 + 0.035 * e, 12))]);
        using var bitmap = Render(chart, "history-one-run");
        var cost = chart.DataArea(0);
        var accuracy = chart.DataArea(1);
        Assert.True(Math.Abs(cost.Top - accuracy.Top) <= 1 && Math.Abs(cost.Bottom - accuracy.Bottom) <= 1,
            $"cost area {cost}, accuracy area {accuracy}");
    }

    [Fact]
    public void HistoryFromACsvFileWithoutAccuracyIsOneCostPlot()
    {
        var h = Synthetic(e => Math.Exp(-e / 5.0), _ => 0, _ => 0, 20);
        var path = Path.Combine(Path.GetTempPath(), $"history-{Guid.NewGuid():N}.csv");
        var noAcc = new TrainingHistory();
        noAcc.AddRange(h.Select(e => e with { TrainAccuracy = null, ValidAccuracy = null }));
        noAcc.WriteCsv(path);
        try
        {
            var chart = Charts.History([path]);
            Assert.Single(chart.Plots);
            using var bitmap = Render(chart, "history-cost-only");
            var (px, py) = chart.PixelOf(0, 10, noAcc[9].Cost);
            Assert.Contains(RowsWithColor(bitmap, (int)Math.Round(px), HistoryChart.ColorOf(0), chart.DataArea(0)), y => Math.Abs(y - py) <= 3);
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void BoundaryColourAtSampledPointsIsTheRegionOfTheClassifiersPredictionThere()
    {
        var spiral = BuiltinData.Load("spiral").Train;
        var model = SpiralModel.Value;
        var chart = Charts.DecisionBoundary(model, spiral);
        using var bitmap = Render(chart, "boundary-spiral");
        var area = chart.DataArea(0);
        var pointPixels = Enumerable.Range(0, spiral.Count).Select(i => chart.PixelOf(0, spiral.Sample(i)[0], spiral.Sample(i)[1])).ToArray();
        var rng = new Random(5);
        int checkedPoints = 0;
        var seen = new HashSet<int>();
        for (int trial = 0; trial < 3000 && checkedPoints < 300; trial++)
        {
            float px = (float)(area.Left + 3 + rng.NextDouble() * (area.Width - 6));
            float py = (float)(area.Top + 3 + rng.NextDouble() * (area.Height - 6));
            if (pointPixels.Any(p => Math.Abs(p.X - px) < 12 && Math.Abs(p.Y - py) < 12)) continue;   // away from markers (and the legend, below)
            if (px > area.Right - 110 && py < area.Top + 110) continue;
            // The classifier's prediction at the pixel's centre and in its neighbourhood (skip points on the boundary).
            var probes = new[] { (0f, 0f), (-4f, 0f), (4f, 0f), (0f, -4f), (0f, 4f) }
                .Select(d => chart.CoordinatesOf(0, px + d.Item1, py + d.Item2)).ToArray();
            var predicted = model.Predict(probes.SelectMany(c => new[] { c.X, c.Y }).ToArray(), probes.Length);
            if (predicted.Distinct().Count() > 1) continue;
            var color = bitmap.GetPixel((int)px, (int)py);
            Assert.True(Near(color, BoundaryChart.RegionColor(predicted[0]), 3),
                $"pixel ({px:F0}, {py:F0}) = {color}; the classifier says class {predicted[0]} ({BoundaryChart.RegionColor(predicted[0])})");
            seen.Add(predicted[0]);
            checkedPoints++;
        }
        Assert.True(checkedPoints >= 200, $"only {checkedPoints} points checked");
        Assert.Equal(3, seen.Count);
        // Data points are drawn in their true class's colour at their place.
        int onMarker = 0;
        for (int i = 0; i < spiral.Count; i++)
        {
            var (x, y) = pointPixels[i];
            if (Near(bitmap.GetPixel((int)Math.Round(x), (int)Math.Round(y)), BoundaryChart.PointColor(spiral.Labels[i]), 8)) onMarker++;
        }
        Assert.True(onMarker > spiral.Count * 0.8, $"{onMarker} of {spiral.Count} markers in their class colour");
    }

    [Fact]
    public void BoundaryOfAnyFunctionMatchesItsRegions()
    {
        var flower = BuiltinData.Load("flower").Train;
        // A hand-written classifier: class 1 where x·y > 0.
        int[] Quadrants(double[] x, int n) => Enumerable.Range(0, n).Select(i => x[2 * i] * x[2 * i + 1] > 0 ? 1 : 0).ToArray();
        var chart = Charts.DecisionBoundary(Quadrants, flower, resolution: 100);
        using var bitmap = Render(chart, "boundary-quadrants");
        var (cx, cy) = chart.PixelOf(0, 0, 0);
        var area = chart.DataArea(0);
        // Probe the four quadrants along the diagonals, away from the axes.
        foreach (var (sx, sy, klass) in new[] { (1, 1, 1), (-1, -1, 1), (1, -1, 0), (-1, 1, 0) })
            foreach (double f in new[] { 0.3, 0.6, 0.9 })
            {
                float px = cx + (float)(sx * f * (sx > 0 ? area.Right - cx : cx - area.Left));
                float py = cy - (float)(sy * f * (sy > 0 ? cy - area.Top : area.Bottom - cy));
                var (x, y) = chart.CoordinatesOf(0, px, py);
                var p = flower.Features.Chunk(2).Select(s => chart.PixelOf(0, s[0], s[1]));
                if (p.Any(q => Math.Abs(q.X - px) < 10 && Math.Abs(q.Y - py) < 10)) continue;
                if (px > area.Right - 110 && py < area.Top + 110) continue;
                Assert.Equal(klass, x * y > 0 ? 1 : 0);
                Assert.True(Near(bitmap.GetPixel((int)px, (int)py), BoundaryChart.RegionColor(klass), 3), $"quadrant ({sx}, {sy}) at {f}");
            }
    }

    [Fact]
    public void ConfusionMatrixOfATrainedModelIsBrightestOnTheDiagonal()
    {
        var digits = Digits.Value.Train;
        var model = DigitsModel.Value.Model!;
        var chart = Charts.ConfusionMatrix(model, digits);
        var expected = Metrics.ConfusionMatrix(model.Predict(digits), digits.Labels, 10);
        Assert.Equal(expected, chart.Counts);
        using var bitmap = Render(chart, "confusion");
        for (int t = 0; t < 10; t++)
        {
            var luminance = new double[10];
            for (int p = 0; p < 10; p++)
            {
                // A corner of cell (t, p), away from the count written in its middle.
                var (px, py) = chart.PixelOf(0, p - 0.38, t - 0.38);
                var color = bitmap.GetPixel((int)Math.Round(px), (int)Math.Round(py));
                var want = ConfusionChart.Colormap.GetColor(chart.Fractions[t, p]);
                Assert.True(Near(color, new SKColor(want.R, want.G, want.B), 3), $"cell ({t}, {p}) fraction {chart.Fractions[t, p]:F3}: {color}, colormap {want}");
                luminance[p] = Luminance(color);
            }
            Assert.Equal(t, Array.IndexOf(luminance, luminance.Max()));
        }
    }

    [Fact]
    public void ConfusionMatrixPlacesAnOffDiagonalCountWhereItBelongs()
    {
        // Class 0 is always predicted as 2: the brightest cell of row 0 is column 2.
        var counts = new int[,] { { 0, 0, 9 }, { 0, 7, 1 }, { 0, 0, 5 } };
        var chart = Charts.ConfusionMatrix(counts, ["a", "b", "c"]);
        using var bitmap = Render(chart, "confusion-3");
        SKColor At(int t, int p) { var (x, y) = chart.PixelOf(0, p + 0.38, t + 0.38); return bitmap.GetPixel((int)x, (int)y); }
        // Every cell is filled edge to edge with its own colour (probes just inside all four corners).
        for (int t = 0; t < 3; t++)
            for (int p = 0; p < 3; p++)
            {
                var want = ConfusionChart.Colormap.GetColor(chart.Fractions[t, p]);
                foreach (var (dx, dy) in new[] { (-0.46, -0.46), (0.46, -0.46), (-0.46, 0.46), (0.46, 0.46) })
                {
                    var (x, y) = chart.PixelOf(0, p + dx, t + dy);
                    Assert.True(Near(bitmap.GetPixel((int)Math.Round(x), (int)Math.Round(y)), new SKColor(want.R, want.G, want.B), 3), $"cell ({t}, {p}) corner ({dx}, {dy})");
                }
            }
        Assert.True(Luminance(At(0, 2)) > Luminance(At(0, 0)) + 100);
        Assert.True(Luminance(At(1, 1)) > Luminance(At(1, 2)));
        Assert.True(Luminance(At(2, 2)) > Luminance(At(2, 0)) + 100);
        Assert.True(chart.PixelOf(0, 0, 0).Y < chart.PixelOf(0, 0, 2).Y, "true class 0 is the top row");
    }

    [Fact]
    public void ConfusionMatrixSaysWhatTheColourMeansWhateverTheTitle()
    {
        var svg = Charts.ConfusionMatrix(new int[,] { { 3, 1 }, { 0, 4 } }, ["a", "b"], title: "my title").ToSvg();
        Assert.Contains("predicted class", svg);
        Assert.Contains("my title", svg);
        Assert.Contains(ConfusionChart.ColourKey, svg);
    }
}
