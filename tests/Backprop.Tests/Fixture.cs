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
