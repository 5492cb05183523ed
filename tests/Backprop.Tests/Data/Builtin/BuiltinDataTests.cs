using System.Text.Json;
using Backprop.Data;
using Backprop.Data.Builtin;
using static Backprop.Tests.Data.Builtin.BuiltinFixtures;

namespace Backprop.Tests.Data.Builtin;

public class BuiltinDataTests
{
    private static int[] Counts(Dataset d)
    {
        var c = new int[d.Classes];
        foreach (var y in d.Labels) c[y]++;
        return c;
    }

    private static void CheckMnistSplit(Dataset d, JsonElement e, int[] counts)
    {
        var shape = e.GetProperty("shape").EnumerateArray().Select(x => x.GetInt32()).ToArray();
        Assert.Equal(shape[0], d.Count);
        Assert.Equal(784, d.FeatureCount);
        Assert.Equal(new ImageShape(28, 28), d.Image);
        Assert.Equal(counts, Counts(d));
        Assert.Equal(Longs(e.GetProperty("label_counts")).Select(x => (int)x), Counts(d));
        Assert.Equal(Longs(e.GetProperty("first_labels")).Select(x => (int)x), d.Labels.Take(20));
        Assert.Equal(e.GetProperty("pixel_sum").GetInt64(), (long)d.Features.Sum());
        Assert.Equal(e.GetProperty("first_image_sum").GetInt64(), (long)d.Sample(0).ToArray().Sum());
        Assert.Equal(e.GetProperty("last_image_sum").GetInt64(), (long)d.Sample(d.Count - 1).ToArray().Sum());
        Assert.Equal(e.GetProperty("pixel_at_0_14_14").GetInt32(), (int)d.Features[14 * 28 + 14]);
        var perClass = new long[10];
        for (int i = 0; i < d.Count; i++) perClass[d.Labels[i]] += (long)d.Sample(i).ToArray().Sum();
        Assert.Equal(Longs(e.GetProperty("per_class_pixel_sum")), perClass);
        Assert.Equal(255.0, d.Features.Max());
    }

    [Fact]
    public void MnistHasTheKnownSplitsAndNumPyFigures()
    {
        using var doc = Json("data.json");
        var set = BuiltinData.Load("mnist");
        Assert.Equal("mnist", set.Name);
        Assert.NotNull(set.Test);
        CheckMnistSplit(set.Train, doc.RootElement.GetProperty("mnist_train"), [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]);
        CheckMnistSplit(set.Test!, doc.RootElement.GetProperty("mnist_test"), [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]);
        Assert.Contains("CC BY-SA 3.0", set.Description);
    }

    [Fact]
    public void DigitsMatchNumPy()
    {
        using var doc = Json("data.json");
        var e = doc.RootElement.GetProperty("digits");
        var set = BuiltinData.Load("Digits");
        var d = set.Train;
        Assert.Null(set.Test);
        Assert.Equal(1797, d.Count);
        Assert.Equal(64, d.FeatureCount);
        Assert.Equal(new ImageShape(8, 8), d.Image);
        Assert.Equal(Longs(e.GetProperty("label_counts")).Select(x => (int)x), Counts(d));
        Assert.Equal(Longs(e.GetProperty("first_labels")).Select(x => (int)x), d.Labels.Take(20));
        Assert.Equal(e.GetProperty("pixel_sum").GetDouble(), d.Features.Sum());
        Assert.Equal(e.GetProperty("first_row").EnumerateArray().Select(x => x.GetDouble()), d.Sample(0).ToArray());
        Assert.Equal(16.0, d.Features.Max());
    }

    [Fact]
    public void GeneratedSetsHonourTheSeedOption()
    {
        var flower = BuiltinData.Load("flower");
        Assert.Equal(PlanarData.Flower().Features, flower.Train.Features);
        Assert.Equal(400, flower.Train.Count);
        var spiral = BuiltinData.Load("spiral", new BuiltinOptions { Seed = 5 });
        Assert.Equal(PlanarData.Spiral(5).Features, spiral.Train.Features);
        Assert.Equal(3, spiral.Train.Classes);
        Assert.Null(spiral.Test);
    }

    [Fact]
    public void UnknownNamesListTheKnownOnes()
    {
        var e = Assert.Throws<ArgumentException>(() => BuiltinData.Load("cifar"));
        foreach (var n in BuiltinData.Names) Assert.Contains(n, e.Message);
        Assert.Equal(["mnist", "digits", "flower", "spiral", "ex4data1", "ex3data1"], BuiltinData.Names);
    }

    [Fact]
    public void DataDirectoryOptionIsUsedAndCheckedFirst()
    {
        var dir = Directory.CreateTempSubdirectory("builtin-").FullName;
        try
        {
            var e = Assert.Throws<DirectoryNotFoundException>(() => BuiltinData.Load("digits", new BuiltinOptions { DataDirectory = dir }));
            Assert.Contains(dir, e.Message);
            Directory.CreateDirectory(Path.Combine(dir, "digits"));
            File.WriteAllText(Path.Combine(dir, "digits", "digits.csv"), "0,1,2\n");
            var bad = Assert.Throws<InvalidDataException>(() => BuiltinData.Load("digits", new BuiltinOptions { DataDirectory = dir }));
            Assert.Contains("line 1 has 3 fields", bad.Message);
            File.WriteAllText(Path.Combine(dir, "digits", "digits.csv"), string.Join(",", Enumerable.Repeat("3", 64)) + ",7\n");
            var one = BuiltinData.Load("digits", new BuiltinOptions { DataDirectory = dir }).Train;
            Assert.Equal(1, one.Count);
            Assert.Equal(7, one.Labels[0]);
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void DefaultLookupFindsTheDataNextToTheBinaries()
    {
        if (Environment.GetEnvironmentVariable(BuiltinData.EnvironmentVariable) is { Length: > 0 }) return; // the variable wins by design
        Assert.Equal(Path.Combine(AppContext.BaseDirectory, "data"), BuiltinData.FindDataDirectory());
    }
}
