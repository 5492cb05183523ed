using System.Globalization;
using System.Text.Json;
using Backprop.Data;

namespace Backprop.Tests.Data.Formats.Mat;

/// <summary>Locates the MAT fixtures copied to the test output and decodes the JSON value encoding of make_fixtures.py.</summary>
internal static class MatFixtures
{
    public static string Dir => Path.Combine(AppContext.BaseDirectory, "Fixtures", "mat");
    public static string Corpus => Path.Combine(Dir, "corpus");
    public static string Scipy => Path.Combine(Dir, "scipy");
    public static string Ours => Path.Combine(Dir, "ours");

    public static string PathOf(params string[] parts) => Path.Combine([Dir, .. parts]);

    public static JsonElement Json(params string[] parts)
    {
        var path = PathOf(parts);
        Assert.True(File.Exists(path), $"fixture {path} is missing; run tests/Backprop.Tests/Fixtures/mat/make_fixtures.py");
        return JsonDocument.Parse(File.ReadAllText(path)).RootElement;
    }

    /// <summary>The source copy of Fixtures/mat (walks up from the test output to the directory holding Backprop.slnx).</summary>
    public static string SourceDir()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "Backprop.slnx")))
                return Path.Combine(d.FullName, "tests", "Backprop.Tests", "Fixtures", "mat");
        throw new DirectoryNotFoundException($"no directory containing Backprop.slnx above {AppContext.BaseDirectory}");
    }

    /// <summary>Builds the NDArray a JSON description stands for (class, shape, C-order values as strings).</summary>
    public static NDArray ToNDArray(string name, JsonElement d)
    {
        var cls = d.GetProperty("class").GetString()!;
        var shape = d.GetProperty("shape").EnumerateArray().Select(e => e.GetInt32()).ToArray();
        var v = d.GetProperty("values").EnumerateArray().Select(e => e.GetString()!).ToArray();
        Array data = cls switch
        {
            "double" => v.Select(ParseDouble).ToArray(),
            "single" => v.Select(s => (float)ParseDouble(s)).ToArray(),
            "int8" => v.Select(s => sbyte.Parse(s, CultureInfo.InvariantCulture)).ToArray(),
            "uint8" => v.Select(s => byte.Parse(s, CultureInfo.InvariantCulture)).ToArray(),
            "int16" => v.Select(s => short.Parse(s, CultureInfo.InvariantCulture)).ToArray(),
            "uint16" => v.Select(s => ushort.Parse(s, CultureInfo.InvariantCulture)).ToArray(),
            "int32" => v.Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray(),
            "uint32" => v.Select(s => uint.Parse(s, CultureInfo.InvariantCulture)).ToArray(),
            "int64" => v.Select(s => long.Parse(s, CultureInfo.InvariantCulture)).ToArray(),
            "uint64" => v.Select(s => ulong.Parse(s, CultureInfo.InvariantCulture)).ToArray(),
            "logical" => v.Select(s => s == "1").ToArray(),
            "char" => v.Select(s => s.Single()).ToArray(),
            _ => throw new InvalidDataException($"unknown class {cls} for {name}"),
        };
        return new NDArray(name, cls, shape, data);
    }

    public static double ParseDouble(string s) => s switch
    {
        "NaN" => double.NaN,
        "Infinity" => double.PositiveInfinity,
        "-Infinity" => double.NegativeInfinity,
        _ => double.Parse(s, NumberStyles.Float, CultureInfo.InvariantCulture),
    };

    /// <summary>Asserts class, shape, element type and every value (bit-exact, NaN equal to NaN).</summary>
    public static void AssertSame(NDArray expected, NDArray actual, string where)
    {
        Assert.True(expected.ClassName == actual.ClassName, $"{where}: class {actual.ClassName}, expected {expected.ClassName}");
        Assert.True(expected.Shape.SequenceEqual(actual.Shape), $"{where}: shape {actual.ShapeText}, expected {expected.ShapeText}");
        Assert.True(expected.Data.GetType() == actual.Data.GetType(), $"{where}: data {actual.Data.GetType().Name}, expected {expected.Data.GetType().Name}");
        for (int i = 0; i < expected.Length; i++)
        {
            object? e = expected.Data.GetValue(i), a = actual.Data.GetValue(i);
            bool same = (e, a) switch
            {
                (double x, double y) => BitConverter.DoubleToInt64Bits(x) == BitConverter.DoubleToInt64Bits(y) || (double.IsNaN(x) && double.IsNaN(y)),
                (float x, float y) => BitConverter.SingleToInt32Bits(x) == BitConverter.SingleToInt32Bits(y) || (float.IsNaN(x) && float.IsNaN(y)),
                _ => Equals(e, a),
            };
            Assert.True(same, $"{where}: element {i} (C order) is {a}, expected {e}");
        }
    }
}
