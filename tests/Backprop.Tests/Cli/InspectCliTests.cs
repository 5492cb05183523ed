using System.Text.Json;

namespace Backprop.Tests.Cli;

public class InspectCliTests
{
    private static string Corpus(params string[] parts) => Fixture.Path(["mat", "corpus", .. parts]);

    [Fact]
    public void JsonOnEx4weightsMatchesScipyManifest()
    {
        string path = Corpus("ex4weights.mat");
        var r = CliHarness.Run("inspect", path, "--json");
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Equal("", r.Stderr);
        var o = r.Json();
        Assert.Equal(path, o.GetProperty("file").GetString());
        Assert.Equal("mat", o.GetProperty("format").GetString());
        var expected = Fixture.Json("mat", "corpus", "MANIFEST.json").GetProperty("ex4weights.mat").GetProperty("variables");
        var variables = o.GetProperty("variables").EnumerateArray().ToList();
        Assert.Equal(expected.EnumerateObject().Select(p => p.Name).Order(), variables.Select(v => v.GetProperty("name").GetString()!).Order());
        foreach (var v in variables)
        {
            var e = expected.GetProperty(v.GetProperty("name").GetString()!);
            Assert.Equal(e.GetProperty("shape").Ints(), v.GetProperty("shape").Ints());
            Assert.Equal("double", v.GetProperty("class").GetString());
            Fixture.AssertClose(e.GetProperty("sum").GetDouble(), v.GetProperty("sum").GetDouble(), 1e-9, $"sum of {v.GetProperty("name")}");
        }
        Assert.Empty(o.GetProperty("skipped").EnumerateArray());
    }

    [Fact]
    public void TextTableListsNameClassSizeAndSum()
    {
        var r = CliHarness.Run("inspect", Corpus("ex4weights.mat"));
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("Name", r.Stdout);
        Assert.Matches(@"Theta1\s+double\s+25x401\s+9\.24264392", r.Stdout);
        Assert.Matches(@"Theta2\s+double\s+10x26\s+-100\.083443", r.Stdout);
    }

    [Fact]
    public void HeartWorkspaceListsSkippedVariables()
    {
        string path = Corpus("matlab-corpus", "heart_workspace.mat");
        var json = CliHarness.Run("inspect", path, "--json");
        Assert.True(json.ExitCode == 0, json.Stderr);
        var skipped = json.Json().GetProperty("skipped").EnumerateArray().ToList();
        Assert.NotEmpty(skipped);
        foreach (var s in skipped)
        {
            Assert.False(string.IsNullOrEmpty(s.GetProperty("name").GetString()));
            Assert.False(string.IsNullOrEmpty(s.GetProperty("class").GetString()));
            Assert.False(string.IsNullOrEmpty(s.GetProperty("reason").GetString()));
        }
        var expected = Fixture.Json("mat", "corpus", "MANIFEST.json").GetProperty("matlab-corpus/heart_workspace.mat").GetProperty("variables");
        var loaded = json.Json().GetProperty("variables").EnumerateArray().ToDictionary(v => v.GetProperty("name").GetString()!);
        foreach (var (name, v) in loaded)
        {
            Assert.True(expected.TryGetProperty(name, out var e), $"{name} not in the manifest");
            Assert.Equal(e.GetProperty("shape").Ints(), v.GetProperty("shape").Ints());
            if (e.TryGetProperty("sum", out var sum) && sum.ValueKind == JsonValueKind.Number && v.GetProperty("sum").ValueKind == JsonValueKind.Number)
                Fixture.AssertClose(sum.GetDouble(), v.GetProperty("sum").GetDouble(), 1e-9, $"sum of {name}");
        }

        var text = CliHarness.Run("inspect", path);
        Assert.Equal(0, text.ExitCode);
        Assert.Contains("Skipped", text.Stdout);
        foreach (var s in skipped)
            Assert.Contains(s.GetProperty("name").GetString()!, text.Stdout);
    }

    [Fact]
    public void TruncatedFileFailsWithOneLineNamingIt()
    {
        var r = CliHarness.Run("inspect", Corpus("matlab-corpus", "ex3data1_truncated.mat"));
        Assert.Equal(2, r.ExitCode);   // a damaged input file is bad input
        Assert.Equal("", r.Stdout);
        Assert.Single(r.Stderr.TrimEnd().Split('\n'));
        Assert.StartsWith("backprop: ", r.Stderr);
        Assert.Contains("ex3data1_truncated.mat", r.Stderr);
        Assert.Contains("truncated", r.Stderr.Replace("ex3data1_truncated", ""));
    }

    [Fact]
    public void MissingFileIsAUsageError()
    {
        using var dir = new TempDir();
        string path = dir.File("nope.mat");
        var r = CliHarness.Run("inspect", path, "--json");
        Assert.Equal(2, r.ExitCode);
        Assert.Equal("", r.Stdout);
        Assert.Single(r.Stderr.TrimEnd().Split('\n'));
        Assert.Contains("nope.mat", r.Stderr);
    }

    [Fact]
    public void ReadsCsvToo()
    {
        using var dir = new TempDir();
        string path = dir.File("small.csv");
        File.WriteAllText(path, "1,2,3\n4,5,6\n");
        var r = CliHarness.Run("inspect", path, "--json");
        Assert.True(r.ExitCode == 0, r.Stderr);
        var o = r.Json();
        Assert.Equal("csv", o.GetProperty("format").GetString());
        var v = Assert.Single(o.GetProperty("variables").EnumerateArray());
        Assert.Equal(21.0, v.GetProperty("sum").GetDouble());
    }

    [Fact]
    public void ReadsACsvWithTextLabelsAsTrainDoes()
    {
        using var dir = new TempDir();
        string path = dir.File("iris.csv");
        File.WriteAllText(path, "sepal,petal,species\n1.0,2.0,setosa\n1.5,2.5,versicolor\n3,1,setosa\n");
        var r = CliHarness.Run("inspect", path, "--json");
        Assert.True(r.ExitCode == 0, r.Stderr);
        var variables = r.Json().GetProperty("variables");
        Assert.Equal("X", variables[0].GetProperty("name").GetString());
        Assert.Equal([3, 2], variables[0].GetProperty("shape").EnumerateArray().Select(e => e.GetInt32()));
        Assert.Equal("y", variables[1].GetProperty("name").GetString());
        Assert.Contains("0 = setosa, 1 = versicolor", variables[1].GetProperty("note").GetString());
        Assert.Equal(1.0, variables[1].GetProperty("sum").GetDouble());
    }
}
