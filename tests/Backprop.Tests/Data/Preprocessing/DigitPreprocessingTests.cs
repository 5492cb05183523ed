using Backprop.Data.Formats;
using Backprop.Data.Preprocessing;

namespace Backprop.Tests.Data.Preprocessing;

public class DigitPreprocessingTests
{
    private static readonly Lazy<Dictionary<string, Backprop.Data.NDArray>> Fixtures = new(() =>
        NpzFile.Read(Fixture.Path("web", "digit_preprocessing.npz")).Variables.ToDictionary(v => v.Name));

    public static TheoryData<string> Cases() =>
    [
        "one", "slanted_one", "seven", "zero", "dot", "dash_corner", "heavy_top", "wide_canvas_two",
        "random_scribble", "faint", "empty", "single_pixel",
    ];

    [Theory]
    [MemberData(nameof(Cases))]
    public void MatchesTheNumPySciPyReference(string name)
    {
        var input = Fixtures.Value["input_" + name];
        var expected = Fixtures.Value["expected_" + name].ToDoubles();
        int height = input.Shape[0], width = input.Shape[1];
        var actual = DigitPreprocessing.ToMnist(input.ToDoubles(), width, height);
        Assert.Equal(28 * 28, actual.Length);
        for (int i = 0; i < actual.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-9, $"{name}: pixel ({i % 28}, {i / 28}) expected {expected[i]:R}, got {actual[i]:R}");
    }

    [Fact]
    public void FixtureCasesExerciseTheInterestingPaths()
    {
        // The reference covers an empty drawing, upscaling (a 7x7 dot, one pixel) and clamping (heavy_top's
        // centre of mass cannot reach the centre without the box leaving the field).
        Assert.All(Fixtures.Value["expected_empty"].ToDoubles(), v => Assert.Equal(0, v));
        var heavy = Fixtures.Value["expected_heavy_top"].ToDoubles();
        Assert.True(Enumerable.Range(0, 28).Sum(x => heavy[27 * 28 + x]) > 0, "heavy_top should touch the bottom row (clamped)");
        var pixel = Fixtures.Value["expected_single_pixel"].ToDoubles();
        Assert.Equal(400, pixel.Count(v => Math.Abs(v - 255) < 1e-9)); // one pixel upscaled to the whole 20x20 box
    }

    [Fact]
    public void KeepsTheAspectRatioAndCentresTheMass()
    {
        // A 100 x 40 solid bar → 20 x 8 of full ink, centred at (13.5, 13.5).
        int w = 200, h = 150;
        var ink = new double[w * h];
        for (int y = 30; y < 130; y++)
            for (int x = 50; x < 90; x++) ink[y * w + x] = 255;
        var img = DigitPreprocessing.ToMnist(ink, w, h);
        Assert.Equal(160, img.Count(v => v > 0));
        Assert.All(img.Where(v => v > 0), v => Assert.Equal(255, v, 9));
        double mass = img.Sum(), cy = 0, cx = 0;
        for (int i = 0; i < img.Length; i++) { cy += i / 28 * img[i]; cx += i % 28 * img[i]; }
        Assert.Equal(13.5, cy / mass, 9);
        Assert.Equal(13.5, cx / mass, 9);
    }

    [Theory]
    [InlineData(0, 10, 0, "1..4096")]
    [InlineData(5000, 1, 5000, "1..4096")]
    [InlineData(10, 10, 99, "has 100 pixels; got 99")]
    public void RejectsWrongSizes(int width, int height, int values, string message)
    {
        var e = Assert.Throws<ArgumentException>(() => DigitPreprocessing.ToMnist(new double[values], width, height));
        Assert.Contains(message, e.Message);
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(-1)]
    [InlineData(256)]
    public void RejectsValuesOutside0To255(double bad)
    {
        var ink = new double[12];
        ink[7] = bad;
        var e = Assert.Throws<ArgumentException>(() => DigitPreprocessing.ToMnist(ink, 4, 3));
        Assert.Contains("Pixel (3, 1)", e.Message);
        Assert.Contains("0..255", e.Message);
    }
}
