using Backprop.Training.Optimizers;
using Xunit.Abstractions;

namespace Backprop.Tests.Training.Optimizers;

/// <summary>Lbfgs vs. scipy.optimize.minimize(method='L-BFGS-B', no bounds) (Fixtures/optim/minimizers.json).</summary>
public class LbfgsTests(ITestOutputHelper output)
{
    private static (double[] X0, System.Text.Json.JsonElement Default, System.Text.Json.JsonElement Tight) Load(System.Text.Json.JsonDocument doc, string name)
    {
        var root = doc.RootElement;
        var x0 = OptimFixtures.Doubles(root.GetProperty("fmincg").EnumerateArray().First(r => r.GetProperty("objective").GetString() == name).GetProperty("x0"));
        var runs = root.GetProperty("scipy").EnumerateArray().Where(r => r.GetProperty("objective").GetString() == name && r.GetProperty("method").GetString() == "L-BFGS-B").ToArray();
        return (x0, runs.Single(r => !r.GetProperty("options").TryGetProperty("gtol", out _)), runs.Single(r => r.GetProperty("options").TryGetProperty("gtol", out _)));
    }

    [Theory]
    [InlineData("rosenbrock2")]
    [InlineData("rosenbrock10")]
    [InlineData("logistic")]
    public void MinimumAgreesWithScipy(string name)
    {
        using var doc = OptimFixtures.Load("minimizers.json");
        var (x0, _, tight) = Load(doc, name);
        var x = (double[])x0.Clone();
        var result = new Lbfgs(gradientTolerance: 1e-10, costTolerance: 1e-15).Minimize(TestObjectives.Get<double>(name, doc.RootElement), x, 1000);
        Assert.True(result.Converged, result.Message);
        Assert.StartsWith("Converged", result.Message, StringComparison.Ordinal);
        OptimFixtures.AssertClose(OptimFixtures.Doubles(tight.GetProperty("x")), x, 0, 1e-6, $"{name} minimizer");
        Assert.True(Math.Abs(result.Cost - tight.GetProperty("fun").GetDouble()) <= 1e-6 * Math.Max(1, Math.Abs(result.Cost)));
        int nit = tight.GetProperty("nit").GetInt32();
        output.WriteLine($"{name} tight: {result.Iterations} iterations / {result.FunctionEvaluations} evaluations; scipy {nit} / {tight.GetProperty("nfev").GetInt32()}. {result.Message}");
        Assert.InRange(result.Iterations, nit / 2, nit * 2);
    }

    [Theory]
    [InlineData("rosenbrock2")]
    [InlineData("rosenbrock10")]
    [InlineData("logistic")]
    public void DefaultTolerancesBehaveLikeScipyDefaults(string name)
    {
        using var doc = OptimFixtures.Load("minimizers.json");
        var (x0, defaults, _) = Load(doc, name);
        var x = (double[])x0.Clone();
        var reports = new List<IterationReport>();
        var result = new Lbfgs().Minimize(TestObjectives.Get<double>(name, doc.RootElement), x, 15000, r => { reports.Add(r); return true; });
        Assert.True(result.Converged, result.Message);
        int nit = defaults.GetProperty("nit").GetInt32();
        output.WriteLine($"{name} default: {result.Iterations} iterations / {result.FunctionEvaluations} evaluations; scipy {nit} / {defaults.GetProperty("nfev").GetInt32()}. {result.Message}");
        Assert.InRange(result.Iterations, nit / 2, nit * 2);
        Assert.Equal(result.Iterations, reports.Count);
        Assert.Equal(result.CostHistory, reports.Select(r => r.Cost));
        Assert.True(Math.Abs(result.Cost - defaults.GetProperty("fun").GetDouble()) <= 1e-8 * Math.Max(1, Math.Abs(result.Cost)), $"{result.Cost} vs scipy {defaults.GetProperty("fun").GetDouble()}");
        OptimFixtures.AssertClose(OptimFixtures.Doubles(defaults.GetProperty("x")), x, 0, 1e-3, $"{name} minimizer (default tolerances)");
        // Monotone decrease: every accepted step satisfies sufficient decrease.
        Assert.All(result.CostHistory.Zip(result.CostHistory.Skip(1)), p => Assert.True(p.Second <= p.First));
    }

    [Fact]
    public void Float32Objective()
    {
        var x = new float[] { -1.2f, 1f, -1.2f, 1f };
        var result = new Lbfgs(gradientTolerance: 1e-3).Minimize<float>(TestObjectives.Rosenbrock<float>, x, 500);
        Assert.True(result.Converged, result.Message);
        Assert.All(x, v => Assert.InRange(v, 0.99f, 1.01f));
    }

    [Fact]
    public void MemoryOneStillConverges()
    {
        var x = new double[] { -1.2, 1 };
        var result = new Lbfgs(memory: 1, gradientTolerance: 1e-8, costTolerance: 0).Minimize<double>(TestObjectives.Rosenbrock<double>, x, 2000);
        Assert.True(result.Converged, result.Message);
        Assert.Equal(1.0, x[0], 1e-6);
    }
}
