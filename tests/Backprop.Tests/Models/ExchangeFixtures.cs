using System.Text.Json;
using Backprop.Data.Builtin;
using Backprop.Data.Formats;

namespace Backprop.Tests.Models;

/// <summary>
/// The golden model (Fixtures/models/golden-v1.json), the MNIST test images its references were computed on, and the
/// references of Fixtures/exchange/make_exchange_fixtures.py (NumPy, scikit-learn and PyTorch).
/// </summary>
internal static class ExchangeFixtures
{
    public static string Golden => Fixture.Path("models", "golden-v1.json");
    public static string Exchange(string name) => Fixture.Path("exchange", name);

    private static readonly Lazy<JsonElement> ExpectedJson = new(() => Fixture.Json("exchange", "expected.json"));
    public static JsonElement Expected => ExpectedJson.Value;

    public static string MnistTestImages => Path.Combine(BuiltinData.FindDataDirectory(), "mnist", "t10k-images-idx3-ubyte.gz");
    public static string MnistTestLabels => Path.Combine(BuiltinData.FindDataDirectory(), "mnist", "t10k-labels-idx1-ubyte.gz");
    public static string Digits => Path.Combine(BuiltinData.FindDataDirectory(subfolder: "digits"), "digits", "digits.csv.gz");

    private static readonly Lazy<double[]> Images = new(() => IdxFile.Read(MnistTestImages).ToDoubles());

    /// <summary>The first <paramref name="count"/> MNIST test images, raw pixels 0..255, [count, 784] row-major.</summary>
    public static double[] MnistTest(int count) => Images.Value.AsSpan(0, count * 784).ToArray();

    /// <summary>Rows of a JSON matrix.</summary>
    public static double[][] Rows(JsonElement e) => e.EnumerateArray().Select(r => r.Doubles()).ToArray();

    public static void AssertClose(double[][] expected, double[] actual, int columns, double tolerance)
    {
        Assert.Equal(expected.Length * columns, actual.Length);
        double worst = 0;
        for (int i = 0; i < expected.Length; i++)
            for (int j = 0; j < columns; j++)
                worst = Math.Max(worst, Math.Abs(expected[i][j] - actual[i * columns + j]));
        Assert.True(worst <= tolerance, $"largest difference {worst:E3} > {tolerance:E1}");
    }
}
