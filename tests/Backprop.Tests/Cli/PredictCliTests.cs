using System.Globalization;
using Backprop.Data;
using Backprop.Data.Formats;
using Backprop.Data.Formats.Mat;
using Backprop.Models;
using Backprop.Tests.Models;
using SkiaSharp;

namespace Backprop.Tests.Cli;

/// <summary><c>backprop predict</c> on every input kind, with the golden MNIST model and real MNIST files.</summary>
public class PredictCliTests
{
    private static readonly string Golden = ExchangeFixtures.Golden;
    private static int[] NumpyLabels => ExchangeFixtures.Expected.GetProperty("golden").GetProperty("numpy_labels").Ints();

    private static string[] Labels(CliHarness.Result r) => r.Json().GetProperty("labels").EnumerateArray().Select(l => l.GetString()!).ToArray();

    private static string[] Text(IEnumerable<int> labels) => labels.Select(l => l.ToString(CultureInfo.InvariantCulture)).ToArray();

    [Fact]
    public void MnistIdxGzGivesOneLabelPerImage()
    {
        var r = CliHarness.Run("predict", "--model", Golden, "--input", ExchangeFixtures.MnistTestImages, "--json");
        Assert.True(r.ExitCode == 0, r.Stderr);
        var o = r.Json();
        Assert.Equal(10000, o.GetProperty("samples").GetInt32());
        Assert.Equal(Text(NumpyLabels), Labels(r).Take(200));
        var p0 = o.GetProperty("probabilities")[0].Doubles();
        Assert.Equal(10, p0.Length);
        Assert.Equal(1, p0.Sum(), 6);
        Assert.Equal(Enumerable.Range(0, 10).Select(i => i.ToString(CultureInfo.InvariantCulture)), o.GetProperty("classes").EnumerateArray().Select(c => c.GetString()!));
    }

    [Fact]
    public void TextIsOneLinePerSampleAndOutWritesTheCsv()
    {
        using var dir = new TempDir();
        var x = ExchangeFixtures.MnistTest(5);
        NpyFile.Write(dir.File("x.npy"), new NDArray("x", "double", [5, 784], x));
        var r = CliHarness.Run("predict", "--model", Golden, "--input", dir.File("x.npy"));
        Assert.True(r.ExitCode == 0, r.Stderr);
        var lines = r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("index  label  confidence", lines[2]);
        Assert.Equal(5, lines.Length - 3);
        var model = Model.Load(Golden);
        var p = model.PredictProba(x, 5);
        Assert.Equal(string.Create(CultureInfo.InvariantCulture, $"    0  {NumpyLabels[0],5}  {p[NumpyLabels[0]],10:F4}"), lines[3]);

        var csv = CliHarness.Run("predict", "--model", Golden, "--input", dir.File("x.npy"), "--out", dir.File("p.csv"));
        Assert.True(csv.ExitCode == 0, csv.Stderr);
        var rows = File.ReadAllLines(dir.File("p.csv"));
        Assert.Equal("index,label,confidence,p_0,p_1,p_2,p_3,p_4,p_5,p_6,p_7,p_8,p_9", rows[0]);
        Assert.Equal(6, rows.Length);
        var cells = rows[1].Split(',');
        Assert.Equal(NumpyLabels[0].ToString(CultureInfo.InvariantCulture), cells[1]);
        Assert.Equal(p[..10], cells[3..].Select(c => double.Parse(c, CultureInfo.InvariantCulture)));
    }

