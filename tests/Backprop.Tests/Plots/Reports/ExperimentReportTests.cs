using System.Text.RegularExpressions;
using Backprop.Experiments;
using Backprop.Plots.Reports;
using Backprop.Tests.Cli;
using static Backprop.Tests.Plots.PlotFixtures;

namespace Backprop.Tests.Plots.Reports;

public class ExperimentReportTests
{
    /// <summary>
    /// One page with nothing outside it: no scripts, stylesheets, frames or objects; every src/href is a PNG data URI
    /// that decodes to an image of the size the page declares. Returns the number of images.
    /// </summary>
    internal static int AssertSelfContained(string html)
    {
        Assert.StartsWith("<!DOCTYPE html>", html);
        foreach (var tag in new[] { "<script", "<link", "<iframe", "<object", "<embed", "@import", "url(" })
            Assert.DoesNotContain(tag, html, StringComparison.OrdinalIgnoreCase);
        var refs = Regex.Matches(html, @"\b(src|href|srcset|poster)\s*=\s*""([^""]*)""", RegexOptions.IgnoreCase);
        Assert.NotEmpty(refs);
        foreach (Match m in refs)
        {
            var value = m.Groups[2].Value;
            Assert.False(value.StartsWith("http", StringComparison.OrdinalIgnoreCase) || value.StartsWith("file:", StringComparison.OrdinalIgnoreCase) || value.StartsWith("//", StringComparison.Ordinal),
                $"external reference {value[..Math.Min(60, value.Length)]}");
            Assert.StartsWith("data:image/png;base64,", value);
        }
        var images = Regex.Matches(html, @"<img[^>]*width=""(\d+)"" height=""(\d+)"" src=""data:image/png;base64,([^""]+)""");
        Assert.Equal(refs.Count, images.Count);
        foreach (Match img in images)
        {
            using var bitmap = Decode(Convert.FromBase64String(img.Groups[3].Value));
            Assert.Equal(int.Parse(img.Groups[1].Value), bitmap.Width);
            Assert.Equal(int.Parse(img.Groups[2].Value), bitmap.Height);
        }
        return images.Count;
    }

    [Fact]
    public void Ex4ReportWithItsLambdaSweepIsOneSelfContainedPage()
    {
        var report = ExperimentReport.Run(Presets.Ex4Gd.WithEpochs(15));
        Assert.Equal([0.0, 20.0], report.Sweep.Select(s => s.Preset.Training.Lambda));
        Assert.All(report.Sweep, s => Assert.Equal(15, s.Epochs));
        Assert.Equal(["history", "samples", "hidden-units", "confusion", "misclassified"], report.Figures.Select(f => f.Name));
        int images = AssertSelfContained(report.Html);
        Assert.Equal(report.Figures.Count, images);

        // Hyperparameters, timings and every seed figure beside ours.
        Assert.Contains("400-25-10 sigmoid/sigmoid", report.Html);
        Assert.Contains(System.Net.WebUtility.HtmlEncode("the course's own trained ex4weights"), report.Html);   // its hidden units beside ours
        Assert.Contains("gd epochs=15", report.Html);
        Assert.Contains("Timings", report.Html);
        foreach (var f in Presets.Ex4Gd.SeedFigures.Where(f => f.IsAccuracy))
        {
            Assert.Contains(System.Net.WebUtility.HtmlEncode(f.Source), report.Html);
            Assert.Contains((f.Value * 100).ToString("F2", System.Globalization.CultureInfo.InvariantCulture) + " %", report.Html);
        }
        var zero = report.Comparisons.Single(c => c.Seed.Metric.StartsWith("train_accuracy (λ = 0", StringComparison.Ordinal));
        Assert.Null(zero.Ours);   // a 15-iteration run is not set beside the seed's 5000-iteration figure
        // A figure for as many iterations as the run has is compared with the sweep's run at its λ.
        var five = ExperimentReport.Run(Presets.Ex4Gd with
        {
            Training = Presets.Ex4Gd.Training with { Epochs = 5 },
            SeedFigures = [new("train_accuracy (λ = 0, 5 iterations)", 0.5, "a figure for this test")],
        });
        Assert.Equal(five.Sweep.Single().TrainAccuracy, five.Comparisons.Single().Ours);
        Assert.Equal(report.Result.TrainAccuracy, report.Comparisons.Single(c => c.Seed.Metric == "train_accuracy").Ours);

        // The hidden-unit figure holds the three models' units side by side (λ = 0, 1, 20), then the course's ex4weights.
        using var units = Decode(report.Figures.Single(f => f.Name == "hidden-units").Png);
        var course = Backprop.Experiments.CourseFiles.LoadThetas(Backprop.Data.Formats.Mat.MatFile.Read(Backprop.Data.Builtin.BuiltinData.WeightsPath("ex4weights")));
        var sheet = Backprop.Plots.Figures.HiddenUnits(
            new[] { report.Sweep[0], report.Result, report.Sweep[1] }.Select(r => Backprop.Plots.UnitWeights.FirstLayer(r.Model, $"λ = {r.Preset.Training.Lambda}"))
                .Append(Backprop.Plots.UnitWeights.FirstLayer(Backprop.Models.Model.From(course, image: report.Result.Train.Image), "the course's ex4weights")).ToArray());
        Assert.Equal(sheet.Width, units.Width);
        Assert.Equal(4, sheet.Panels.Count);
        using var expected = Decode(sheet.ToPng());
        var rect = sheet.TileRect(2, 24);
        for (int y = rect.Top; y < rect.Bottom; y += 3)
            for (int x = rect.Left; x < rect.Right; x += 3)
                Assert.Equal(expected.GetPixel(x, y), units.GetPixel(x, y));
    }

