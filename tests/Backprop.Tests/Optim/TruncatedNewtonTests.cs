using System.Text.Json;
using Backprop.Training.Optimizers;
using Xunit.Abstractions;

namespace Backprop.Tests.Optim;

/// <summary>TruncatedNewton vs. scipy.optimize.minimize(method='TNC', no bounds) (Fixtures/optim/tnc.json).</summary>
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

        var expectedIterates = OptimFixtures.Rows(run.GetProperty("iterates"));
        Assert.Equal(run.GetProperty("nit").GetInt32(), result.Iterations);
        Assert.Equal(expectedIterates.Length, iterates.Count);
        Assert.Equal(run.GetProperty("nfev").GetInt32(), result.FunctionEvaluations);
        Assert.Equal(run.GetProperty("success").GetBoolean(), result.Converged);
        for (int k = 0; k < iterates.Count; k++)
            OptimFixtures.AssertClose(expectedIterates[k], iterates[k], 1e-9, 1e-12, $"iterate {k + 1}");
        OptimFixtures.AssertClose(OptimFixtures.Doubles(run.GetProperty("x")), x, 1e-9, 1e-12, "x");
        double fun = run.GetProperty("fun").GetDouble();
        Assert.True(Math.Abs(result.Cost - fun) <= 1e-9 * Math.Abs(fun) + 1e-15, $"f: expected {fun:R}, got {result.Cost:R}");
    }
}
