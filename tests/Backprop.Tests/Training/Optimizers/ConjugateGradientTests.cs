using System.Text.Json;
using Backprop.Training.Optimizers;

namespace Backprop.Tests.Training.Optimizers;

/// <summary>ConjugateGradient vs. a line-by-line NumPy port of fmincg.m and vs. scipy's CG (Fixtures/optim/minimizers.json).</summary>
public class ConjugateGradientTests
{
    public static TheoryData<int> FmincgRuns()
    {
        using var doc = OptimFixtures.Load("minimizers.json");
        var data = new TheoryData<int>();
        for (int k = 0; k < doc.RootElement.GetProperty("fmincg").GetArrayLength(); k++) data.Add(k);
        return data;
    }

    [Theory]
    [MemberData(nameof(FmincgRuns))]
    public void MatchesNumPyPortOfFmincg(int run)
    {
        using var doc = OptimFixtures.Load("minimizers.json");
        var f = doc.RootElement.GetProperty("fmincg")[run];
        string name = f.GetProperty("objective").GetString()!;
        int length = f.GetProperty("length").GetInt32();
        double red = f.GetProperty("red").GetDouble();
        string label = $"{name} length={length} red={red}";
        var inner = TestObjectives.Get<double>(name, doc.RootElement);
        double[] last = [];
        Objective<double> recording = (p, g) => { last = p.ToArray(); return inner(p, g); };

        var x = OptimFixtures.Doubles(f.GetProperty("x0"));
        var iterates = new List<double[]>();
        var reports = new List<IterationReport>();
        var cg = new ConjugateGradient(red, countFunctionEvaluations: length < 0);
        var result = cg.Minimize(recording, x, Math.Abs(length), r => { iterates.Add(last); reports.Add(r); return true; });

        var expectedFx = OptimFixtures.Doubles(f.GetProperty("fX"));
        var expectedIterates = OptimFixtures.Rows(f.GetProperty("iterates"));
        double scale = Math.Abs(inner(OptimFixtures.Doubles(f.GetProperty("x0")), new double[x.Length]));
        Assert.Equal(expectedFx.Length, result.CostHistory.Count);
        OptimFixtures.AssertClose(expectedFx, result.CostHistory.ToArray(), 1e-10, 1e-14 * scale, $"{label} fX");
        Assert.Equal(expectedIterates.Length, iterates.Count);
        for (int k = 0; k < iterates.Count; k++)
            OptimFixtures.AssertClose(expectedIterates[k], iterates[k], 1e-10, 1e-13, $"{label} iterate {k + 1}");
        OptimFixtures.AssertClose(OptimFixtures.Doubles(f.GetProperty("X")), x, 1e-10, 1e-13, $"{label} X");
        Assert.Equal(f.GetProperty("i").GetInt32(), result.Iterations);
        Assert.Equal(f.GetProperty("evaluations").GetInt32(), result.FunctionEvaluations);
        Assert.Equal(f.GetProperty("stop").GetString() == "failed twice", result.Converged);
        Assert.Equal(result.CostHistory, reports.Select(r => r.Cost));
        Assert.All(reports.Zip(reports.Skip(1)), pair => Assert.True(pair.Second.Iteration > pair.First.Iteration));
        Assert.False(string.IsNullOrWhiteSpace(result.Message));
    }

    [Theory]
    [InlineData("rosenbrock2", 1e-7)]
    [InlineData("rosenbrock10", 1e-3)]
    [InlineData("logistic", 1e-6)]
    public void FinalMinimumAgreesWithScipyCG(string name, double xTolerance)
    {
        using var doc = OptimFixtures.Load("minimizers.json");
        var sc = doc.RootElement.GetProperty("scipy").EnumerateArray().Single(r => r.GetProperty("objective").GetString() == name && r.GetProperty("method").GetString() == "CG");
        var x0 = doc.RootElement.GetProperty("fmincg").EnumerateArray().First(r => r.GetProperty("objective").GetString() == name).GetProperty("x0");
        var x = OptimFixtures.Doubles(x0);
        var result = new ConjugateGradient().Minimize(TestObjectives.Get<double>(name, doc.RootElement), x, 2000);
        OptimFixtures.AssertClose(OptimFixtures.Doubles(sc.GetProperty("x")), x, 0, xTolerance, $"{name} minimizer");
        Assert.True(Math.Abs(result.Cost - sc.GetProperty("fun").GetDouble()) <= 1e-8 * Math.Max(1, Math.Abs(result.Cost)));
    }

    [Fact]
    public void Float32ObjectiveUsesFloat64SearchState()
    {
        using var doc = OptimFixtures.Load("minimizers.json");
        var x = new float[] { -1.2f, 1f };
        var result = new ConjugateGradient().Minimize<float>(TestObjectives.Rosenbrock<float>, x, 200);
        Assert.True(result.Cost < 1e-6, result.Message);
        Assert.InRange(x[0], 0.999f, 1.001f);
        Assert.InRange(x[1], 0.998f, 1.002f);
    }
}
