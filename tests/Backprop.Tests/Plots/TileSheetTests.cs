using Backprop.Data;
using Backprop.Data.Preprocessing;
using Backprop.Models;
using Backprop.Plots;
using SkiaSharp;
using static Backprop.Tests.Plots.PlotFixtures;

namespace Backprop.Tests.Plots;

public class TileSheetTests
{
    /// <summary>Asserts that every image pixel (r, c) of the tile is a uniform Scale×Scale block of the expected gray level.</summary>
    private static void AssertTile(SKBitmap bitmap, TileSheet sheet, SKRectI rect, IReadOnlyList<double> displayOrderGray)
    {
        Assert.Equal(sheet.ImageWidth * sheet.Scale, rect.Width);
        Assert.Equal(sheet.ImageHeight * sheet.Scale, rect.Height);
        for (int r = 0; r < sheet.ImageHeight; r++)
            for (int c = 0; c < sheet.ImageWidth; c++)
            {
                byte expected = ImageTiles.Level(displayOrderGray[r * sheet.ImageWidth + c]);
                foreach (var (dx, dy) in new[] { (0, 0), (sheet.Scale - 1, sheet.Scale - 1) })
                {
                    var px = bitmap.GetPixel(rect.Left + c * sheet.Scale + dx, rect.Top + r * sheet.Scale + dy);
                    Assert.True(px.Red == expected && px.Green == expected && px.Blue == expected,
                        $"pixel ({r}, {c}) of tile at {rect}: expected gray {expected}, found {px}");
                }
            }
    }

    /// <summary>A column-major data set of 5x5 images whose pixel (r, c) of sample k is k + 10r + c (so orientation matters).</summary>
    private static Dataset ColumnMajorImages(int count)
    {
        const int h = 5, w = 5;
        var x = new double[count * h * w];
        for (int k = 0; k < count; k++)
            for (int r = 0; r < h; r++)
                for (int c = 0; c < w; c++)
                    x[k * h * w + c * h + r] = -20 + k + 10 * r + c;   // column-major: index c·h + r
        return new Dataset("cm", x, count, h * w, new int[count], 1, null, new ImageShape(h, w, 1, ColumnMajor: true));
    }

    [Fact]
    public void DigitGridCellRCShowsSampleKWithItsOwnPixelOrder()
    {
        var data = ColumnMajorImages(12);
        int[] chosen = [11, 3, 7, 0, 5, 9];
        var sheet = Figures.DigitGrid(data, chosen, new ImageOptions { Columns = 3, Scale = 3 });
        using var bitmap = Render(sheet, "grid-column-major");
        for (int i = 0; i < chosen.Length; i++)
        {
            int k = chosen[i];
            // Expected picture: pixel (r, c) = k + 10r + c − 20, drawn symmetric (v / max|v|).
            var upright = new double[25];
            for (int r = 0; r < 5; r++) for (int c = 0; c < 5; c++) upright[r * 5 + c] = -20 + k + 10 * r + c;
            AssertTile(bitmap, sheet, sheet.TileRect(0, i / 3, i % 3), ImageTiles.ToGray(upright, GrayScaling.Symmetric));
            Assert.Equal(k, sheet.Panels[0].Tiles[i].Source);
        }
    }

    [Fact]
    public void ReadingColumnMajorDigitsRowByRowShowsThemTransposed()
    {
        var data = ColumnMajorImages(4);
        var upright = Figures.DigitGrid(data, [2], new ImageOptions { Scale = 2 });
        var transposed = Figures.DigitGrid(data, [2], new ImageOptions { Scale = 2, ColumnMajor = false });
        var a = upright.Panels[0].Tiles[0].Gray;
        var b = transposed.Panels[0].Tiles[0].Gray;
        for (int r = 0; r < 5; r++) for (int c = 0; c < 5; c++) Assert.Equal(a[r * 5 + c], b[c * 5 + r]);
        using var bitmap = Render(transposed, "grid-transposed");
        AssertTile(bitmap, transposed, transposed.TileRect(0, 0), b);
        // The same data converted to row-major by the preprocessing code draws identically to the upright grid.
        var rowMajor = Images.ToRowMajor(data);
        Assert.False(rowMajor.Image!.Value.ColumnMajor);
        Assert.Equal(a, Figures.DigitGrid(rowMajor, [2], new ImageOptions { Scale = 2 }).Panels[0].Tiles[0].Gray);
    }

