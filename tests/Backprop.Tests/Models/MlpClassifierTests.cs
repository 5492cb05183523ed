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
}
