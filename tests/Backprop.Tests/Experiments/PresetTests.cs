using Backprop.Experiments;
using Backprop.Initialization;
using Backprop.Layers;
using Backprop.Models;
using Backprop.Training;

namespace Backprop.Tests.Experiments;

/// <summary>
/// The presets reproduce their seeds: the first iterations of each are compared with the seed's own NumPy code
/// replayed by Fixtures/experiments/make_preset_fixtures.py (same data, split, scaling, initial weights,
/// update rule and regularization convention).
/// </summary>
public class PresetTests
{
    private static System.Text.Json.JsonElement Fixture(string name) => Tests.Fixture.Json("experiments", "presets.json").GetProperty(name);

    private static double[][] Rows(System.Text.Json.JsonElement e) => e.EnumerateArray().Select(r => r.Doubles()).ToArray();

    private static void AssertLayer(ExperimentResult r, int layer, double[][] w, double[] b, double tolerance, string what)
    {
        var net = r.Model.Network<double>();
        for (int j = 0; j < w.Length; j++)
            for (int i = 0; i < w[j].Length; i++)
                Tests.Fixture.AssertClose(w[j][i], net.Layers[layer].Weights[j, i], tolerance, $"{what} W{layer + 1}[{j},{i}]");
        for (int j = 0; j < b.Length; j++)
            Tests.Fixture.AssertClose(b[j], net.Layers[layer].Bias.Span[j], tolerance, $"{what} b{layer + 1}[{j}]");
    }

    [Theory]
    [InlineData("spiral")]
    [InlineData("flower")]
    public void PlanarPresetsFollowTheSeedCodeStepByStep(string name)
    {
        var f = Fixture(name);
        int iterations = f.GetProperty("iterations").GetInt32();
        var one = Presets.Get(name).WithEpochs(1);
        var initial = Experiment.Run(one with { Training = one.Training with { LearningRate = 1e-300 } });
        // With a vanishing step the weights are the initial NumPy draws.
        AssertLayer(initial, 0, Rows(f.GetProperty("W1_initial")), new double[Rows(f.GetProperty("W1_initial")).Length], 1e-12, name + " initial");
        AssertLayer(initial, 1, Rows(f.GetProperty("W2_initial")), new double[Rows(f.GetProperty("W2_initial")).Length], 1e-12, name + " initial");

        var r = Experiment.Run(Presets.Get(name).WithEpochs(iterations));
        var losses = f.GetProperty("losses").Doubles();
        Assert.Equal(iterations, r.History.Count);
        for (int i = 0; i < iterations; i++)
            Tests.Fixture.AssertClose(losses[i], r.History[i].Cost, 1e-10, $"{name} loss at iteration {i}");
        foreach (var a in f.GetProperty("accuracies").EnumerateArray())
        {
            int epoch = a[0].GetInt32();
            Assert.Equal(a[1].GetDouble(), r.History[epoch - 1].TrainAccuracy!.Value, 12);
        }
        AssertLayer(r, 0, Rows(f.GetProperty("W1_final")), f.GetProperty("b1_final").Doubles(), 1e-9, name);
        AssertLayer(r, 1, Rows(f.GetProperty("W2_final")), f.GetProperty("b2_final").Doubles(), 1e-9, name);
        Assert.True(r.History[^1].Cost < r.History[0].Cost, "the cost falls");
        Assert.Null(r.ValidAccuracy);
        Assert.Null(r.TestAccuracy);
    }

    [Fact]
    public void FlowerWeightsContinueTheGeneratorOfTheData()
    {
        var prepared = Experiment.Prepare(Presets.Flower);
        Assert.Equal(Backprop.Data.Builtin.BuiltinData.Load("flower").Train.Features, prepared.Train.Features);
        // Another seed makes other data and other weights, as the notebook's np.random.seed at the top would.
        var other = Experiment.Prepare(Presets.Flower.WithSeed(5));
        Assert.NotEqual(prepared.Train.Features, other.Train.Features);
        Assert.Throws<ArgumentException>(() => Experiment.Prepare(Presets.Flower with { Data = "digits" }));
    }

