using System.Text.Json;
using Backprop.Layers;
using Backprop.Losses;
using Backprop.Networks;
using Backprop.Numerics;
using Backprop.Verification;

namespace Backprop.Tests.Networks;

/// <summary>The vectorized engine against NumPy/PyTorch-computed costs and gradients (Fixtures/engine/make_network_fixtures.py).
/// Every case runs under both GEMM providers: the managed SIMD kernels and the plain reference loops.</summary>
[Collection(KernelSettingsCollection.Name)]
public class BackpropReferenceTests
{
    public static TheoryData<string> Cases() => Fixture.CaseNames(Fixture.Json("engine", "networks.json").GetProperty("cases"));

    /// <summary>Every case under every provider.</summary>
    public static TheoryData<string, string> CasesUnderProviders()
    {
        var data = new TheoryData<string, string>();
        foreach (var provider in Providers.Names())
            foreach (var name in Cases()) data.Add(name, provider);
        return data;
    }

    private static (Network<T> Net, Matrix<T> X, Matrix<T> Y, double Lambda, JsonElement Case) Load<T>(string name)
        where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        var (net, x, y, c) = Fixture.NetworkCase<T>(Fixture.Json("engine", "networks.json").GetProperty("cases"), name);
        return (net, x, y, c.GetProperty("lam").GetDouble(), c);
    }

    [Theory, MemberData(nameof(CasesUnderProviders))]
    public void Float64CostGradientAndOutputMatchNumpyAndTorch(string name, string provider) => Providers.Under(provider, () =>
    {
        var (net, x, y, lambda, c) = Load<double>(name);
        double cost = net.CostAndGradient(x, y, lambda);
        Fixture.AssertClose(c.GetProperty("cost").GetDouble(), cost, 1e-12, $"{name} cost");
        var expected = c.GetProperty("gradient").Doubles();
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - net.Gradient[i]) <= 1e-10 * Math.Max(1, Math.Abs(expected[i])),
                $"{name} gradient[{i}]: expected {expected[i]:R}, got {net.Gradient[i]:R}");
        var output = net.PredictProba(x).Span.ToArray();
        var expectedOutput = c.GetProperty("output").Doubles();
        for (int i = 0; i < output.Length; i++) Fixture.AssertClose(expectedOutput[i], output[i], 1e-12, $"{name} output[{i}]");
    });

    [Theory, MemberData(nameof(CasesUnderProviders))]
    public void Float32MatchesTo1e5(string name, string provider) => Providers.Under(provider, () =>
    {
        var (net, x, y, lambda, c) = Load<float>(name);
        double cost = net.CostAndGradient(x, y, lambda);
        Fixture.AssertClose(c.GetProperty("cost").GetDouble(), cost, 1e-5, $"{name} cost (float32)");
        var expected = c.GetProperty("gradient").Doubles();
        double scale = expected.Max(Math.Abs);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - net.Gradient[i]) <= 1e-5 * Math.Max(1, scale),
                $"{name} gradient[{i}] (float32): expected {expected[i]:R}, got {net.Gradient[i]:R}");
    });

    [Theory, MemberData(nameof(CasesUnderProviders))]
    public void VectorizedBackpropEqualsThePerExampleEx4Loop(string name, string provider) => Providers.Under(provider, () =>
    {
        var (net, x, y, lambda, _) = Load<double>(name);
        double cost = net.CostAndGradient(x, y, lambda);
        var (refCost, refGrad) = ReferenceBackprop.CostAndGradient(net, x, y, lambda);
        Fixture.AssertClose(refCost, cost, 1e-12, $"{name} cost");
        for (int i = 0; i < refGrad.Length; i++)
            Fixture.AssertClose(refGrad[i], net.Gradient[i], 1e-11, $"{name} gradient[{i}]");
    });

    [Theory, MemberData(nameof(CasesUnderProviders))]
    public void GradientCheckPassesForEveryActivationAndLoss(string name, string provider) => Providers.Under(provider, () =>
    {
        var (net, x, y, lambda, _) = Load<double>(name);
        var result = GradientCheck.Run(net, x, y, lambda);
        // Central differences with ε = 1e-4 carry a truncation error of order ε²·J''' — about 1e-9 relative for these
        // deliberately large random weights (uniform ±0.8, N(0,1) inputs); the analytical gradient itself matches
        // PyTorch to 1e-10 above. The ex4 debug network (small weights) meets ex4's 1e-9 in Ex4ArithmeticTests.
        Assert.True(result.RelativeDifference < 1e-7, $"{name}: relative difference {result.RelativeDifference:E3}; worst {string.Join(", ", result.Layers)}");
    });

    [Fact]
    public void ResultDoesNotDependOnTheThreadCount()
    {
        var (net, x, y, lambda, _) = Load<double>("deep-relu");
        int saved = Parallelism.MaxThreads;
        try
        {
            Parallelism.MaxThreads = 1;
            double c1 = net.CostAndGradient(x, y, lambda);
            var g1 = (double[])net.Gradient.Clone();
            Parallelism.MaxThreads = 2;
            double c2 = net.CostAndGradient(x, y, lambda);
            Assert.Equal(c1, c2);
            Assert.Equal(g1, net.Gradient);
        }
        finally { Parallelism.MaxThreads = saved; }
    }
}
