using System.Numerics;
using System.Text.Json;
using Backprop.Training.Optimizers;

namespace Backprop.Tests.Training.Optimizers;

/// <summary>Trajectories of GradientDescent / Momentum / Adam vs. scikit-learn's SGDOptimizer/AdamOptimizer and torch.optim (Fixtures/optim/steps.json).</summary>
public class StepOptimizerTests
{
    private static IStepOptimizer<T> Create<T>(JsonElement kind) where T : unmanaged, IFloatingPointIeee754<T>
        => kind.GetProperty("name").GetString() switch
        {
            "gd" => new GradientDescent<T>(),
            "momentum" => new Momentum<T>(kind.GetProperty("momentum").GetDouble(), kind.GetProperty("nesterov").GetBoolean()),
            "adam" => new Adam<T>(kind.GetProperty("beta1").GetDouble(), kind.GetProperty("beta2").GetDouble(), kind.GetProperty("epsilon").GetDouble()),
            var n => throw new InvalidOperationException(n),
        };

    // Same formulas and operation order as make_step_fixtures.py.
    private static void Gradient<T>(string problem, JsonElement fixture, int step, ReadOnlySpan<T> p, Span<T> g)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        switch (problem)
        {
            case "random":
            {
                var row = fixture.GetProperty("gradients")[step];
                for (int i = 0; i < g.Length; i++) g[i] = T.CreateChecked(row[i].GetDouble());
                break;
            }
            case "quadratic":
            {
                var a = fixture.GetProperty("a");
                var b = fixture.GetProperty("b");
                for (int i = 0; i < g.Length; i++)
                    g[i] = T.CreateChecked(a[i].GetDouble()) * p[i] + T.CreateChecked(b[i].GetDouble());
                break;
            }
            case "rosenbrock2":
            {
                T x = p[0], y = p[1];
                T c400 = T.CreateChecked(-400), c2 = T.CreateChecked(2), c200 = T.CreateChecked(200);
                g[0] = c400 * x * (y - x * x) - c2 * (T.One - x);
                g[1] = c200 * (y - x * x);
                break;
            }
            default: throw new InvalidOperationException(problem);
        }
    }

    private static void RunTrajectory<T>(JsonElement fixture, double rtol, double atol) where T : unmanaged, IFloatingPointIeee754<T>
    {
        string problem = fixture.GetProperty("problem").GetString()!;
        string label = $"{problem}/{fixture.GetProperty("optimizer").GetProperty("id").GetString()}/{fixture.GetProperty("dtype").GetString()}/{fixture.GetProperty("source").GetString()}";
        var p = OptimFixtures.Doubles(fixture.GetProperty("p0")).Select(T.CreateChecked).ToArray();
        var g = new T[p.Length];
        var rates = OptimFixtures.Doubles(fixture.GetProperty("rates"));
        var expected = OptimFixtures.Rows(fixture.GetProperty("trajectory"));
        var opt = Create<T>(fixture.GetProperty("optimizer"));
        var actual = new double[p.Length];
        for (int k = 0; k < rates.Length; k++)
        {
            Gradient<T>(problem, fixture, k, p, g);
            opt.Step(p, g, rates[k]);
            for (int i = 0; i < p.Length; i++) actual[i] = double.CreateChecked(p[i]);
            OptimFixtures.AssertClose(expected[k], actual, rtol, atol, $"{label} step {k + 1}");
        }
    }

    public static TheoryData<string, string> Cases()
    {
        using var doc = OptimFixtures.Load("steps.json");
        var data = new TheoryData<string, string>();
        var seen = new HashSet<string>();
        foreach (var f in doc.RootElement.GetProperty("problems").EnumerateArray())
        {
            string key = $"{f.GetProperty("problem").GetString()}|{f.GetProperty("optimizer").GetProperty("id").GetString()}";
            if (seen.Add(key)) data.Add(f.GetProperty("problem").GetString()!, f.GetProperty("optimizer").GetProperty("id").GetString()!);
        }
        return data;
    }

    private static IEnumerable<JsonElement> Matching(JsonDocument doc, string problem, string id)
        => doc.RootElement.GetProperty("problems").EnumerateArray()
            .Where(f => f.GetProperty("problem").GetString() == problem && f.GetProperty("optimizer").GetProperty("id").GetString() == id);

    [Theory]
    [MemberData(nameof(Cases))]
    public void Float64MatchesSklearnExactly(string problem, string optimizer)
    {
        using var doc = OptimFixtures.Load("steps.json");
        int n = 0;
        foreach (var f in Matching(doc, problem, optimizer).Where(f => f.GetProperty("dtype").GetString() == "float64" && f.GetProperty("source").GetString()!.StartsWith("sklearn", StringComparison.Ordinal)))
        {
            RunTrajectory<double>(f, 1e-12, 1e-300);
            n++;
        }
        Assert.True(n >= 1);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Float32MatchesSklearn(string problem, string optimizer)
    {
        using var doc = OptimFixtures.Load("steps.json");
        int n = 0;
        foreach (var f in Matching(doc, problem, optimizer).Where(f => f.GetProperty("dtype").GetString() == "float32"))
        {
            RunTrajectory<float>(f, 1e-5, 1e-30);
            n++;
        }
        Assert.Equal(1, n);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Float64MatchesTorchWhereConventionsAgree(string problem, string optimizer)
    {
        using var doc = OptimFixtures.Load("steps.json");
        foreach (var f in Matching(doc, problem, optimizer).Where(f => f.GetProperty("source").GetString()!.StartsWith("torch", StringComparison.Ordinal)))
            RunTrajectory<double>(f, 1e-12, 1e-15);
    }

    [Fact]
    public void AdamDiffersFromTorchOnlyThroughEpsilonPlacement()
    {
        // Documented difference: sklearn adds ε to √v, PyTorch to √v/√(1−β2^t). With tiny gradients the first step shows it.
        var p = new double[] { 0 };
        var g = new double[] { 1e-9 };
        var adam = new Adam<double>();
        adam.Step(p, g, 1e-3);
        // sklearn: lr_t = lr·√(1−β2)/(1−β1); m = 0.1g; v = 0.001g²  ⇒  Δ = −lr_t·m/(√v + ε)
        double lrT = 1e-3 * Math.Sqrt(1 - 0.999) / (1 - 0.9);
        Assert.Equal(-lrT * (0.1 * 1e-9) / (Math.Sqrt(0.001 * 1e-18) + 1e-8), p[0], 1e-18);
        // PyTorch would give −lr·1e-9/(1e-9 + 1e-8) ≈ −9.09e-5: clearly different.
        Assert.True(Math.Abs(p[0] - (-1e-3 * 1e-9 / (1e-9 + 1e-8))) > 1e-6);
        Assert.Equal(lrT, adam.LastEffectiveLearningRate, 1e-15);
        Assert.Equal(1, adam.TimeStep);
    }

    [Fact]
    public void LengthMismatchThrowsArgumentException()
    {
        foreach (var opt in new IStepOptimizer<double>[] { new GradientDescent<double>(), new Momentum<double>(), new Momentum<double>(0.9, true), new Adam<double>() })
        {
            Assert.Throws<ArgumentException>(() => opt.Step(new double[3], new double[2], 0.1));
            opt.Step(new double[3], new double[3], 0.1);
            if (opt is not GradientDescent<double>)
                Assert.Throws<ArgumentException>(() => opt.Step(new double[4], new double[4], 0.1));
            opt.Reset();
            opt.Step(new double[4], new double[4], 0.1);   // after Reset another size is fine
            Assert.Throws<ArgumentOutOfRangeException>(() => opt.Step(new double[4], new double[4], double.NaN));
        }
    }

    [Fact]
    public void ResetForgetsState()
    {
        foreach (var make in new Func<IStepOptimizer<double>>[] { () => new Momentum<double>(0.9), () => new Momentum<double>(0.9, true), () => new Adam<double>() })
        {
            var a = make();
            var b = make();
            var pa = new double[] { 1, 2 };
            var pb = new double[] { 1, 2 };
            a.Step(pa, new double[] { 5, -3 }, 0.1);
            a.Reset();
            pa = [1, 2];
            a.Step(pa, new double[] { 0.5, 0.25 }, 0.1);
            b.Step(pb, new double[] { 0.5, 0.25 }, 0.1);
            Assert.Equal(pb, pa);
        }
    }

    [Fact]
    public void NoAllocationAfterFirstStep()
    {
        var p = new float[1000];
        var g = Enumerable.Range(0, 1000).Select(i => (float)Math.Sin(i)).ToArray();
        foreach (var opt in new IStepOptimizer<float>[] { new GradientDescent<float>(), new Momentum<float>(), new Momentum<float>(0.9, true), new Adam<float>() })
        {
            opt.Step(p, g, 0.01);
            opt.Step(p, g, 0.01);
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int k = 0; k < 100; k++) opt.Step(p, g, 0.01);
            Assert.Equal(before, GC.GetAllocatedBytesForCurrentThread());
            opt.Reset();
            opt.Step(p, g, 0.01);
            before = GC.GetAllocatedBytesForCurrentThread();
            opt.Step(p, g, 0.01);
            Assert.Equal(before, GC.GetAllocatedBytesForCurrentThread());
        }
    }
}
