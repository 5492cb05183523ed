using System.Globalization;
using System.Text.Json;

namespace Backprop.Tests.Data.Builtin;

/// <summary>Paths and decoders for the NumPy-made fixtures under Fixtures/builtin.</summary>
internal static class BuiltinFixtures
{
    public static string PathOf(string file) => Path.Combine(AppContext.BaseDirectory, "Fixtures", "builtin", file);

    public static JsonDocument Json(string file) => JsonDocument.Parse(File.ReadAllText(PathOf(file)));

    /// <summary>A double stored as its 16-hex-digit IEEE-754 bit pattern.</summary>
    public static double Hex(string s) => BitConverter.Int64BitsToDouble(long.Parse(s, NumberStyles.HexNumber, CultureInfo.InvariantCulture));

    public static double[] Hexes(JsonElement e) => e.EnumerateArray().Select(x => Hex(x.GetString()!)).ToArray();

    public static long[] Longs(JsonElement e) => e.EnumerateArray().Select(x => x.GetInt64()).ToArray();

    /// <summary>Asserts equality bit for bit, naming the first differing index.</summary>
    public static void BitEqual(double[] expected, double[] actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            if (BitConverter.DoubleToInt64Bits(expected[i]) != BitConverter.DoubleToInt64Bits(actual[i]))
                Assert.Fail($"{what}[{i}]: expected {expected[i]:R}, got {actual[i]:R}.");
    }
}
