using Backprop.Data.Builtin;
using Backprop.Experiments;
using Backprop.Models;

namespace Backprop.Tests.Models;

public class MlpClassifierTests
{
    [Fact]
    public void AnExperimentTrainsThroughTheClassifiersPipeline()
    {
        // The default preset on the digits, shortened, and a classifier with the same settings: the same weights, bit for bit.
        var p = Presets.Default.WithEpochs(3) with { Data = "digits", HiddenLayers = [16] };
        var run = Experiment.Run(p);
        var clf = new MlpClassifier
        {
            HiddenLayers = [16], Hidden = p.HiddenActivation, Output = p.OutputActivation, Initializer = p.Initializer, Seed = p.Seed,
            Precision = p.Precision, Scaling = p.Scaling, ValidationFraction = p.Split.ValidFraction, Training = p.Training,
        }.Fit(BuiltinData.Load("digits").Train);
        Assert.Equal(Scaling.MinMax, run.Scaling);   // the preset's automatic choice on 0..16 pixels
        Assert.Equal(run.Model.ParametersAsDoubles(), clf.Model!.ParametersAsDoubles());
        Assert.Equal(run.History.Select(e => (e.Cost, e.ValidAccuracy)), clf.History.Select(e => (e.Cost, e.ValidAccuracy)));
        Assert.Equal(run.Model.Preprocessor!.ToJson(), clf.Model.Preprocessor!.ToJson());
    }

    [Fact]
    public void CreateSpecGivesOneSigmoidUnitForTwoClasses()
    {
        var flower = BuiltinData.Load("flower").Train;
        Assert.Equal([2, 4, 1], new MlpClassifier { HiddenLayers = [4], Output = Backprop.Layers.Activation.Sigmoid }.CreateSpec(flower).LayerSizes);
        Assert.Equal([2, 4, 2], new MlpClassifier { HiddenLayers = [4] }.CreateSpec(flower).LayerSizes);
        Assert.Equal([2, 2], MlpClassifier.LayerSizes(2, [], 2, Backprop.Layers.Activation.Softmax));
    }

    [Fact]
    public void CreateTrainerDrawsTheWeightsAfterThePlanarDataAndContinuesThatStream()
    {
        // The flower notebook: RandomState(1) makes the data, then draws 0.01·randn weights; the shuffles continue it.
        var flower = BuiltinData.Load("flower").Train;
        var init = Backprop.Initialization.Initializer.Normal(0.01, Backprop.Initialization.DrawOrder.OutIn);
        var clf = new MlpClassifier { HiddenLayers = [20], Initializer = init, Seed = 1, WeightsAfterData = "flower", SharedRandomStream = true };
        var spec = clf.CreateSpec(flower);
        var trainer = clf.CreateTrainer<double>(spec, flower);

        var random = new Backprop.Numerics.NumPyRandom(1u);
        PlanarData.Flower(random);
        var expected = new Backprop.Networks.Network<double>(spec);
        init.Initialize(expected, random);
        Assert.Equal(expected.Parameters, trainer.Network.Parameters);
        Assert.Equal(expected.Parameters, clf.CreateNetwork<double>(spec).Parameters);
        Assert.NotNull(trainer.Random);
        Assert.Equal(random.RandInt(0, 1_000_000), trainer.Random.RandInt(0, 1_000_000));
        Assert.Same(clf.Training, trainer.Options);
        Assert.Null(new MlpClassifier { HiddenLayers = [20], Seed = 1, WeightsAfterData = "flower" }.CreateTrainer<double>(spec, flower).Random);
    }

    [Fact]
    public void FitTrainsTheNetworkThatCreateTrainerMakes()
    {
        // One code path: Fit (no scaling, float64) and CreateTrainer's trainer give the same weights, bit for bit.
        var flower = BuiltinData.Load("flower").Train;
        var clf = new MlpClassifier
        {
            HiddenLayers = [6], Seed = 3, Precision = Precision.Float64, Scaling = Scaling.None,
            Training = new Backprop.Training.TrainingOptions { Epochs = 3, BatchSize = 50, Seed = 4 },
        };
        var trainer = clf.CreateTrainer<double>(clf.CreateSpec(flower), flower);
        trainer.Fit(flower.FeaturesAs<double>(), flower.Labels);
        Assert.Equal(trainer.Network.Parameters, clf.Fit(flower).Model!.ParametersAsDoubles());
    }
}