    [Fact]
    public void Ex4FormatColumnMajorDigitsAreDrawnUprightLikeTheRowMajorOriginals()
    {
        // ex4_format_digits.mat: the first 200 8x8 digits zoomed to 20x20 and unrolled column by column (MATLAB's img(:)).
        var file = Backprop.Data.DataSource.ReadFile(Fixture.Path("experiments", "ex4_format_digits.mat"));
        Assert.True(file.Image!.Value.ColumnMajor);
        var originals = Digits.Value.Train;   // row-major 8x8, the same samples in the same order
        int[] chosen = Enumerable.Range(0, 25).Select(i => i * 7).ToArray();
        var upright = Figures.DigitGrid(file, chosen);
        var transposed = Figures.DigitGrid(file, chosen, new ImageOptions { ColumnMajor = false });
        using var bitmap = Render(upright, "ex4-format-upright");
        double uprightSum = 0, transposedSum = 0;
        for (int i = 0; i < chosen.Length; i++)
        {
            AssertTile(bitmap, upright, upright.TileRect(0, i), upright.Panels[0].Tiles[i].Gray);
            // The original 8x8 digit sampled at the 20x20 grid's pixel centres (an independent picture of the same digit).
            var reference = new double[400];
            var o = originals.Sample(chosen[i]);
            for (int r = 0; r < 20; r++) for (int c = 0; c < 20; c++) reference[r * 20 + c] = o[(r * 8 / 20) * 8 + c * 8 / 20];
            uprightSum += Correlation(upright.Panels[0].Tiles[i].Gray, reference);
            transposedSum += Correlation(transposed.Panels[0].Tiles[i].Gray, reference);
        }
        Assert.True(uprightSum / chosen.Length > 0.85, $"upright tiles correlate {uprightSum / chosen.Length:F3} with the originals");
        Assert.True(transposedSum / chosen.Length < 0.5, $"transposed {transposedSum / chosen.Length:F3} vs upright {uprightSum / chosen.Length:F3}");
    }

    private static double Correlation(IReadOnlyList<double> a, IReadOnlyList<double> b)
    {
        double ma = a.Average(), mb = b.Average(), sab = 0, saa = 0, sbb = 0;
        for (int i = 0; i < a.Count; i++) { sab += (a[i] - ma) * (b[i] - mb); saa += (a[i] - ma) * (a[i] - ma); sbb += (b[i] - mb) * (b[i] - mb); }
        return sab / Math.Sqrt(saa * sbb);
    }

    [Fact]
    public void RandomDigitGridOfThe8x8DigitsIsTenByTenAndReproducesEachSample()
    {
        var digits = Digits.Value.Train;
        var sheet = Figures.DigitGrid(digits, options: new ImageOptions { Seed = 7 });
        Assert.Equal(100, sheet.Panels[0].Tiles.Count);
        Assert.Equal(10, sheet.Panels[0].Columns);
        Assert.Equal(Figures.RandomSamples(digits.Count, 100, 7), sheet.Panels[0].Tiles.Select(t => t.Source));
        Assert.Equal(100, sheet.Panels[0].Tiles.Select(t => t.Source).Distinct().Count());
        using var bitmap = Render(sheet, "digits-grid");
        foreach (int i in new[] { 0, 9, 37, 90, 99 })
        {
            int k = sheet.Panels[0].Tiles[i].Source;
            var s = digits.Sample(k);
            double max = s.ToArray().Max();   // 0..16, drawn min..max per image
            double min = s.ToArray().Min();
            var expected = s.ToArray().Select(v => (v - min) / (max - min)).ToArray();
            AssertTile(bitmap, sheet, sheet.TileRect(0, i / 10, i % 10), expected);
        }
    }