    [Fact]
    public void RaschkaPresetFirstEpochEqualsNeuralNetMLP()
    {
        var f = Fixture("raschka");
        var prepared = Experiment.Prepare(Presets.Raschka.WithEpochs(1));
        Assert.Equal(55000, prepared.Train.Count);
        Assert.Equal(5000, prepared.Valid!.Count);
        Assert.Equal(10000, prepared.Test!.Count);
        Assert.Equal("784-100-10 sigmoid/sigmoid cross-entropy", prepared.Spec.ToString().Split(',')[0].Trim());
        var r = prepared.Run();
        // Everything after one epoch of 550 mini-batches: data, split, [-1, 1] scaling, normal(0, 0.1) draws,
        // the shared generator's shuffle of np.arange each epoch, and W -= eta (Σ g + l2 W).
        Assert.Equal(f.GetProperty("train_accuracy").GetDouble(), r.TrainAccuracy, 12);
        Assert.Equal(f.GetProperty("valid_accuracy").GetDouble(), r.ValidAccuracy!.Value, 12);
        // The book's own cost (NeuralNetMLP._compute_cost: Σ cross-entropy + l2·Σw²) beside our mean one.
        Tests.Fixture.AssertClose(f.GetProperty("summed_cost").GetDouble(), r.SeedCost!.Value, 1e-9, "Raschka's summed cost");
        Assert.Equal(r.SeedCost, r.Figure("seed_cost"));
        var net = r.Model.Network<double>();
        var w1 = Rows(f.GetProperty("W1_rows"));
        for (int j = 0; j < w1.Length; j++)
            for (int i = 0; i < w1[j].Length; i++)
                Tests.Fixture.AssertClose(w1[j][i], net.Layers[0].Weights[j, i], 1e-9, $"W1[{j},{i}]");
        double sum = 0, sumsq = 0;
        foreach (var v in net.Layers[0].Weights.Span) { sum += v; sumsq += v * v; }
        Tests.Fixture.AssertClose(f.GetProperty("W1_sum").GetDouble(), sum, 1e-9, "ΣW1");
        Tests.Fixture.AssertClose(f.GetProperty("W1_sumsq").GetDouble(), sumsq, 1e-9, "ΣW1²");
        AssertLayer(r, 1, Rows(f.GetProperty("W2")), f.GetProperty("b2").Doubles(), 1e-9, "raschka");
        var b1 = f.GetProperty("b1").Doubles();
        for (int j = 0; j < b1.Length; j++) Tests.Fixture.AssertClose(b1[j], net.Layers[0].Bias.Span[j], 1e-9, $"b1[{j}]");
        Assert.NotNull(r.TestAccuracy);
    }

    [Fact]
    public void Ex4PresetOnEx4data1IsTheCourseRecipeAndItsCostFalls()
    {
        var p = Presets.Ex4;
        Assert.Equal(OptimizerKind.ConjugateGradient, p.Training.Optimizer);
        Assert.Equal(50, p.Training.Epochs);
        Assert.Equal(1, p.Training.Lambda);
        Assert.Equal(Initializer.Ex4(0.12), p.Initializer);
        var r = Experiment.Run(p.WithEpochs(8));
        Assert.Equal("400-25-10 sigmoid/sigmoid cross-entropy", r.Model.Spec.ToString().Split(',')[0].Trim());
        Assert.Equal(5000, r.Train.Count);
        Assert.Null(r.Valid);
        Assert.Equal(8, r.History.Count);
        Assert.True(r.History[^1].Cost < 0.6 * r.History[0].Cost, $"cost {r.History[0].Cost} → {r.History[^1].Cost}");
        Assert.True(r.TrainAccuracy > 0.5, $"train accuracy {r.TrainAccuracy}");
        // the course's pixels as they are in the file
        Assert.Equal(r.Train.Features, r.PreparedTrain.Features);
    }

    [Fact]
    public void LogisticPresetIsANetworkWithoutHiddenLayer()
    {
        var r = Experiment.Run(Presets.LogisticMnist.WithEpochs(5) with { Data = "digits", Scaling = Scaling.MinMax });
        Assert.Equal([64, 10], r.Model.Spec.LayerSizes);
        Assert.Equal(Activation.Softmax, r.Model.Spec.OutputActivation);
        Assert.True(r.History[^1].Cost < r.History[0].Cost);
    }

