using Backprop.Training.Optimizers;

namespace Backprop.Tests.Training.Optimizers;

/// <summary>NaN/infinite costs, bad arguments, early stop by callback, degenerate objectives — for every full-batch minimizer.</summary>
public class MinimizerRobustnessTests
{
    public static TheoryData<string> Minimizers() => ["fmincg", "fmincg-evals", "lbfgs", "tnc"];

    private static IMinimizer Create(string name) => name switch
    {
        "fmincg" => new ConjugateGradient(),
        "fmincg-evals" => new ConjugateGradient(countFunctionEvaluations: true),
        "tnc" => new TruncatedNewton(),
        _ => new Lbfgs(),
    };

    [Theory]
    [MemberData(nameof(Minimizers))]
    public void NaNCostStopsWithMessage(string name)
    {
        int calls = 0;
        Objective<double> objective = (p, g) =>
        {
            double f = TestObjectives.Rosenbrock(p, g);
            return ++calls > 6 ? double.NaN : f;
        };
        var x = new double[] { -1.2, 1 };
        var result = Create(name).Minimize(objective, x, 100);
        Assert.False(result.Converged);
        Assert.Matches(@"cost became NaN at iteration \d+", result.Message);
        Assert.True(double.IsFinite(result.Cost));
        Assert.All(x, v => Assert.True(double.IsFinite(v)));
        Assert.Equal(7, result.FunctionEvaluations);
        // The reported point is the last accepted one: its cost is the reported cost.
        Assert.Equal(result.Cost, TestObjectives.Rosenbrock<double>(x, new double[2]));
    }

    [Theory]
    [MemberData(nameof(Minimizers))]
    public void InfiniteCostAndNaNGradientStop(string name)
    {
        Objective<float> inf = (p, g) => { g.Fill(1); return p[0] < -5 ? double.PositiveInfinity : p[0]; };
        var x = new float[] { 0, 0 };
        var r = Create(name).Minimize(inf, x, 100);
        Assert.False(r.Converged);
        if (name == "tnc")
        {
            // TNC halves a trial step with an infinite cost instead of stopping: it ends (here, failing to satisfy its
            // line search along this inconsistent gradient) at a finite point.
            Assert.True(double.IsFinite(r.Cost) && x[0] >= -5, r.Message);
        }
        else Assert.Matches(@"cost became infinite at iteration \d+", r.Message);

        Objective<double> nanGrad = (p, g) => { g.Fill(double.NaN); return 1; };
        r = Create(name).Minimize(nanGrad, new double[] { 1, 2 }, 100);
        Assert.False(r.Converged);
        Assert.Contains("gradient became NaN at iteration 0", r.Message, StringComparison.Ordinal);

        Objective<double> nanStart = (p, g) => double.NaN;
        r = Create(name).Minimize(nanStart, new double[] { 1 }, 100);
        Assert.False(r.Converged);
        Assert.Contains("cost became NaN at iteration 0", r.Message, StringComparison.Ordinal);
        Assert.Equal(1, r.FunctionEvaluations);
    }

    [Theory]
    [MemberData(nameof(Minimizers))]
    public void BadArgumentsThrow(string name)
    {
        var m = Create(name);
        Assert.Throws<ArgumentOutOfRangeException>(() => m.Minimize<double>(TestObjectives.Rosenbrock<double>, new double[] { 0, 0 }, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => m.Minimize<double>(TestObjectives.Rosenbrock<double>, new double[] { 0, 0 }, -5));
        Assert.Throws<ArgumentException>(() => m.Minimize<double>(TestObjectives.Rosenbrock<double>, Span<double>.Empty, 10));
        Assert.Throws<ArgumentException>(() => m.Minimize<double>(TestObjectives.Rosenbrock<double>, new double[] { double.NaN, 0 }, 10));
        Assert.Throws<ArgumentNullException>(() => m.Minimize<double>(null!, new double[] { 0, 0 }, 10));
    }

    [Theory]
    [MemberData(nameof(Minimizers))]
    public void CallbackCanStopEarly(string name)
    {
        var x = new double[] { -1.2, 1 };
        int calls = 0;
        var result = Create(name).Minimize<double>(TestObjectives.Rosenbrock<double>, x, 1000, r => ++calls < 3);
        Assert.Equal(3, calls);
        Assert.False(result.Converged);
        Assert.Contains("callback", result.Message, StringComparison.Ordinal);
        Assert.Equal(3, result.CostHistory.Count);
        Assert.Equal(result.CostHistory[^1], result.Cost);
        Assert.Equal(result.Cost, TestObjectives.Rosenbrock<double>(x, new double[2]));
    }

    [Theory]
    [MemberData(nameof(Minimizers))]
    public void IterationLimitIsReported(string name)
    {
        var x = new double[] { -1.2, 1, -1.2, 1, -1.2, 1 };
        var result = Create(name).Minimize<double>(TestObjectives.Rosenbrock<double>, x, 5);
        Assert.False(result.Converged);
        Assert.Contains("limit of 5", result.Message, StringComparison.Ordinal);
        if (name == "fmincg-evals") Assert.True(result.FunctionEvaluations <= 6);
        else if (name == "tnc") Assert.Equal(5, result.FunctionEvaluations);   // maxfun
        else Assert.True(result.Iterations <= 5);
    }

    [Theory]
    [MemberData(nameof(Minimizers))]
    public void DegenerateObjectivesTerminate(string name)
    {
        // Flat: zero gradient everywhere.
        Objective<double> flat = (p, g) => { g.Clear(); return 3; };
        var r = Create(name).Minimize(flat, new double[] { 1, 2 }, 1000);
        Assert.Equal(3, r.Cost);
        Assert.True(r.FunctionEvaluations < 200, r.Message);

        // Gradient pointing the wrong way: no Wolfe step exists; must give up, not hang.
        Objective<double> wrong = (p, g) => { g[0] = -2 * p[0]; return p[0] * p[0]; };
        var x = new double[] { 1 };
        r = Create(name).Minimize(wrong, x, 1000);
        Assert.True(r.FunctionEvaluations < 200, r.Message);
        Assert.Equal(1.0, x[0]);
        Assert.Contains("ine search failed", r.Message, StringComparison.Ordinal);

        // Linear (unbounded below) objective: stops at the iteration limit or on overflow, never hangs.
        Objective<double> linear = (p, g) => { g[0] = 1; return p[0]; };
        r = Create(name).Minimize(linear, new double[] { 0 }, 50);
        Assert.False(r.Converged);
    }
}