    [Fact]
    public void SingleImageIsOneLargeTile()
    {
        var digits = Digits.Value.Train;
        var sheet = Figures.Image(digits, 5);
        Assert.Equal($"sample 5: {digits.ClassNames[digits.Labels[5]]}", sheet.Panels[0].Title);
        Assert.True(sheet.Scale >= 30);
        using var bitmap = Render(sheet, "single-image");
        AssertTile(bitmap, sheet, sheet.TileRect(0, 0), ImageTiles.ToGray(digits.Sample(5)));
    }

    [Fact]
    public void HiddenUnitTilesEqualEachUnitsNormalizedWeightsForSeveralModels()
    {
        var model = DigitsModel.Value.Model!;
        var w = model.ParametersAsDoubles();
        // A second "model": the same weights negated, as if trained with another λ — its tiles must be the photographic negative.
        var negated = new UnitWeights("negated", w.AsSpan(0, 25 * 64).ToArray().Select(v => -v).ToArray(), 25, 64, new ImageShape(8, 8));
        var sheet = Figures.HiddenUnits([UnitWeights.FirstLayer(model, "λ = 0"), negated]);
        Assert.Equal(2, sheet.Panels.Count);
        Assert.Equal(25, sheet.Panels[0].Tiles.Count);
        Assert.Equal(5, sheet.Panels[0].Columns);
        using var bitmap = Render(sheet, "hidden-units");
        for (int j = 0; j < 25; j++)
        {
            var row = w.AsSpan(j * 64, 64);   // W1[j, :]
            double m = 0;
            foreach (var v in row) m = Math.Max(m, Math.Abs(v));
            var expected = row.ToArray().Select(v => (v / m + 1) / 2).ToArray();
            AssertTile(bitmap, sheet, sheet.TileRect(0, j / 5, j % 5), expected);
            AssertTile(bitmap, sheet, sheet.TileRect(1, j / 5, j % 5), expected.Select(g => 1 - g).ToArray());
        }
        Assert.True(sheet.TileRect(1, 0).Left > sheet.TileRect(0, 4).Right, "panels side by side");
    }

    [Fact]
    public void HiddenUnitsOfAColumnMajorModelAreDrawnUpright()
    {
        // 400 inputs like ex4: weights of unit j are w[j, c·20 + r] = r (column-major), so upright each row r is constant.
        var w = new double[3 * 400];
        for (int j = 0; j < 3; j++) for (int r = 0; r < 20; r++) for (int c = 0; c < 20; c++) w[j * 400 + c * 20 + r] = r - 10 + j;
        var sheet = Figures.HiddenUnits([new UnitWeights("ex4", w, 3, 400, new ImageShape(20, 20, 1, ColumnMajor: true))]);
        using var bitmap = Render(sheet, "hidden-units-column-major");
        for (int j = 0; j < 3; j++)
        {
            var tile = sheet.Panels[0].Tiles[j].Gray;
            for (int r = 0; r < 20; r++) for (int c = 1; c < 20; c++) Assert.Equal(tile[r * 20], tile[r * 20 + c]);
            AssertTile(bitmap, sheet, sheet.TileRect(0, j), tile);
        }
    }

