using System.Text.Json;
using Backprop.Layers;
using Backprop.Losses;
using Backprop.Networks;
using Backprop.Numerics;
using Backprop.Verification;

namespace Backprop.Tests.Networks;

/// <summary>Inverted dropout against NumPy-drawn masks and PyTorch autograd (Fixtures/engine/make_training_fixtures.py).</summary>
public class DropoutTests
{
    public static TheoryData<string> Cases() => Fixture.CaseNames(Fixture.Json("engine", "training.json").GetProperty("dropout"));

    private static (Network<T> Net, Dropout<T> Dropout, Matrix<T> X, Matrix<T> Y, double Lambda, JsonElement Case) Load<T>(string name)
        where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        var (net, x, y, c) = Fixture.NetworkCase<T>(Fixture.Json("engine", "training.json").GetProperty("dropout"), name);
        var dropout = new Dropout<T>(net.Spec, c.GetProperty("rates").Doubles(), c.GetProperty("seed").GetInt32());
        dropout.Draw(x.Rows);
        return (net, dropout, x, y, c.GetProperty("lam").GetDouble(), c);
    }

    private static void AssertMasks<T>(Dropout<T> dropout, JsonElement keeps, string what) where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        int l = 0;
        foreach (var keep in keeps.EnumerateArray())
        {
            var mask = dropout.Mask(l);
            if (keep.ValueKind == JsonValueKind.Null) Assert.Null(mask);
            else
            {
                Assert.NotNull(mask);
                var expected = keep.Ints();
                T scale = T.One / T.CreateTruncating(1 - dropout.Rates[l]);
                for (int i = 0; i < expected.Length; i++)
                    Assert.True(mask.Span[i] == (expected[i] == 1 ? scale : T.Zero), $"{what} layer {l} element {i}: mask {mask.Span[i]}, NumPy keep {expected[i]}");
            }
            l++;
        }
    }

    [Theory, MemberData(nameof(Cases))]
    public void MasksAreNumpysDrawsBatchAfterBatch(string name)
    {
        var (_, dropout, _, _, _, c) = Load<double>(name);
        AssertMasks(dropout, c.GetProperty("keep"), $"{name} first batch");
        dropout.Draw(c.GetProperty("m").GetInt32());
        AssertMasks(dropout, c.GetProperty("second_keep"), $"{name} second batch");
    }

    [Theory, MemberData(nameof(Cases))]
    public void Float32MasksAreTheSameDraws(string name)
    {
        var (_, dropout, _, _, _, c) = Load<float>(name);
        AssertMasks(dropout, c.GetProperty("keep"), $"{name} first batch (float32)");
        dropout.Draw(c.GetProperty("m").GetInt32());
        AssertMasks(dropout, c.GetProperty("second_keep"), $"{name} second batch (float32)");
    }

    [Fact]
    public void BulkDrawsContinueTheOneAtATimeStream()
    {
        var one = new Backprop.Numerics.NumPyRandom(12345u);
        var bulk = new Backprop.Numerics.NumPyRandom(12345u);
        var expected = new uint[3000];
        for (int i = 0; i < expected.Length; i++) expected[i] = one.NextUInt32();
        var got = new uint[3000];
        bulk.NextUInt32(got.AsSpan(0, 7));           // within the first block
        got[7] = bulk.NextUInt32();                   // mixed with single draws
        bulk.NextUInt32(got.AsSpan(8, 1500));         // across two regenerations of the 624-word state
        bulk.NextUInt32(got.AsSpan(1508));
        Assert.Equal(expected, got);
        Assert.Equal(one.Rand(), bulk.Rand());
    }

    [Fact]
    public void LargeFloat32MasksEqualFloat64Masks()
    {
        var spec = NetworkSpec.Create([300, 257, 10], Activation.Relu, Activation.Softmax);
        var f = new Dropout<float>(spec, hidden: 0.35, input: 0.15, seed: 8);
        var d = new Dropout<double>(spec, hidden: 0.35, input: 0.15, seed: 8);
        for (int batch = 0; batch < 3; batch++)
        {
            f.Draw(33);
            d.Draw(33);
            for (int l = 0; l < 2; l++)
                Assert.Equal(d.Mask(l)!.Span.ToArray().Select(v => v > 0), f.Mask(l)!.Span.ToArray().Select(v => v > 0));
        }
    }

    [Theory, MemberData(nameof(Cases))]
    public void CostAndGradientWithAFixedMaskMatchPytorchAutograd(string name)
    {
        var (net, dropout, x, y, lambda, c) = Load<double>(name);
        double cost = net.CostAndGradient(x, y, lambda, dropout);
        Fixture.AssertClose(c.GetProperty("cost").GetDouble(), cost, 1e-12, $"{name} cost");
        Fixture.AssertClose(c.GetProperty("cost").GetDouble(), net.Cost(x, y, lambda, dropout), 1e-12, $"{name} Cost()");
        var expected = c.GetProperty("gradient").Doubles();
        for (int i = 0; i < expected.Length; i++)
            Fixture.AssertClose(expected[i], net.Gradient[i], 1e-10, $"{name} gradient[{i}]");
    }

    [Theory, MemberData(nameof(Cases))]
    public void Float32MatchesTo1e5(string name)
    {
        var (net, dropout, x, y, lambda, c) = Load<float>(name);
        double cost = net.CostAndGradient(x, y, lambda, dropout);
        Fixture.AssertClose(c.GetProperty("cost").GetDouble(), cost, 1e-5, $"{name} cost (float32)");
        var expected = c.GetProperty("gradient").Doubles();
        double scale = expected.Max(Math.Abs);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - net.Gradient[i]) <= 1e-5 * Math.Max(1, scale),
                $"{name} gradient[{i}] (float32): expected {expected[i]:R}, got {net.Gradient[i]:R}");
    }

    [Theory, MemberData(nameof(Cases))]
    public void GradientCheckPassesWithAFixedMask(string name)
    {
        var (net, dropout, x, y, lambda, _) = Load<double>(name);
        var result = GradientCheck.Run(net, x, y, lambda, dropout: dropout);
        Assert.True(result.RelativeDifference < 1e-7, $"{name}: relative difference {result.RelativeDifference:E3}; worst {string.Join(", ", result.Layers)}");
    }

    [Theory, MemberData(nameof(Cases))]
    public void CostAndPredictionWithoutTheDropoutArgumentAreThePlainNetwork(string name)
    {
        var (net, dropout, x, y, lambda, c) = Load<double>(name);
        var before = net.PredictProba(x).Span.ToArray();
        net.CostAndGradient(x, y, lambda, dropout);
        Fixture.AssertClose(c.GetProperty("cost_without_dropout").GetDouble(), net.Cost(x, y, lambda), 1e-12, $"{name} cost without dropout");
        Assert.Equal(before, net.PredictProba(x).Span.ToArray());
        Assert.NotEqual(c.GetProperty("cost").GetDouble(), c.GetProperty("cost_without_dropout").GetDouble());
    }

    [Fact]
    public void ZeroRatesChangeNothing()
    {
        var (net, _, x, y, lambda, _) = Load<double>("relu-softmax-hidden");
        double plain = net.CostAndGradient(x, y, lambda);
        var gradient = (double[])net.Gradient.Clone();
        var none = new Dropout<double>(net.Spec, hidden: 0, input: 0, seed: 3);
        Assert.False(none.IsActive);
        none.Draw(x.Rows);
        Assert.Equal(plain, net.CostAndGradient(x, y, lambda, none));
        Assert.Equal(gradient, net.Gradient);
    }

    [Fact]
    public void KeptFractionIsOneMinusTheRateAndTheMaskMeanIsOne()
    {
        var spec = NetworkSpec.Create([300, 500, 10], Activation.Relu, Activation.Softmax);
        var dropout = new Dropout<float>(spec, hidden: 0.3, input: 0.2, seed: 5);
        dropout.Draw(400);
        var input = dropout.Mask(0)!.Span.ToArray();
        var hidden = dropout.Mask(1)!.Span.ToArray();
        Assert.InRange(input.Count(v => v > 0) / (double)input.Length, 0.79, 0.81);     // 120 000 draws: σ ≈ 0.0012
        Assert.InRange(hidden.Count(v => v > 0) / (double)hidden.Length, 0.69, 0.71);   // 200 000 draws
        Assert.InRange(hidden.Average(v => (double)v), 0.98, 1.02);
        Assert.All(hidden, v => Assert.True(v == 0 || Math.Abs(v - 1 / 0.7f) < 1e-6));
    }

    [Fact]
    public void SameSeedSameMasksOtherSeedOtherMasks()
    {
        var spec = NetworkSpec.Create([20, 30, 5], Activation.Relu, Activation.Softmax);
        float[] Draw(int seed)
        {
            var d = new Dropout<float>(spec, hidden: 0.5, seed: seed);
            d.Draw(10);
            return d.Mask(1)!.Span.ToArray();
        }
        Assert.Equal(Draw(1), Draw(1));
        Assert.NotEqual(Draw(1), Draw(2));
    }

    [Fact]
    public void BadRatesAndMismatchedMasksAreRejectedWithClearErrors()
    {
        var spec = NetworkSpec.Create([4, 6, 3], Activation.Relu, Activation.Softmax);
        Assert.Contains("[0, 1)", Assert.Throws<ArgumentOutOfRangeException>(() => new Dropout<double>(spec, hidden: 1.0)).Message);
        Assert.Contains("input", Assert.Throws<ArgumentOutOfRangeException>(() => new Dropout<double>(spec, hidden: 0.5, input: -0.1)).Message);
        Assert.Throws<ArgumentException>(() => new Dropout<double>(spec, [0.1, 0.2, 0.3]));
        var net = new Network<double>(spec);
        var x = new Matrix<double>(5, 4);
        var y = Targets.OneHot<double>([0, 1, 2, 0, 1], 3);
        var dropout = new Dropout<double>(spec, hidden: 0.5);
        Assert.Contains("Draw", Assert.Throws<ArgumentException>(() => net.CostAndGradient(x, y, 0, dropout)).Message);
        dropout.Draw(4);
        Assert.Contains("Draw(5)", Assert.Throws<ArgumentException>(() => net.CostAndGradient(x, y, 0, dropout)).Message);
        var other = new Dropout<double>(NetworkSpec.Create([4, 7, 3], Activation.Relu, Activation.Softmax), hidden: 0.5);
        other.Draw(5);
        Assert.Contains("made for network", Assert.Throws<ArgumentException>(() => net.Cost(x, y, 0, other)).Message);
    }
}
