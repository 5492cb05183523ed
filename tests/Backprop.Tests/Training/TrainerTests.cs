using Backprop.Data.Builtin;
using Backprop.Initialization;
using Backprop.Layers;
using Backprop.Models;
using Backprop.Networks;
using Backprop.Numerics;
using Backprop.Training;

namespace Backprop.Tests.Training;

public class TrainerTests
{
    private static readonly Lazy<BuiltinSet> Digits = new(() => BuiltinData.Load("digits"));

    [Fact]
    public void FmincgTrainsTheEx4NetworkOnTheDigits()
    {
        // The ex4 recipe on the 8x8 digits: 64-25-10 sigmoid, uniform ±0.12, λ = 1, 50 CG iterations.
        var clf = new MlpClassifier
        {
            HiddenLayers = [25], Hidden = Activation.Sigmoid, Output = Activation.Sigmoid, Precision = Precision.Float64,
            Initializer = Initializer.Ex4(), Seed = 1, Scaling = Scaling.MinMax,
            Training = new TrainingOptions { Optimizer = OptimizerKind.ConjugateGradient, Epochs = 50, Lambda = 1 },
        };
        clf.Fit(Digits.Value.Train);
        Assert.True(clf.Score(Digits.Value.Train) >= 0.95, $"training accuracy {clf.Score(Digits.Value.Train):P2}");
        Assert.Equal(50, clf.History.Count);
        Assert.True(clf.History[^1].Cost < clf.History[0].Cost / 3, "cost falls");
    }

    [Fact]
    public void TncTrainsTheEx4NetworkWithinItsEvaluationBudget()
    {
        // The seed-000 recipe on the 8x8 digits: 64-25-10 sigmoid, uniform ±0.125, λ = 0, TNC with maxfun = 250 (= Epochs).
        var clf = new MlpClassifier
        {
            HiddenLayers = [25], Hidden = Activation.Sigmoid, Output = Activation.Sigmoid, Precision = Precision.Float64,
            Initializer = Initializer.Uniform(0.125), Seed = 1, Scaling = Scaling.MinMax,
            Training = new TrainingOptions { Optimizer = OptimizerKind.TruncatedNewton, Epochs = 250, Lambda = 0 },
        };
        clf.Fit(Digits.Value.Train);
        Assert.Contains("250 function evaluations", clf.Result!.StopReason, StringComparison.Ordinal);
        Assert.InRange(clf.History.Count, 5, 249);   // one record per Newton iteration, each several evaluations
        Assert.True(clf.History[^1].Cost < 0.1 * clf.History[0].Cost, $"cost {clf.History[0].Cost} → {clf.History[^1].Cost}");
        Assert.True(clf.Score(Digits.Value.Train) >= 0.97, $"training accuracy {clf.Score(Digits.Value.Train):P2}");
    }

    [Theory]
    [InlineData(OptimizerKind.GradientDescent, 0.5)]
    [InlineData(OptimizerKind.Sgd, 0.1)]
    [InlineData(OptimizerKind.Momentum, 0.05)]
    [InlineData(OptimizerKind.Nesterov, 0.05)]
    [InlineData(OptimizerKind.Adam, 0.01)]
    [InlineData(OptimizerKind.Lbfgs, 1)]
    [InlineData(OptimizerKind.ConjugateGradient, 1)]
    public void EveryOptimizerLowersTheCostAndLearns(OptimizerKind kind, double lr)
    {
        var clf = new MlpClassifier
        {
            HiddenLayers = [16], Hidden = Activation.Tanh, Seed = 2,
            Training = new TrainingOptions { Optimizer = kind, Epochs = 15, LearningRate = lr, BatchSize = 64, Lambda = 0.1, Seed = 3 },
            ValidationFraction = 0.2,
        };
        clf.Fit(Digits.Value.Train);
        Assert.True(clf.History[^1].Cost < clf.History[0].Cost, $"{kind}: cost {clf.History[0].Cost} → {clf.History[^1].Cost}");
        Assert.True(clf.History[^1].ValidAccuracy > 0.8, $"{kind}: validation accuracy {clf.History[^1].ValidAccuracy:P1}");
        Assert.All(clf.History, e => Assert.NotNull(e.TrainAccuracy));
    }

    [Fact]
    public void SameSeedsReproduceARunExactly()
    {
        double[] Run() => new MlpClassifier
        {
            HiddenLayers = [10], Seed = 4, Precision = Precision.Float64,
            Training = new TrainingOptions { Optimizer = OptimizerKind.Adam, Epochs = 3, BatchSize = 50, LearningRate = 0.01, Seed = 9 },
        }.Fit(Digits.Value.Train).Model!.ParametersAsDoubles();
        Assert.Equal(Run(), Run());
    }

    [Fact]
    public void ADivergingRunStopsWithAClearMessageAndFiniteParameters()
    {
        var spec = NetworkSpec.Create([64, 10, 10], Activation.Relu, Activation.Identity);
        var net = new Network<double>(spec);
        Initializer.He().Initialize(net, 0);
        var d = Digits.Value.Train;
        var x = Matrix<double>.FromDoubles(d.Count, d.FeatureCount, d.Features); // unscaled 0..16
        var trainer = new Trainer<double>(net, new TrainingOptions { Optimizer = OptimizerKind.Sgd, LearningRate = 50, Epochs = 20, BatchSize = 32 });
        var e = Assert.Throws<TrainingDivergedException>(() => trainer.Fit(x, d.Labels));
        Assert.Contains("diverged", e.Message);
        Assert.Contains("Lower the learning rate", e.Message);
        Assert.All(net.Parameters, p => Assert.True(double.IsFinite(p)));
    }