    [Fact]
    public void CsvWithLabelsIsScoredAndWithoutLabelsIsNot()
    {
        using var dir = new TempDir();
        const int n = 50;
        var x = ExchangeFixtures.MnistTest(n);
        var y = IdxFile.Read(ExchangeFixtures.MnistTestLabels).ToDoubles();
        var labelled = Enumerable.Range(0, n).Select(i => string.Join(",", x.AsSpan(i * 784, 784).ToArray().Append(y[i]).Select(v => v.ToString(CultureInfo.InvariantCulture))));
        File.WriteAllLines(dir.File("labelled.csv"), labelled);
        File.WriteAllLines(dir.File("plain.csv"), Enumerable.Range(0, n).Select(i => string.Join(",", x.AsSpan(i * 784, 784).ToArray().Select(v => v.ToString(CultureInfo.InvariantCulture)))));

        var scored = CliHarness.Run("predict", "--model", Golden, "--input", dir.File("labelled.csv"), "--json");
        Assert.True(scored.ExitCode == 0, scored.Stderr);
        Assert.Equal(Text(NumpyLabels.Take(n)), Labels(scored));
        double expected = Enumerable.Range(0, n).Count(i => NumpyLabels[i] == (int)y[i]) / (double)n;
        Assert.Equal(expected, scored.Json().GetProperty("accuracy").GetDouble(), 12);

        var plain = CliHarness.Run("predict", "--model", Golden, "--input", dir.File("plain.csv"), "--json");
        Assert.True(plain.ExitCode == 0, plain.Stderr);
        Assert.Equal(Text(NumpyLabels.Take(n)), Labels(plain));
        Assert.False(plain.Json().TryGetProperty("accuracy", out _));
    }

    [Fact]
    public void MatXAndYAreReadAndScored()
    {
        using var dir = new TempDir();
        const int n = 30;
        var y = IdxFile.Read(ExchangeFixtures.MnistTestLabels).ToDoubles()[..n];
        MatFile.Write(dir.File("d.mat"), [new NDArray("X", "double", [n, 784], ExchangeFixtures.MnistTest(n)), new NDArray("y", "double", [n, 1], y)]);
        var r = CliHarness.Run("predict", "--model", Golden, "--input", dir.File("d.mat"));
        Assert.True(r.ExitCode == 0, r.Stderr);
        double accuracy = Enumerable.Range(0, n).Count(i => NumpyLabels[i] == (int)y[i]) * 100.0 / n;
        Assert.Contains(string.Create(CultureInfo.InvariantCulture, $"accuracy   {accuracy:F2} % ({n} samples, labels from 'y')"), r.Stdout);
    }

    [Fact]
    public void NpzXIsReadAndYScored()
    {
        using var dir = new TempDir();
        const int n = 20;
        var y = IdxFile.Read(ExchangeFixtures.MnistTestLabels).ToDoubles()[..n];
        NpzFile.Write(dir.File("d.npz"), [new NDArray("X", "single", [n, 28, 28], ExchangeFixtures.MnistTest(n).Select(v => (float)v).ToArray()), new NDArray("y", "double", [n], y)]);
        var r = CliHarness.Run("predict", "--model", Golden, "--input", dir.File("d.npz"), "--json");
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Equal(Text(NumpyLabels.Take(n)), Labels(r));
        Assert.Equal(Enumerable.Range(0, n).Count(i => NumpyLabels[i] == (int)y[i]) / (double)n, r.Json().GetProperty("accuracy").GetDouble(), 12);
    }

