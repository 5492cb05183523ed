using System.Numerics;
using Backprop.Layers;
using Backprop.Losses;
using Backprop.Networks;
using Backprop.Numerics;

namespace Backprop.Tests.Networks;

/// <summary>Network.cs: forward → loss → backward → gradient, under both GEMM providers, and the thread-count independence of the split loss.</summary>
[Collection(KernelSettingsCollection.Name)]
public sealed class NetworkTests
{
    private static (Network<double> Net, Matrix<double> X, Matrix<double> Y) Small(Activation hidden, Activation output, int seed)
    {
        var random = new NumPyRandom((uint)seed);
        var net = new Network<double>(NetworkSpec.Create([5, 4, 3], hidden, output));
        Backprop.Initialization.Initializer.Uniform(0.8).Initialize(net, random);
        var values = new double[7 * 5];
        random.Rand(values);
        var labels = Enumerable.Range(0, 7).Select(i => (int)random.RandInt(3)).ToArray();
        return (net, Matrix<double>.FromDoubles(7, 5, values), Targets.OneHot<double>(labels, 3));
    }

    [Theory]
    [InlineData(Activation.Sigmoid, Activation.Sigmoid)]
    [InlineData(Activation.Tanh, Activation.Softmax)]
    [InlineData(Activation.Relu, Activation.Identity)]
    public void ReferenceAndManagedProvidersGiveTheSameCostAndGradient(Activation hidden, Activation output)
    {
        var (net, x, y) = Small(hidden, output, 6);
        double managed = 0, reference = 0;
        double[] managedGradient = [], referenceGradient = [];
        Providers.Under("managed", () => { managed = net.CostAndGradient(x, y, 0.3); managedGradient = (double[])net.Gradient.Clone(); });
        Providers.Under("reference", () => { reference = net.CostAndGradient(x, y, 0.3); referenceGradient = (double[])net.Gradient.Clone(); });
        Assert.Equal(managed, reference, 1e-13);
        for (int i = 0; i < managedGradient.Length; i++) Assert.Equal(managedGradient[i], referenceGradient[i], 1e-13);
    }

    [Fact]
    public void CostEqualsTheCostOfCostAndGradientAndTheMeanLossPlusThePenalty()
    {
        var (net, x, y) = Small(Activation.Tanh, Activation.Softmax, 2);
        double cost = net.Cost(x, y, 0.5);
        Assert.Equal(cost, net.CostAndGradient(x, y, 0.5));
        var a = net.PredictProba(x);
        double loss = 0;
        for (int r = 0; r < x.Rows; r++)
        {
            var z = new double[3];
            for (int j = 0; j < 3; j++) z[j] = Math.Log(a[r, j]);   // softmax is shift-invariant: log a serves as z
            loss += SoftmaxCrossEntropy.Value<double>(z, y.Row(r));
        }
        Assert.Equal(loss / x.Rows + 0.5 / (2.0 * x.Rows) * net.SquaredWeights(), cost, 1e-12);
    }

    [Fact]
    public void PredictTakesTheLargestOutput()
    {
        var (net, x, _) = Small(Activation.Sigmoid, Activation.Softmax, 9);
        var probabilities = net.PredictProba(x);
        var labels = net.Predict(x);
        for (int r = 0; r < x.Rows; r++)
            Assert.Equal(Enumerable.Range(0, 3).MaxBy(j => probabilities[r, j]), labels[r]);
    }

    [Theory]
    [InlineData(Activation.Sigmoid, Activation.Sigmoid)]
    [InlineData(Activation.Relu, Activation.Softmax)]
    public void CostAndGradientOfALargeBatchDoNotDependOnTheThreadCount(Activation hidden, Activation output)
    {
        Check<float>(hidden, output, 1e-6);
        Check<double>(hidden, output, 1e-13);

        static void Check<T>(Activation hidden, Activation output, double tolerance) where T : unmanaged, IFloatingPointIeee754<T>
        {
            // 2001 x 10 outputs = 20010 elements: above the split threshold, an odd number of rows.
            int m = 2001;
            Assert.True(m * 10 >= Backprop.Networks.Network<T>.SplitLossElements);
            var random = new Backprop.Numerics.NumPyRandom(3u);
            var spec = Backprop.Networks.NetworkSpec.Create([20, 7, 10], hidden, output);
            var net = new Backprop.Networks.Network<T>(spec);
            Backprop.Initialization.Initializer.Uniform(0.5).Initialize(net, random);
            var values = new double[m * 20];
            random.Rand(values);
            var x = Backprop.Numerics.Matrix<T>.FromDoubles(m, 20, values);
            var labels = Enumerable.Range(0, m).Select(i => (int)random.RandInt(10)).ToArray();
            var y = Backprop.Networks.Targets.OneHot<T>(labels, 10);
            int saved = Backprop.Numerics.Parallelism.MaxThreads;
            try
            {
                Backprop.Numerics.Parallelism.MaxThreads = 1;
                double c1 = net.CostAndGradient(x, y, 0.5);
                var g1 = (T[])net.Gradient.Clone();
                Backprop.Numerics.Parallelism.MaxThreads = 2;
                double c2 = net.CostAndGradient(x, y, 0.5);
                Assert.Equal(c1, c2);
                Assert.Equal(g1, net.Gradient);
                // The split sum equals the loss summed row by row over the whole batch.
                var z = new Backprop.Numerics.Matrix<T>(m, 10);
                var a = new Backprop.Numerics.Matrix<T>(m, 10);
                var h = new Backprop.Numerics.Matrix<T>(m, 7);
                net.Layers[0].Forward(x, h, h);
                net.Layers[1].Forward(h, z, a);
                double whole = 0;
                for (int r = 0; r < m; r++) whole += LossFunctions.Value<T>(output, LossFunctions.DefaultFor(output), z.Row(r), a.Row(r), y.Row(r));
                double expected = whole / m + 0.5 / (2.0 * m) * net.SquaredWeights();
                Assert.Equal(expected, c1, tolerance * Math.Max(1, Math.Abs(expected)));
            }
            finally { Backprop.Numerics.Parallelism.MaxThreads = saved; }
        }
    }
}