    [Fact]
    public void ACostThatGrowsByOrdersOfMagnitudeStopsTheRunWithTheInitialWeightsKept()
    {
        // Softmax cross-entropy stays finite however large the logits grow: only the growth over the first cost shows the divergence.
        var spec = NetworkSpec.Create([64, 16, 10], Activation.Relu, Activation.Softmax);
        var net = new Network<double>(spec);
        Initializer.He().Initialize(net, 0);
        var initial = (double[])net.Parameters.Clone();
        var d = Digits.Value.Train;
        var x = Matrix<double>.FromDoubles(d.Count, d.FeatureCount, d.Features);
        var trainer = new Trainer<double>(net, new TrainingOptions { Optimizer = OptimizerKind.Adam, LearningRate = 1e9, Epochs = 5, BatchSize = 100 });
        var e = Assert.Throws<TrainingDivergedException>(() => trainer.Fit(x, d.Labels));
        Assert.Contains("Training diverged in epoch 1: the cost", e.Message);
        Assert.Contains("more than 1000 times the initial", e.Message);
        Assert.Contains("restored to the initial ones. Lower the learning rate (now 1E+09)", e.Message);
        Assert.Equal(initial, net.Parameters);
    }

    [Fact]
    public void EarlyStoppingKeepsTheBestValidationWeights()
    {
        int calls = 0;
        var clf = new MlpClassifier
        {
            HiddenLayers = [32], Seed = 1, ValidationFraction = 0.25,
            Training = new TrainingOptions { Optimizer = OptimizerKind.Adam, Epochs = 200, LearningRate = 0.01, EarlyStoppingPatience = 3 },
            EpochEnded = _ => { calls++; return true; },
        };
        clf.Fit(Digits.Value.Train);
        Assert.True(clf.History.Count < 200, "stopped early");
        Assert.Equal(calls, clf.History.Count);
        Assert.StartsWith("early stopping", clf.Result!.StopReason);
        double best = clf.History.Max(e => e.ValidAccuracy!.Value);
        var (_, valid) = Backprop.Data.Preprocessing.Splits.Stratified(Digits.Value.Train, 0.25, 1);
        Assert.Equal(best, clf.Score(valid), 10);
    }

    [Fact]
    public void TheCallbackCanStopTraining()
    {
        var clf = new MlpClassifier
        {
            HiddenLayers = [8], Training = new TrainingOptions { Epochs = 50 },
            EpochEnded = e => e.Epoch < 4,
        };
        clf.Fit(Digits.Value.Train);
        Assert.Equal(4, clf.History.Count);
    }

    [Fact]
    public void BadOptionsAreRejectedBeforeTraining()
    {
        var net = new Network<double>(NetworkSpec.Create([2, 2]));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Trainer<double>(net, new TrainingOptions { Epochs = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Trainer<double>(net, new TrainingOptions { LearningRate = -1 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Trainer<double>(net, new TrainingOptions { Lambda = double.NaN }));
        var t = new Trainer<double>(net, new TrainingOptions());
        Assert.Throws<ArgumentException>(() => t.Fit(new Matrix<double>(3, 2), [0, 1]));
        Assert.Throws<ArgumentOutOfRangeException>(() => t.Fit(new Matrix<double>(2, 2), [0, 5]));
    }

    [Fact]
    public void TrainAccuracyOnASampleMeasuresThoseRowsAndLeavesTrainingAlone()
    {
        var data = Digits.Value.Train;
        MlpClassifier Fit(TrainingOptions t)
        {
            var clf = new MlpClassifier { HiddenLayers = [16], Hidden = Activation.Relu, Seed = 3, Scaling = Scaling.MinMax, Training = t };
            clf.Fit(data);
            return clf;
        }
        var options = new TrainingOptions { Optimizer = OptimizerKind.Adam, Epochs = 3, BatchSize = 50, LearningRate = 0.01 };
        var all = Fit(options);
        var sampled = Fit(options with { TrainAccuracyRows = 200 });
        var off = Fit(options with { TrackTrainAccuracy = false });

        Assert.Equal(all.Model!.ParametersAsDoubles(), sampled.Model!.ParametersAsDoubles());
        Assert.Equal(all.Model!.ParametersAsDoubles(), off.Model!.ParametersAsDoubles());
        Assert.All(off.History, e => Assert.Null(e.TrainAccuracy));
        Assert.Contains("train-accuracy=200 rows", sampled.Training.ToString(), StringComparison.Ordinal);

        // The sample: NumPy's RandomState(seed + 4).permutation(n)[:200], scored by the final network.
        var rows = new NumPyRandom((uint)options.Seed + 4).Permutation(data.Count)[..200];
        Assert.Equal(sampled.Score(data.Subset(rows, "sample")), sampled.History[^1].TrainAccuracy!.Value, 12);
        Assert.NotEqual(all.History[^1].TrainAccuracy, sampled.History[^1].TrainAccuracy);
    }
}