    [Fact]
    public void MisclassifiedGalleryShowsExactlyTheWrongSamplesTitledWithTrueAndPredictedLabels()
    {
        var digits = Digits.Value.Train;
        var model = DigitsModel.Value.Model!;
        var predicted = model.Predict(digits);
        var sheet = Figures.Misclassified(model, digits, maxCount: 12);
        var wrong = Enumerable.Range(0, digits.Count).Where(i => predicted[i] != digits.Labels[i]).ToArray();
        Assert.NotEmpty(wrong);
        var tiles = sheet.Panels[0].Tiles;
        Assert.Equal(wrong.Take(12), tiles.Select(t => t.Source));
        using var bitmap = Render(sheet, "misclassified");
        for (int i = 0; i < tiles.Count; i++)
        {
            int k = tiles[i].Source;
            Assert.Equal($"t: {digits.Labels[k]} p: {predicted[k]}", tiles[i].Caption);
            AssertTile(bitmap, sheet, sheet.TileRect(0, i), ImageTiles.ToGray(digits.Sample(k)));
        }
        if (Backprop.Plots.Text.Available)
        {
            // The caption band above the first tile has dark text pixels.
            var rect = sheet.TileRect(0, 0);
            int dark = 0;
            for (int y = rect.Top - 16; y < rect.Top - 1; y++)
                for (int x = rect.Left; x < rect.Right; x++)
                    if (bitmap.GetPixel(x, y).Red < 128) dark++;
            Assert.True(dark > 10, $"caption pixels: {dark}");
        }
    }

    [Fact]
    public void BadInputsAreRefusedWithAClearMessage()
    {
        var flower = Backprop.Data.Builtin.BuiltinData.Load("flower").Train;
        var e = Assert.Throws<ArgumentException>(() => Figures.DigitGrid(flower));
        Assert.Contains("do not form a square image", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => Figures.DigitGrid(Digits.Value.Train, [5000]));
        Assert.Throws<ArgumentException>(() => Figures.DigitGrid(Digits.Value.Train).Save("/tmp/x.jpg"));
    }

    [Fact]
    public void SvgEmbedsTheTilesAsASharpPngWithTheSamePixels()
    {
        var sheet = Figures.DigitGrid(Digits.Value.Train, [0, 1, 2, 3]);
        var svg = sheet.ToSvg();
        Assert.StartsWith("<?xml", svg);
        Assert.Contains($"width=\"{sheet.Width}\"", svg);
        var m = System.Text.RegularExpressions.Regex.Match(svg, @"<image style=""image-rendering:pixelated""[^>]*href=""data:image/png;base64,([^""]+)""");
        Assert.True(m.Success, "an embedded PNG drawn pixelated");
        using var embedded = Decode(Convert.FromBase64String(m.Groups[1].Value));
        using var png = Render(sheet, "svg-reference");
        Assert.Equal(png.Width, embedded.Width);
        for (int i = 0; i < 4; i++)
        {
            var rect = sheet.TileRect(0, i);
            for (int y = rect.Top; y < rect.Bottom; y += 2)
                for (int x = rect.Left; x < rect.Right; x += 2)
                    Assert.Equal(png.GetPixel(x, y), embedded.GetPixel(x, y));
        }
    }

    [Fact]
    public void ASheetTooLargeToAllocateIsRefusedWithItsSize()
    {
        var digits = Digits.Value.Train;
        var all = Enumerable.Range(0, digits.Count).ToArray();
        var e = Assert.Throws<ArgumentException>(() => Figures.DigitGrid(digits, all, new ImageOptions { Scale = 40 }));
        // 43 columns x 42 rows of 320-pixel tiles, 2-pixel gaps, 8-pixel margins: 43·320 + 42·2 + 16 = 13860 wide, 42·320 + 41·2 + 16 = 13538 high.
        Assert.Contains("would be 13860x13538 pixels (1797 tiles of 8x8 at scale 40)", e.Message);
        Assert.Throws<ArgumentException>(() => Figures.Image(digits, 0, new ImageOptions { Scale = int.MaxValue }));
        Assert.Equal(digits.Count, Figures.DigitGrid(digits, all, new ImageOptions { Scale = 4 }).Panels[0].Tiles.Count);   // large but allowed
    }
}