    [Fact]
    public void RaschkaShortenedThroughTheCliReportsTrainValidAndTestBesideTheSeed()
    {
        using var dir = new TempDir();
        var r = CliHarness.Run("report", "raschka", "--epochs", "1", "--out", dir.Path, "--json");
        Assert.True(r.ExitCode == 0, r.Stderr);
        var j = r.Json();
        Assert.Equal("raschka", j.GetProperty("preset").GetString());
        Assert.Equal(1, j.GetProperty("epochs").GetInt32());
        Assert.True(j.GetProperty("test_accuracy").GetDouble() > 0.7, "one epoch of Raschka's SGD already beats 70 %");
        Assert.Equal(0, j.GetProperty("sweep").GetArrayLength());
        var html = File.ReadAllText(Path.Combine(dir.Path, "report.html"));
        Assert.Equal(Path.Combine(dir.Path, "report.html"), j.GetProperty("report").GetString());
        Assert.Equal(5, AssertSelfContained(html));
        foreach (var (metric, text) in new[] { ("train_accuracy", "99.28 %"), ("valid_accuracy", "97.98 %"), ("test_accuracy", "97.54 %") })
        {
            Assert.Contains(text, html);
            Assert.Contains(Presets.Raschka.SeedFigures.Single(f => f.Metric == metric).Source, html);
        }
        Assert.Contains("784-100-10 sigmoid/sigmoid", html);
        Assert.Contains("test accuracy", html);
        Assert.Contains("backprop report raschka --epochs 1", html);
        Assert.Single(Directory.GetFiles(dir.Path));   // report.html only, without --figures
    }

    [Fact]
    public void FlowerReportShowsTheDecisionBoundaryAndWritesFiguresOnRequest()
    {
        using var dir = new TempDir();
        var r = CliHarness.Run("report", "flower", "--epochs", "300", "--lr", "0.5", "--out", dir.Path, "--figures");
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Contains("seed     train_accuracy: 86.50 %", r.Stdout);
        var html = File.ReadAllText(Path.Combine(dir.Path, "report.html"));
        Assert.Equal(3, AssertSelfContained(html));
        Assert.Contains("Decision boundary", html);
        foreach (var name in new[] { "history", "boundary", "confusion" })
            using (var png = Decode(File.ReadAllBytes(Path.Combine(dir.Path, name + ".png")))) Assert.True(png.Width > 300);
    }

    [Theory]
    [InlineData("no-such-preset", "--out", "DIR")]
    [InlineData("ex4")]
    [InlineData("ex4", "--out", "DIR", "--epochs", "0")]
    [InlineData("ex4", "--out", "DIR", "--data", "no-such-data")]
    [InlineData("ex4", "--out", "DIR", "--layers", "63,25,10")]
    [InlineData("ex4", "--out", "DIR", "--optimizer", "rmsprop")]
    [InlineData("ex4", "--out", "FILE")]
    public void BadInputGivesOneLineAndExitCode2(params string[] args)
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File("file.txt"), "x");
        var a = args.Select(x => x == "DIR" ? dir.File("out") : x == "FILE" ? dir.File("file.txt") : x).ToArray();
        var r = CliHarness.Run(["report", .. a]);
        Assert.True(r.ExitCode == 2, $"exit {r.ExitCode}: {r.Stderr}");
        Assert.Single(r.Stderr.Trim().Split('\n'));
        Assert.StartsWith("backprop:", r.Stderr);
        Assert.False(Directory.Exists(dir.File("out")));
    }
}
