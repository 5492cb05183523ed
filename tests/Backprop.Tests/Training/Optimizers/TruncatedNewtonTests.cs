using System.Text.Json;
using Backprop.Training.Optimizers;
using Xunit.Abstractions;

namespace Backprop.Tests.Training.Optimizers;

/// <summary>
/// TruncatedNewton vs. scipy.optimize.minimize(method='TNC', no bounds) (Fixtures/optim/tnc.json). Rosenbrock's cost
/// and gradient are bit-for-bit NumPy's, so the whole path must be SciPy's: every iterate, the iteration and
/// evaluation counts, the status. The logistic cost differs from NumPy's in the last bits (summation order), which
/// the finite-difference Hessian products amplify by 1/δ ≈ 1e8: there the minimizer and the minimum must agree.
/// </summary>
public class TruncatedNewtonTests(ITestOutputHelper output)
{
    public static TheoryData<int> Runs()
    {
        using var doc = OptimFixtures.Load("tnc.json");
        var data = new TheoryData<int>();
        for (int i = 0; i < doc.RootElement.GetProperty("runs").GetArrayLength(); i++) data.Add(i);
        return data;
    }

    private static double? Option(JsonElement options, string name)
        => options.TryGetProperty(name, out var v) ? v.GetDouble() : null;

    [Theory]
    [MemberData(nameof(Runs))]
    public void MatchesScipyTnc(int index)
    {
        using var doc = OptimFixtures.Load("tnc.json");
        var run = doc.RootElement.GetProperty("runs")[index];
        string name = run.GetProperty("objective").GetString()!;
        var options = run.GetProperty("options");
        double[] x = OptimFixtures.Doubles(run.GetProperty("x0"));
        int maxfun = (int?)Option(options, "maxfun") ?? Math.Max(100, 10 * x.Length);   // SciPy's default
        var tnc = new TruncatedNewton(costTolerance: Option(options, "ftol"), stepTolerance: Option(options, "xtol"),
            gradientTolerance: Option(options, "gtol"));
        var iterates = new List<double[]>();
        var result = tnc.Minimize(TestObjectives.Get<double>(name, doc.RootElement), x, maxfun,
            r => { iterates.Add(r.Point.ToArray()); return true; });
        output.WriteLine($"{name} maxfun={maxfun}: {result.Message} nit={result.Iterations} nfev={result.FunctionEvaluations} f={result.Cost:E10}");

        Assert.Equal(run.GetProperty("success").GetBoolean(), result.Converged);
        double fun = run.GetProperty("fun").GetDouble();
        if (name.StartsWith("rosenbrock", StringComparison.Ordinal))
        {
            var expectedIterates = OptimFixtures.Rows(run.GetProperty("iterates"));
            Assert.Equal(run.GetProperty("nit").GetInt32(), result.Iterations);
            Assert.Equal(expectedIterates.Length, iterates.Count);
            Assert.Equal(run.GetProperty("nfev").GetInt32(), result.FunctionEvaluations);
            for (int k = 0; k < iterates.Count; k++)
                OptimFixtures.AssertClose(expectedIterates[k], iterates[k], 1e-12, 1e-15, $"iterate {k + 1}");
            OptimFixtures.AssertClose(OptimFixtures.Doubles(run.GetProperty("x")), x, 1e-12, 1e-15, "x");
            Assert.True(Math.Abs(result.Cost - fun) <= 1e-12 * Math.Abs(fun) + 1e-20, $"f: expected {fun:R}, got {result.Cost:R}");
        }
        else
        {
            OptimFixtures.AssertClose(OptimFixtures.Doubles(run.GetProperty("x")), x, 1e-5, 1e-7, "x");
            Assert.True(Math.Abs(result.Cost - fun) <= 1e-10 * Math.Abs(fun), $"f: expected {fun:R}, got {result.Cost:R}");
            Assert.InRange(result.FunctionEvaluations, 1, (int?)Option(options, "maxfun") ?? Math.Max(100, 10 * x.Length));
        }
    }

    [Fact]
    public void Float32RosenbrockReachesTheMinimum()
    {
        // float gradients: the finite differences use √ε(float) ≈ 3.5e-4 instead of SciPy's 1.5e-8.
        var x = new float[] { -1.2f, 1f, -1.2f, 1f };
        var result = new TruncatedNewton().Minimize<float>(TestObjectives.Rosenbrock<float>, x, 500);
        Assert.True(result.Cost < 1e-6, result.Message);
        Assert.All(x, v => Assert.InRange(v, 0.999f, 1.001f));
    }

    [Fact]
    public void SteepestDescentWhenNoCGIterations()
    {
        // maxCGit = 0: every direction is −g, so no Hessian-vector products; each evaluation is a line-search trial.
        int evaluations = 0;
        Objective<double> counted = (p, g) => { evaluations++; return TestObjectives.Rosenbrock(p, g); };
        var x = new double[] { -1.2, 1 };
        var result = new TruncatedNewton(maxCGIterations: 0).Minimize(counted, x, 60);
        Assert.Equal(evaluations, result.FunctionEvaluations);
        Assert.True(result.Cost < 24.2, result.Message);   // f(x₀) = 24.2
    }

    [Fact]
    public void BadSettingsThrow()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new TruncatedNewton(maxCGIterations: -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new TruncatedNewton(eta: 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new TruncatedNewton(maxStep: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new TruncatedNewton(accuracy: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new TruncatedNewton(gradientTolerance: double.NaN));
    }
}
