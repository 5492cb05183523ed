using System.Globalization;
using Backprop.Data;
using Backprop.Data.Builtin;
using Backprop.Numerics;
using static Backprop.Tests.Data.Builtin.BuiltinFixtures;

namespace Backprop.Tests.Data.Builtin;

public class PlanarDataTests
{
    private static (double[] x, int[] y) ReadCsv(string file)
    {
        var lines = File.ReadAllLines(PathOf(file)).Skip(1).Where(l => l.Length > 0).ToArray();
        var x = new double[lines.Length * 2];
        var y = new int[lines.Length];
        for (int i = 0; i < lines.Length; i++)
        {
            var f = lines[i].Split(',');
            x[2 * i] = double.Parse(f[0], CultureInfo.InvariantCulture);
            x[2 * i + 1] = double.Parse(f[1], CultureInfo.InvariantCulture);
            y[i] = (int)double.Parse(f[2], CultureInfo.InvariantCulture);
        }
        return (x, y);
    }

    private static void AssertSame(string file, Dataset d)
    {
        var (x, y) = ReadCsv(file);
        Assert.Equal(y.Length, d.Count);
        Assert.Equal(2, d.FeatureCount);
        Assert.Equal(y, d.Labels);
        BitEqual(x, d.Features, d.Name);
    }

    [Fact]
    public void FlowerEqualsTheNumPyCsvBitForBit() => AssertSame("flower.csv", PlanarData.Flower());

    [Fact]
    public void SpiralEqualsTheNumPyCsvBitForBit() => AssertSame("spiral.csv", PlanarData.Spiral());

    [Fact]
    public void OtherSeedsAndSizesWork()
    {
        var f = PlanarData.Flower(seed: 7, m: 10);
        Assert.Equal(10, f.Count);
        Assert.Equal(new[] { 0, 0, 0, 0, 0, 1, 1, 1, 1, 1 }, f.Labels);
        Assert.NotEqual(PlanarData.Flower().Features[0], PlanarData.Flower(seed: 2).Features[0]);
        var s = PlanarData.Spiral(seed: 3, pointsPerClass: 5, classes: 4);
        Assert.Equal(20, s.Count);
        Assert.Equal(4, s.Classes);
        Assert.Throws<ArgumentOutOfRangeException>(() => PlanarData.Flower(m: 3));
    }

    [Fact]
    public void LinspaceMatchesNumPyFormula()
    {
        Assert.Equal(new[] { 0.0, 0.25, 0.5, 0.75, 1.0 }, NumPyMath.Linspace(0, 1, 5));
        Assert.Equal(new[] { 2.0 }, NumPyMath.Linspace(2, 3, 1));
        Assert.Empty(NumPyMath.Linspace(2, 3, 0));
        var l = NumPyMath.Linspace(3.12, 6.24, 200);
        Assert.Equal(6.24, l[^1]);
        Assert.Equal(3.12 + 1 * ((6.24 - 3.12) / 199), l[1]);
    }

    [Theory]
    [InlineData(" Flower")]
    [InlineData("spiral")]
    public void GenerateMakesTheNamedSetAndLeavesTheGeneratorAfterIt(string name)
    {
        var random = new NumPyRandom(5u);
        var generated = PlanarData.Generate(name, random);
        var expectedRandom = new NumPyRandom(5u);
        var expected = name.Trim() == "Flower" ? PlanarData.Flower(expectedRandom) : PlanarData.Spiral(expectedRandom);
        Assert.Equal(expected.Features.ToArray(), generated.Features.ToArray());
        Assert.Equal(expected.Labels, generated.Labels);
        Assert.Equal(expectedRandom.RandInt(0, 1_000_000), random.RandInt(0, 1_000_000));
        Assert.Contains("not 'circle'", Assert.Throws<ArgumentException>(() => PlanarData.Generate("circle", new NumPyRandom(0u))).Message);
    }
}
