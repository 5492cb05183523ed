using Backprop.Layers;
using Backprop.Losses;
using Backprop.Networks;
using Backprop.Numerics;
using Backprop.Verification;

namespace Backprop.Tests.Scenarios;

[Collection(KernelSettingsCollection.Name)]
public class Ex4ArithmeticTests
{
    [Fact]
    public void DebugNetworkGradientStartsWithThePublishedValues()
    {
        var p = DebugNetwork.Create();
        Assert.Equal([1, 2, 0, 1, 2], p.Labels);
        p.Network.CostAndGradient(p.X, p.Targets, 0);
        var unrolled = MatlabTheta.ToUnrolledOrder<double>(p.Network.Spec, p.Network.Gradient);
        for (int i = 0; i < 5; i++)
            Assert.Equal(DebugNetwork.PublishedGradient[i], Math.Round(unrolled[i], 7));
    }

    [Theory]
    [InlineData(0.0, "managed")]
    [InlineData(3.0, "managed")]
    [InlineData(0.0, "reference")]
    [InlineData(3.0, "reference")]
    public void DebugNetworkGradientCheckIsBelow1e9(double lambda, string provider) => Providers.Under(provider, () =>
    {
        var p = DebugNetwork.Create();
        var result = GradientCheck.Run(p.Network, p.X, p.Targets, lambda);
        Assert.True(result.RelativeDifference < 1e-9, $"relative difference {result.RelativeDifference:E3}");
        Assert.Equal(38, result.Parameters);
        Assert.Equal(2, result.Layers.Count);
    });

    [Fact]
    public void DebugNetworkCostAtLambda3IsThePublishedValue()
    {
        // ex4.m: "Cost at (fixed) debugging parameters (w/ lambda = 3): 0.576051" — that line uses the
        // real ex4 data and weights, which are not here; the debug network's own cost checks the arithmetic
        // against the per-example loop instead.
        var p = DebugNetwork.Create();
        double cost = p.Network.Cost(p.X, p.Targets, 3);
        var (refCost, _) = ReferenceBackprop.CostAndGradient(p.Network, p.X, p.Targets, 3);
        Fixture.AssertClose(refCost, cost, 1e-14, "debug cost");
    }

    [Fact]
    public void MazurWorkedExample()
    {
        // Matt Mazur, "A Step by Step Backpropagation Example": 2-2-2 sigmoid, squared error ½Σ(t−o)².
        var spec = NetworkSpec.Create([2, 2, 2], Activation.Sigmoid, Activation.Sigmoid, Loss.SquaredError);
        var net = new Network<double>(spec, [0.15, 0.20, 0.25, 0.30, 0.35, 0.35, 0.40, 0.45, 0.50, 0.55, 0.60, 0.60]);
        var x = Matrix<double>.FromRows(new double[,] { { 0.05, 0.10 } });
        var y = Matrix<double>.FromRows(new double[,] { { 0.01, 0.99 } });
        double cost = net.CostAndGradient(x, y);
        Assert.Equal(0.298371109, Math.Round(cost, 9));
        // One step with η = 0.5, biases held (as in the article).
        Assert.Equal(0.35891648, Math.Round(0.40 - 0.5 * net.Gradient[6], 8));
        Assert.Equal(0.149780716, Math.Round(0.15 - 0.5 * net.Gradient[0], 9));
        Assert.Equal(0.511301270, Math.Round(0.50 - 0.5 * net.Gradient[8], 9));
    }

    [Fact]
    public void ThetaExportImportAndUnrolledOrderRoundTrip()
    {
        var p = DebugNetwork.Create();
        var thetas = MatlabTheta.Export(p.Network);
        Assert.Equal((5, 4), (thetas[0].Rows, thetas[0].Cols));
        Assert.Equal(Math.Sin(1) / 10, thetas[0][0, 0]);
        Assert.Equal(Math.Sin(2) / 10, thetas[0][1, 0]); // column-major fill
        Assert.Equal(Math.Sin(6) / 10, thetas[0][0, 1]);
        var unrolled = MatlabTheta.Unroll(p.Network);
        for (int k = 0; k < 20; k++) Assert.Equal(Math.Sin(k + 1) / 10, unrolled[k]);
        for (int k = 0; k < 18; k++) Assert.Equal(Math.Sin(k + 1) / 10, unrolled[20 + k]);
        var copy = new Network<double>(p.Network.Spec);
        MatlabTheta.Roll(copy, unrolled);
        Assert.Equal(p.Network.Parameters, copy.Parameters);
    }

    [Fact]
    public void ThetasThatDoNotChainAreRejectedWithTheirShapes()
    {
        var e = Assert.Throws<ArgumentException>(() => MatlabTheta.ToNetwork([new Matrix<double>(25, 401), new Matrix<double>(10, 25)]));
        Assert.Contains("Theta2 is 10x25", e.Message);
        Assert.Contains("26 columns", e.Message);
    }

    [Fact]
    public void BadInputsNameWhatWasExpected()
    {
        var net = new Network<double>(NetworkSpec.Create([3, 4, 2]));
        var x = new Matrix<double>(5, 4);
        Assert.Contains("takes 3 input features; the data has 4", Assert.Throws<ArgumentException>(() => net.Predict(x)).Message);
        var good = new Matrix<double>(5, 3);
        Assert.Contains("Targets must be 5x2", Assert.Throws<ArgumentException>(() => net.Cost(good, new Matrix<double>(5, 3))).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => net.Cost(good, new Matrix<double>(5, 2), -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => Targets.OneHot<double>([0, 2], 2));
        Assert.Throws<ArgumentException>(() => NetworkSpec.Create([3, 4, 2], Activation.Relu, Activation.Relu, Loss.CrossEntropy));
        Assert.Throws<ArgumentException>(() => NetworkSpec.Create([3, 0, 2]));
    }

    [Fact]
    public void SoftmaxAndSigmoidCostsStayFiniteForHugeLogits()
    {
        foreach (var output in new[] { Activation.Sigmoid, Activation.Softmax })
        {
            var net = new Network<double>(NetworkSpec.Create([1, 2], output: output), [1000, -1000, 0, 0]);
            var x = Matrix<double>.FromRows(new double[,] { { 1 } });
            var y = Targets.OneHot<double>([1], 2);
            double cost = net.CostAndGradient(x, y);
            Assert.True(double.IsFinite(cost), $"{output}: cost {cost}");
            Assert.True(cost > 999, $"{output}: cost {cost}");
            Assert.All(net.Gradient, g => Assert.True(double.IsFinite(g)));
        }
    }

    [Fact]
    public void TrainingStepAllocatesNothingOnceWarm()
    {
        var net = new Network<float>(NetworkSpec.Create([20, 16, 4], Activation.Relu, Activation.Softmax));
        var x = new Matrix<float>(32, 20);
        var y = Targets.OneHot<float>(new int[32], 4);
        net.CostAndGradient(x, y, 0.1);
        net.CostAndGradient(x, y, 0.1);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 10; i++) net.CostAndGradient(x, y, 0.1);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
