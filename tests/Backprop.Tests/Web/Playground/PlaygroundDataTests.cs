using Backprop.Data.Builtin;
using Backprop.Web.Playground;

namespace Backprop.Tests.Web.Playground;

public class PlaygroundDataTests
{
    private static readonly System.Text.Json.JsonElement Cases = Fixture.Json("playground", "playground_sets.json").GetProperty("cases");

    public static TheoryData<string> Names => Fixture.CaseNames(Cases);

    [Theory]
    [MemberData(nameof(Names))]
    public void GeneratedSetsMatchScikitLearnAndNumpy(string name)
    {
        var c = Cases.EnumerateArray().Single(e => e.GetProperty("name").GetString() == name);
        int n = c.GetProperty("n").GetInt32(), seed = c.GetProperty("seed").GetInt32();
        double noise = c.GetProperty("noise").GetDouble();
        var d = c.GetProperty("set").GetString() switch
        {
            "circle" => PlaygroundData.Circles(n, noise, seed),
            "moons" => PlaygroundData.Moons(n, noise, seed),
            "gauss" => PlaygroundData.TwoGaussians(n, noise, seed),
            _ => PlaygroundData.Xor(n, noise, seed),
        };
        var x = c.GetProperty("X").Doubles();
        Assert.Equal(c.GetProperty("y").Ints(), d.Labels);
        Assert.Equal(x.Length, d.Features.Length);
        for (int i = 0; i < x.Length; i++) Assert.True(Math.Abs(x[i] - d.Features[i]) <= 1e-12, $"{name}: X[{i}] = {d.Features[i]}, NumPy {x[i]}");
    }

    [Fact]
    public void FlowerAndSpiralTrainOnTheSeedsPointsAndTestOnAFreshDraw()
    {
        var spiral = PlaygroundData.Generate("spiral", 0, 0, 50, 0);
        Assert.Equal(PlanarData.Spiral(0).Features, spiral.Train.Features);
        Assert.Equal(300, spiral.Test!.Count);
        Assert.Equal(PlanarData.Spiral(1).Features, spiral.Test.Features);

        var flower = PlaygroundData.Generate("flower", 0, 0, 80, 0);
        Assert.Equal(PlanarData.Flower(1).Features, flower.Train.Features);
        Assert.Equal(100, flower.Test!.Count);   // 400 training points are 80 %
        Assert.Null(PlaygroundData.Generate("flower", 0, 0, 100, 0).Test);
    }

    [Fact]
    public void GeneratedSetsAreSplitByTheTrainingShareAndFramedByASquarePlane()
    {
        var s = PlaygroundData.Generate("moons", 200, 0.1, 70, 4);
        Assert.Equal(140, s.Train.Count);
        Assert.Equal(60, s.Test!.Count);
        var all = PlaygroundData.Moons(200, 0.1, 4);
        // The two parts are the whole set, each point once.
        var rows = Enumerable.Range(0, 200).Select(i => (all.Features[2 * i], all.Features[2 * i + 1])).Order().ToArray();
        var parts = new[] { s.Train, s.Test }.SelectMany(d => Enumerable.Range(0, d.Count).Select(i => (d.Features[2 * i], d.Features[2 * i + 1]))).Order().ToArray();
        Assert.Equal(rows, parts);
        var e = s.Extent;
        Assert.Equal(e[1] - e[0], e[3] - e[2], 12);
        Assert.All(Enumerable.Range(0, s.Train.Count), i => Assert.InRange(s.Train.Features[2 * i], e[0], e[1]));
    }

    [Fact]
    public void ACsvUploadIsReadWithItsHeaderAndStringLabels()
    {
        var text = "x,y,kind\n" + string.Join("\n", Enumerable.Range(0, 40).Select(i => $"{i * 0.1},{(i % 2) * 2 - 1},{(i % 2 == 0 ? "low" : "high")}"));
        var s = PlaygroundData.FromCsv(text, "../my points.csv", 75, 0, 5000, 8);
        Assert.Equal(30, s.Train.Count);
        Assert.Equal(10, s.Test!.Count);
        Assert.Equal(["high", "low"], s.Train.ClassNames);
        Assert.Contains("my_points.csv: 40 points, 2 classes", s.Description);
    }

    [Theory]
    [InlineData("1,2,a\n3,oops,b\n", "pts.csv: row 2, column 2")]
    [InlineData("1,2,3,a\n4,5,6,b\n", "pts.csv: expected rows of x, y, label (2 features and the label last); found 3 feature columns")]
    [InlineData("1,2,a\n3,4,a\n", "pts.csv: every point has the same label")]
    public void ABadCsvIsRefusedNamingTheFileAndTheProblem(string text, string message)
    {
        var e = Assert.Throws<InvalidDataException>(() => PlaygroundData.FromCsv(text, "pts.csv", 50, 0, 5000, 8));
        Assert.StartsWith(message, e.Message);
        Assert.DoesNotContain(Path.GetTempPath(), e.Message);
    }

    [Fact]
    public void ACsvWithTooManyPointsIsRefused()
    {
        var text = string.Join("\n", Enumerable.Range(0, 30).Select(i => $"{i},{i},{i % 2}"));
        var e = Assert.ThrowsAny<InvalidDataException>(() => PlaygroundData.FromCsv(text, "big.csv", 50, 0, 20, 8));
        Assert.Contains("big.csv", e.Message);
    }
}
