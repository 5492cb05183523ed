using System.Text.Json;

namespace Backprop.Tests;

/// <summary>Locates committed fixtures (copied next to the test binaries) and the repository.</summary>
internal static class Fixture
{
    public static string Path(params string[] parts) =>
        System.IO.Path.Combine([AppContext.BaseDirectory, "Fixtures", .. parts]);

    public static JsonElement Json(params string[] parts)
    {
        var path = Path(parts);
        if (!File.Exists(path)) throw new FileNotFoundException($"Fixture {path} is missing; regenerate it with the script beside it.");
        return JsonDocument.Parse(File.ReadAllText(path)).RootElement;
    }

    /// <summary>The "name" of every case in <paramref name="array"/> of a JSON fixture, as theory data.</summary>
    public static TheoryData<string> CaseNames(JsonElement array) =>
        new(array.EnumerateArray().Select(c => c.GetProperty("name").GetString()!));

    /// <summary>
    /// The case <paramref name="name"/> of <paramref name="array"/> in a network fixture: its network (sizes,
    /// activations, loss, "params"), its batch X [m, inputs] and targets Y [m, outputs], and the case itself.
    /// </summary>
    public static (Backprop.Networks.Network<T> Net, Backprop.Numerics.Matrix<T> X, Backprop.Numerics.Matrix<T> Y, JsonElement Case) NetworkCase<T>(JsonElement array, string name)
        where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        var c = array.EnumerateArray().Single(e => e.GetProperty("name").GetString() == name);
        var sizes = c.GetProperty("sizes").Ints();
        var acts = c.GetProperty("activations").EnumerateArray().Select(a => Backprop.Layers.Activations.Parse(a.GetString()!)).ToArray();
        var spec = new Backprop.Networks.NetworkSpec(sizes, acts, Backprop.Losses.LossFunctions.Parse(c.GetProperty("loss").GetString()!));
        var p = c.GetProperty("params").Doubles();
        var pt = new T[p.Length];
        Backprop.Numerics.Convert.Copy<double, T>(p, pt);
        int m = c.GetProperty("m").GetInt32();
        var x = Backprop.Numerics.Matrix<T>.FromDoubles(m, sizes[0], c.GetProperty("X").Doubles());
        var y = Backprop.Numerics.Matrix<T>.FromDoubles(m, sizes[^1], c.GetProperty("Y").Doubles());
        return (new Backprop.Networks.Network<T>(spec, pt), x, y, c);
    }

    public static double[] Doubles(this JsonElement e) => e.EnumerateArray().Select(x => x.GetDouble()).ToArray();
    public static int[] Ints(this JsonElement e) => e.EnumerateArray().Select(x => x.GetInt32()).ToArray();

    /// <summary>The repository root (the folder holding Backprop.slnx).</summary>
    public static string RepoRoot
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
                if (File.Exists(System.IO.Path.Combine(dir.FullName, "Backprop.slnx"))) return dir.FullName;
            throw new DirectoryNotFoundException($"No Backprop.slnx above {AppContext.BaseDirectory}.");
        }
    }

    public static void AssertClose(double expected, double actual, double relative, string what)
    {
        double tolerance = relative * Math.Max(1, Math.Abs(expected));
        Assert.True(Math.Abs(expected - actual) <= tolerance, $"{what}: expected {expected:R}, got {actual:R} (|diff| {Math.Abs(expected - actual):E3} > {tolerance:E3})");
    }
}
