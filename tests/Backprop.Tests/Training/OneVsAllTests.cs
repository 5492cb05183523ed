using Backprop.Data.Builtin;
using Backprop.Layers;
using Backprop.Networks;
using Backprop.Numerics;
using Backprop.Training;

namespace Backprop.Tests.Training;

/// <summary>One-vs-all against scikit-learn's one-vs-rest logistic regression (Fixtures/optim/make_one_vs_all_fixture.py).</summary>
public class OneVsAllTests
{
    [Fact]
    public void ConvergesToScikitLearnsOneVsRestLogisticRegression()
    {
        var f = Fixture.Json("optim", "one_vs_all.json");
        int m = f.GetProperty("samples").GetInt32();
        var digits = BuiltinData.Load("digits").Train;
        var x = new Matrix<double>(m, 64);
        for (int i = 0; i < m; i++)
            for (int j = 0; j < 64; j++) x[i, j] = digits.Sample(i)[j] / 16.0;
        var labels = digits.Labels[..m];
        var network = new Network<double>(NetworkSpec.Create([64, 10], Activation.Sigmoid, Activation.Sigmoid));
        var options = new TrainingOptions { Optimizer = OptimizerKind.ConjugateGradient, Epochs = 2000, BatchSize = 0, Lambda = f.GetProperty("lambda").GetDouble(), Shuffle = false };
        var result = OneVsAll.Fit(network, x, labels, options);

        // The same minimum: the summed cost to 1e-7 (relative); the weights to 1e-2 (the cost is flat near it).
        Fixture.AssertClose(f.GetProperty("cost").GetDouble(), result.FinalCost, 1e-7, "summed one-vs-all cost");
        var theta = MatlabTheta.Export(network.Layers[0]);
        var coef = f.GetProperty("coef");
        var intercept = f.GetProperty("intercept").Doubles();
        for (int k = 0; k < 10; k++)
        {
            Assert.Equal(intercept[k], theta[k, 0], 1e-2);
            var w = coef[k].Doubles();
            for (int j = 0; j < 64; j++) Assert.Equal(w[j], theta[k, j + 1], 1e-2);
        }
        Assert.Equal(f.GetProperty("predictions").Ints(), network.Predict(x));
        // The summed cost of the K classifiers is the cost of the assembled network.
        var targets = Targets.OneHot<double>(labels, 10);
        Assert.Equal(network.Cost(x, targets, options.Lambda), result.FinalCost, 1e-9);
    }

    [Fact]
    public void RefusesANetworkWithAHiddenLayer()
    {
        var network = new Network<double>(NetworkSpec.Create([4, 3, 2], Activation.Sigmoid, Activation.Sigmoid));
        Assert.Throws<ArgumentException>(() => OneVsAll.Fit(network, new Matrix<double>(2, 4), [0, 1], new TrainingOptions()));
    }
}
