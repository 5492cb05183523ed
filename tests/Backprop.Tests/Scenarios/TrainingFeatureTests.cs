using Backprop.Data.Builtin;
using Backprop.Data.Preprocessing;
using Backprop.Evaluation;
using Backprop.Layers;
using Backprop.Models;
using Backprop.Networks;
using Backprop.Numerics;
using Backprop.Training;
using Backprop.Training.Schedules;

namespace Backprop.Tests.Scenarios;

/// <summary>Learning-rate decays and parameter averaging against PyTorch (Fixtures/engine/make_training_fixtures.py), and in the trainer.</summary>
public class TrainingFeatureTests
{
    private static readonly Lazy<BuiltinSet> Digits = new(() => BuiltinData.Load("digits"));

    [Fact]
    public void CosineStepAndExponentialDecayMatchPytorchsSchedulers()
    {
        foreach (var s in Fixture.Json("engine", "training.json").GetProperty("schedules").EnumerateArray())
        {
            var expected = s.GetProperty("rates").Doubles();
            double lr = s.GetProperty("lr").GetDouble();
            int epochs = s.GetProperty("epochs").GetInt32();
            var options = s.GetProperty("kind").GetString() == "cosine"
                ? new TrainingOptions { Schedule = ScheduleKind.Cosine, LearningRate = lr, MinLearningRate = s.GetProperty("min").GetDouble(), Epochs = epochs }
                : new TrainingOptions { Schedule = ScheduleKind.StepDecay, LearningRate = lr, DecayFactor = s.GetProperty("factor").GetDouble(), DecayEvery = s.GetProperty("every").GetInt32(), Epochs = epochs };
            options.Validate();
            var schedule = LearningRateSchedule.For(options);   // as the trainer steps it
            for (int e = 1; e <= epochs; e++)
            {
                Fixture.AssertClose(expected[e - 1], schedule.Rate, 1e-12, $"{s.GetProperty("kind")} lr={lr} epoch {e}");
                schedule.EpochEnded(e, 1.0);
            }
        }
    }