    [Fact]
    public void PresetNamesAndSeedFigures()
    {
        Assert.Equal(["ex4", "ex4-gd", "ex4-tnc", "raschka", "flower", "spiral", "logistic"], Presets.Names.Take(7));
        Assert.Same(Presets.Spiral, Presets.Get("SPIRAL"));
        var e = Assert.Throws<ArgumentException>(() => Presets.Get("nope"));
        Assert.Contains("ex4, ex4-gd, ex4-tnc, raschka, flower, spiral, logistic", e.Message);
        Assert.Equal(0.9928, Presets.Raschka.SeedFigures.Single(s => s.Metric == "train_accuracy").Value);
        Assert.Equal(0.9798, Presets.Raschka.SeedFigures.Single(s => s.Metric == "valid_accuracy").Value);
        Assert.Equal(0.9754, Presets.Raschka.SeedFigures.Single(s => s.Metric == "test_accuracy").Value);
        Assert.Equal(0.8650, Presets.Flower.SeedFigures.Single().Value);
        Assert.Equal(0.9867, Presets.Spiral.SeedFigures.Single().Value);
        // The conventions mapping: Raschka's eta on the summed batch-100 gradient, CS231n's reg on ½·reg·ΣW² with m = 300.
        Assert.Equal(0.05, Presets.Raschka.Training.LearningRate, 15);
        Assert.Equal(0.01, Presets.Raschka.Training.Lambda);
        Assert.Equal(0.3, Presets.Spiral.Training.Lambda, 15);
        Assert.Equal(0, Presets.Flower.Training.Lambda);
        foreach (var p in Presets.All) p.Validate();
    }

    [Fact]
    public void OverridesChangeOnlyWhatTheyName()
    {
        // WithEpochs and WithSeed: the settings that touch more than one field; everything else is a plain `with`.
        var r = Presets.Raschka;
        var p = r.WithEpochs(3).WithSeed(9);
        Assert.Equal((3, 9, 9), (p.Training.Epochs, p.Training.Seed, p.Seed));
        Assert.Equal(r.Training, p.Training with { Epochs = r.Training.Epochs, Seed = r.Training.Seed });
        Assert.Equal(r, p with { Training = r.Training, Seed = r.Seed });
        Assert.False(r.DecayScalesWithEpochs);
        var stepped = r with { Training = r.Training with { Schedule = ScheduleKind.StepDecay, DecayEvery = 5 } };
        Assert.Equal(5, stepped.WithEpochs(200).Training.DecayEvery);   // only a preset whose decay belongs to its length stretches it
    }

    [Fact]
    public void ConfigurationErrorsFailBeforeTraining()
    {
        Assert.Contains("output layer has 3 units", Assert.Throws<ArgumentException>(() =>
            Experiment.Prepare(Presets.Ex4).CheckLayers([400, 25, 3])).Message);
        Assert.Contains("input layer has 64 units", Assert.Throws<ArgumentException>(() =>
            Experiment.Prepare(Presets.Ex4).CheckLayers([64, 25, 10])).Message);
        Assert.Contains("no-such-file.mat", Assert.Throws<FileNotFoundException>(() =>
            Experiment.Prepare(Presets.Ex4 with { Data = "no-such-file.mat" })).Message);
        Assert.Contains("Epochs must be at least 1", Assert.Throws<ArgumentException>(() =>
            Experiment.Prepare(Presets.Spiral.WithEpochs(-1))).Message);
    }

    [Fact]
    public void CancellationStopsAfterTheCurrentEpochAndKeepsTheModel()
    {
        using var cts = new CancellationTokenSource();
        int seen = 0;
        var r = Experiment.Run(Presets.Spiral.WithEpochs(1000), e => { if (++seen == 3) cts.Cancel(); }, cts.Token);
        Assert.Equal(3, r.Epochs);
        Assert.Equal("cancelled after epoch 3", r.StopReason);
        Assert.Equal(3, r.Model.Spec.Outputs);
    }
}
