using Backprop.Experiments;

namespace Backprop.Tests.Experiments;

public class SweepTests
{
    [Fact]
    public void ValuesParsePerParameterAndBadValuesAreNamed()
    {
        Assert.Equal(["0", "1", "20"], Sweep.ParseValues(SweepParameter.Lambda, "0, 1,20"));
        Assert.Equal([100, 50], Sweep.Apply(SweepParameter.Hidden, "100-50", Presets.Spiral).HiddenLayers);
        Assert.Equal(0.5, Sweep.Apply(SweepParameter.LearningRate, "0.5", Presets.Spiral).Training.LearningRate);
        Assert.Contains("'x'", Assert.Throws<ArgumentException>(() => Sweep.ParseValues(SweepParameter.Lambda, "0,x")).Message);
        Assert.Contains("≥ 0", Assert.Throws<ArgumentException>(() => Sweep.ParseValues(SweepParameter.Lambda, "-1")).Message);
        Assert.Contains("'0'", Assert.Throws<ArgumentException>(() => Sweep.ParseValues(SweepParameter.Hidden, "25,0")).Message);
        Assert.Contains("positive", Assert.Throws<ArgumentException>(() => Sweep.ParseValues(SweepParameter.LearningRate, "0")).Message);
        Assert.Throws<ArgumentException>(() => Sweep.ParseValues(SweepParameter.Lambda, " , "));
    }

    [Fact]
    public void LambdaRowsCarryTheSeedFigureOfTheirLambda()
    {
        var gd5000 = Presets.Ex4Gd with { Training = Presets.Ex4Gd.Training with { Epochs = 5000 } };
        Assert.Equal(0.9846, Sweep.SeedFigureForLambda(gd5000, 0)!.Value);
        Assert.Equal(0.9772, Sweep.SeedFigureForLambda(gd5000, 1)!.Value);
        Assert.Equal(0.9206, Sweep.SeedFigureForLambda(gd5000, 20)!.Value);
        Assert.Null(Sweep.SeedFigureForLambda(gd5000, 3));
        // The sweep's figures are for 5000 iterations: a 1000-iteration run at λ = 1 is not compared with them.
        Assert.Null(Sweep.SeedFigureForLambda(Presets.Ex4Gd, 1));
        Assert.Null(Sweep.SeedFigureForLambda(Presets.Spiral, 0));
    }

    [Fact]
    public void EachRowIsThePresetWithOneValueChanged()
    {
        var seen = new List<string>();
        var spiral = Presets.Spiral.WithEpochs(30);
        var rows = Sweep.Run(spiral, SweepParameter.Lambda, ["0", "3"], onRow: r => seen.Add(r.Value));
        Assert.Equal(["0", "3"], seen);
        Assert.Equal(0, rows[0].Result.Preset.Training.Lambda);
        Assert.Equal(3, rows[1].Result.Preset.Training.Lambda);
        Assert.All(rows, r => Assert.Equal(30, r.Result.Epochs));
        // same initial weights and data: the regularized run ends with smaller weights
        double Norm(ExperimentResult r) => r.Model.Network<double>().SquaredWeights();
        Assert.True(Norm(rows[1].Result) < Norm(rows[0].Result));
        // the λ = 0 row equals a plain run with λ = 0
        var plain = Experiment.Run(spiral with { Training = spiral.Training with { Lambda = 0 } });
        Assert.Equal(plain.FinalCost, rows[0].Result.FinalCost);
    }
}