    [Fact]
    public void CosineStartsAtTheRateAndEndsNearTheMinimum()
    {
        Assert.Equal(0.01, new CosineSchedule(0.01, 0.001, 10).RateIn(1));
        Assert.Equal(0.001 + 0.009 * (1 + Math.Cos(Math.PI * 9 / 10)) / 2, new CosineSchedule(0.01, 0.001, 10).RateIn(10), 15);
        Assert.Throws<ArgumentOutOfRangeException>(() => new CosineSchedule(0.01, 0, 10).RateIn(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new TrainingOptions { LearningRate = 0.01, MinLearningRate = 0.02 }.Validate());
    }

    [Fact]
    public void EmaAndSwaMatchPytorchsAveragedModel()
    {
        var a = Fixture.Json("engine", "training.json").GetProperty("averaging");
        var sequence = a.GetProperty("sequence").EnumerateArray().Select(v => v.Doubles()).ToArray();
        var swaExpected = a.GetProperty("swa").EnumerateArray().Select(v => v.Doubles()).ToArray();
        var emaExpected = a.GetProperty("ema").EnumerateArray().Select(v => v.Doubles()).ToArray();
        var ema = ParameterAverage<double>.Ema(8, a.GetProperty("ema_decay").GetDouble());
        var swa = ParameterAverage<double>.Uniform(8);
        var emaF = ParameterAverage<float>.Ema(8, a.GetProperty("ema_decay").GetDouble());
        for (int k = 0; k < sequence.Length; k++)
        {
            ema.Update(sequence[k]);
            swa.Update(sequence[k]);
            emaF.Update(sequence[k].Select(v => (float)v).ToArray());
            Assert.Equal(k + 1, ema.Count);
            for (int i = 0; i < 8; i++)
            {
                Fixture.AssertClose(emaExpected[k][i], ema.Average[i], 1e-12, $"EMA update {k} [{i}]");
                Fixture.AssertClose(swaExpected[k][i], swa.Average[i], 1e-12, $"SWA update {k} [{i}]");
                Fixture.AssertClose(emaExpected[k][i], emaF.Average[i], 1e-5, $"EMA float32 update {k} [{i}]");
            }
        }
        // SWA is the plain mean of everything seen.
        for (int i = 0; i < 8; i++) Fixture.AssertClose(sequence.Average(v => v[i]), swa.Average[i], 1e-12, $"SWA mean [{i}]");
        Assert.Throws<ArgumentOutOfRangeException>(() => ParameterAverage<double>.Ema(8, 1.0));
        Assert.Throws<ArgumentException>(() => ema.Update(new double[7]));
    }

    /// <summary>Full-batch gradient descent makes one step per epoch, so the callback sees every iterate the average took in.</summary>
    [Theory]
    [InlineData(AveragingKind.Ema, 0.8, 0)]
    [InlineData(AveragingKind.Swa, 0, 4)]
    public void TheTrainerEndsWithTheAverageOfItsIterates(AveragingKind kind, double decay, int from)
    {
        var (x, labels, vx, vlabels) = DigitsMatrices();
        var spec = NetworkSpec.Create([64, 12, 10], Activation.Tanh, Activation.Softmax);
        var net = new Network<double>(spec);
        Backprop.Initialization.Initializer.DefaultFor(spec).Initialize(net, 3);
        var options = new TrainingOptions
        {
            Optimizer = OptimizerKind.GradientDescent, Epochs = 8, LearningRate = 0.5, Averaging = kind, AveragingDecay = decay, AverageFromEpoch = from,
        };
        var iterates = new List<double[]>();
        var trainer = new Trainer<double>(net, options) { EpochEnded = _ => { iterates.Add((double[])net.Parameters.Clone()); return true; } };
        var result = trainer.Fit(x, labels, vx, vlabels);

        Assert.Equal(8, iterates.Count);
        int start = options.AveragingStart;
        Assert.Equal(from == 0 ? 1 : from, start);
        double[] expected;
        if (kind == AveragingKind.Ema)
        {
            expected = (double[])iterates[start - 1].Clone();
            for (int k = start; k < iterates.Count; k++)
                for (int i = 0; i < expected.Length; i++)
                    expected[i] = decay * expected[i] + (1 - decay) * iterates[k][i];
        }
        else
            expected = Enumerable.Range(0, net.ParameterCount).Select(i => iterates.Skip(start - 1).Average(p => p[i])).ToArray();
        for (int i = 0; i < expected.Length; i++)
            Fixture.AssertClose(expected[i], net.Parameters[i], 1e-12, $"{kind} averaged parameter {i}");
        Assert.NotEqual(iterates[^1], net.Parameters);
        // The recorded accuracy is the averaged network's.
        Assert.Equal(Metrics.Accuracy(net.Predict(vx), vlabels), result.History[^1].ValidAccuracy);
    }

    [Fact]
    public void EarlyStoppingWithAveragingKeepsTheBestEpochsAverage()
    {
        var (x, labels, vx, vlabels) = DigitsMatrices();
        var spec = NetworkSpec.Create([64, 12, 10], Activation.Tanh, Activation.Softmax);
        var net = new Network<double>(spec);
        Backprop.Initialization.Initializer.DefaultFor(spec).Initialize(net, 5);
        var options = new TrainingOptions
        {
            Epochs = 12, BatchSize = 64, LearningRate = 0.05, Seed = 1, Averaging = AveragingKind.Ema, AveragingDecay = 0.8, EarlyStoppingPatience = 3,
        };
        var result = new Trainer<double>(net, options).Fit(x, labels, vx, vlabels);
        Assert.Equal(result.History.Max(e => e.ValidAccuracy), Metrics.Accuracy(net.Predict(vx), vlabels));
    }

    [Fact]
    public void EmaWithDecayZeroIsThePlainRun()
    {
        double[] Run(AveragingKind kind) => new MlpClassifier
        {
            HiddenLayers = [10], Seed = 4, Precision = Precision.Float64,
            Training = new TrainingOptions { Epochs = 3, BatchSize = 50, LearningRate = 0.01, Seed = 9, Averaging = kind, AveragingDecay = 0 },
        }.Fit(Digits.Value.Train).Model!.ParametersAsDoubles();
        Assert.Equal(Run(AveragingKind.None), Run(AveragingKind.Ema));
    }

    [Fact]
    public void DropoutTrainingIsReproducibleDiffersFromPlainTrainingAndLearns()
    {
        MlpClassifier Fit(double dropout, double input) => new MlpClassifier
        {
            HiddenLayers = [40], Seed = 4, ValidationFraction = 0.2,
            Training = new TrainingOptions
            {
                Epochs = 8, BatchSize = 32, LearningRate = 0.005, Seed = 9, Dropout = dropout, InputDropout = input,
                Schedule = ScheduleKind.Cosine, Averaging = AveragingKind.Ema, AveragingDecay = 0.9,
            },
        }.Fit(Digits.Value.Train);
        var a = Fit(0.3, 0.1);
        var b = Fit(0.3, 0.1);
        Assert.Equal(a.Model!.ParametersAsDoubles(), b.Model!.ParametersAsDoubles());
        Assert.NotEqual(a.Model.ParametersAsDoubles(), Fit(0, 0).Model!.ParametersAsDoubles());
        Assert.True(a.History[^1].Cost < a.History[0].Cost / 2, $"cost {a.History[0].Cost} → {a.History[^1].Cost}");
        Assert.True(a.History[^1].ValidAccuracy > 0.9, $"validation accuracy {a.History[^1].ValidAccuracy:P1}");
        Assert.Contains("dropout=0.3", a.Model.Metadata["training"]);
        Assert.Equal(a.History.Select(e => e.LearningRate), Enumerable.Range(1, 8).Select(new CosineSchedule(0.005, 0, 8).RateIn));
    }

    [Fact]
    public void AModelTrainedWithDropoutAndAveragingSavesAndLoads()
    {
        var clf = new MlpClassifier
        {
            HiddenLayers = [16], Seed = 1,
            Training = new TrainingOptions { Epochs = 2, BatchSize = 64, LearningRate = 0.01, Dropout = 0.2, Averaging = AveragingKind.Swa },
        }.Fit(Digits.Value.Train);
        using var dir = new Cli.TempDir();
        var path = dir.File("m.json");
        clf.Model!.Save(path);
        var loaded = Model.Load(path);
        Assert.Equal(clf.Model.ParametersAsDoubles(), loaded.ParametersAsDoubles());
        Assert.Equal(clf.Predict(Digits.Value.Train), loaded.Predict(Digits.Value.Train));
    }

    [Fact]
    public void OptionsRejectBadDropoutAndAveraging()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new TrainingOptions { Dropout = 1 }.Validate());
        Assert.Throws<ArgumentOutOfRangeException>(() => new TrainingOptions { InputDropout = -0.5 }.Validate());
        Assert.Throws<ArgumentOutOfRangeException>(() => new TrainingOptions { Averaging = AveragingKind.Ema, AveragingDecay = 1 }.Validate());
        Assert.Throws<ArgumentOutOfRangeException>(() => new TrainingOptions { Epochs = 5, AverageFromEpoch = 6 }.Validate());
        Assert.Contains("mini-batch", Assert.Throws<ArgumentException>(() => new TrainingOptions { Optimizer = OptimizerKind.Lbfgs, Dropout = 0.1 }.Validate()).Message);
        Assert.Equal((AveragingKind.Ema, 0.99, 0), TrainingOptions.ParseAveraging("ema:0.99"));
        Assert.Equal((AveragingKind.Swa, 0.999, 7), TrainingOptions.ParseAveraging("SWA:7"));
        Assert.Equal(AveragingKind.None, TrainingOptions.ParseAveraging("none").Kind);
        foreach (var bad in new[] { "ema:1.5", "swa:0", "polyak", "none:3", "ema:x" })
            Assert.Throws<ArgumentException>(() => TrainingOptions.ParseAveraging(bad));
        Assert.Equal(ScheduleKind.Cosine, TrainingOptions.ParseSchedule("cosine"));
        // SWA by default averages the last quarter of the epochs (at least the last one).
        Assert.Equal(10, new TrainingOptions { Epochs = 12, Averaging = AveragingKind.Swa }.AveragingStart);
        Assert.Equal(3, new TrainingOptions { Epochs = 3, Averaging = AveragingKind.Swa }.AveragingStart);
        Assert.Equal(1, new TrainingOptions { Epochs = 12, Averaging = AveragingKind.Ema }.AveragingStart);
    }

    private static (Matrix<double> X, int[] Labels, Matrix<double> VX, int[] VLabels) DigitsMatrices()
    {
        var (train, valid) = Splits.Stratified(Digits.Value.Train, 0.2, 0);
        var pre = Preprocessor.FitMinMax(train);
        Matrix<double> M(Backprop.Data.Dataset d)
        {
            var v = new double[d.Features.Length];
            pre.Apply(d.Features, v);
            return Matrix<double>.FromDoubles(d.Count, d.FeatureCount, v);
        }
        return (M(train), train.Labels, M(valid), valid.Labels);
    }
}