    /// <summary>MNIST test digits drawn as images: white on black at 28x28, and dark ink on light paper, enlarged 4x off-centre in a larger canvas (PNG and JPEG).</summary>
    [Fact]
    public void PngAndJpegDigitsAreCentredLikeMnistAndRead()
    {
        using var dir = new TempDir();
        int[] samples = [0, 1, 2, 3, 4];
        var x = ExchangeFixtures.MnistTest(samples.Length);
        var files = new List<string>();
        foreach (int s in samples)
        {
            var pixels = x.AsSpan(s * 784, 784).ToArray();
            files.Add(Save(dir.File($"raw{s}.png"), 28, 28, (c, r) => (byte)pixels[r * 28 + c], SKEncodedImageFormat.Png));
            files.Add(Save(dir.File($"paper{s}.png"), 150, 130, (c, r) => Paper(pixels, c, r), SKEncodedImageFormat.Png));
            files.Add(Save(dir.File($"paper{s}.jpg"), 150, 130, (c, r) => Paper(pixels, c, r), SKEncodedImageFormat.Jpeg));
        }
        var r = CliHarness.Run(["predict", "--model", Golden, "--input", .. files, "--json"]);
        Assert.True(r.ExitCode == 0, r.Stderr);
        var expected = samples.SelectMany(s => Enumerable.Repeat(NumpyLabels[s].ToString(CultureInfo.InvariantCulture), 3));
        Assert.Equal(expected, Labels(r));
        Assert.Equal(files, r.Json().GetProperty("input").EnumerateArray().Select(e => e.GetString()!));

        // The 28x28 white-on-black PNG is exactly the MNIST digit, so its input is DigitPreprocessing.ToMnist of the idx pixels.
        var ink = Backprop.Cli.PredictInputs.Ink(files[0], out int w, out int h);
        Assert.Equal((28, 28), (w, h));
        Assert.Equal(x.AsSpan(0, 784).ToArray().Select(v => v <= 0.05 * x.AsSpan(0, 784).ToArray().Max() ? 0 : v), ink);
    }

    /// <summary>Dark ink (255 − pixel) on white paper, the digit scaled 4x and placed at (10, 5).</summary>
    private static byte Paper(double[] pixels, int c, int r)
    {
        int dc = (c - 10) / 4, dr = (r - 5) / 4;
        bool inside = c >= 10 && r >= 5 && dc < 28 && dr < 28;
        return (byte)(255 - (inside ? pixels[dr * 28 + dc] : 0));
    }

    private static string Save(string path, int width, int height, Func<int, int, byte> gray, SKEncodedImageFormat format)
    {
        using var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Gray8, SKAlphaType.Opaque));
        for (int r = 0; r < height; r++)
            for (int c = 0; c < width; c++)
            {
                byte g = gray(c, r);
                bitmap.SetPixel(c, r, new SKColor(g, g, g));
            }
        using var data = bitmap.Encode(format, 95);
        File.WriteAllBytes(path, data.ToArray());
        return path;
    }

    [Fact]
    public void WidthMismatchIsExitCode2NamingTheFileAndBothWidths()
    {
        var r = CliHarness.Run("predict", "--model", Golden, "--input", ExchangeFixtures.Digits);
        Assert.Equal(2, r.ExitCode);
        Assert.Equal("", r.Stdout);
        Assert.Contains($"--input {ExchangeFixtures.Digits}: 65 columns per row; the model (784-32-10 relu/softmax cross-entropy) takes 784 features", r.Stderr);
        Assert.Single(r.Stderr.Trim().Split('\n'));

        using var dir = new TempDir();
        NpyFile.Write(dir.File("x.npy"), new NDArray("x", "double", [2, 10], new double[20]));
        var npy = CliHarness.Run("predict", "--model", Golden, "--input", dir.File("x.npy"));
        Assert.Equal(2, npy.ExitCode);
        Assert.Contains("x.npy: 10 features per sample; the model (784-32-10 relu/softmax cross-entropy) takes 784", npy.Stderr);
    }

    [Theory]
    [InlineData("missing input", "no such file")]
    [InlineData("not an image", "not a readable PNG or JPEG image")]
    [InlineData("mixed", "only taken when all are PNG/JPEG images")]
    public void BadInputIsOneLineAndExitCode2(string what, string expected)
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File("fake.png"), "not a png");
        File.WriteAllText(dir.File("a.csv"), "1,2\n");
        string[] inputs = what switch
        {
            "missing input" => [dir.File("nope.csv")],
            "not an image" => [dir.File("fake.png")],
            _ => [dir.File("fake.png"), dir.File("a.csv")],
        };
        var r = CliHarness.Run(["predict", "--model", Golden, "--input", .. inputs]);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains(expected, r.Stderr);
        Assert.Single(r.Stderr.Trim().Split('\n'));
    }
}
