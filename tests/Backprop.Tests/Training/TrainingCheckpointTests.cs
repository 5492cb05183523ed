using System.Numerics;
using System.Text.Json.Nodes;
using Backprop.Data.Builtin;
using Backprop.Data.Preprocessing;
using Backprop.Layers;
using Backprop.Networks;
using Backprop.Numerics;
using Backprop.Training;

namespace Backprop.Tests.Training;

/// <summary>A run stopped after an epoch and resumed from its checkpoint (through its JSON form) ends bit-identical to the run that never stopped.</summary>
public class TrainingCheckpointTests
{
    private static readonly Lazy<(double[] X, int[] Labels, double[] VX, int[] VLabels)> Data = new(() =>
    {
        var (train, valid) = Splits.Stratified(BuiltinData.Load("digits").Train, 0.2, 0);
        var pre = Preprocessor.FitMinMax(train);
        double[] Scaled(Backprop.Data.Dataset d) { var v = new double[d.Features.Length]; pre.Apply(d.Features, v); return v; }
        return (Scaled(train), train.Labels, Scaled(valid), valid.Labels);
    });

    public static TheoryData<string> Recipes => ["adam-dropout-ema-shift", "nesterov-swa-patience", "momentum-invscaling", "sgd-adaptive-stall", "gd-step", "adam-cumulative-float32",
        "momentum-shift-elastic", "adam-elastic-float32"];

    private static TrainingOptions Options(string recipe) => recipe switch
    {
        "adam-dropout-ema-shift" => new() { Epochs = 6, BatchSize = 64, LearningRate = 0.003, Seed = 3, Dropout = 0.2, InputDropout = 0.1, Averaging = AveragingKind.Ema, AveragingDecay = 0.9, ShiftPixels = 1, ImageSize = (8, 8), ShuffleOrder = ShuffleOrder.FromIdentity },
        "nesterov-swa-patience" => new() { Optimizer = OptimizerKind.Nesterov, Epochs = 6, BatchSize = 50, LearningRate = 0.05, Seed = 1, Averaging = AveragingKind.Swa, EarlyStoppingPatience = 4, Schedule = ScheduleKind.Cosine },
        "momentum-invscaling" => new() { Optimizer = OptimizerKind.Momentum, Epochs = 6, BatchSize = 100, LearningRate = 0.5, Seed = 2, Schedule = ScheduleKind.InverseScaling, PowerT = 0.25 },
        "sgd-adaptive-stall" => new() { Optimizer = OptimizerKind.Sgd, Epochs = 6, BatchSize = 80, LearningRate = 0.1, Seed = 4, Schedule = ScheduleKind.Adaptive, StopWhenStalled = 1 },
        "momentum-shift-elastic" => new() { Optimizer = OptimizerKind.Momentum, Epochs = 6, BatchSize = 64, LearningRate = 0.05, Seed = 6, ShiftPixels = 1, ElasticSigma = 1, ElasticAlpha = 2, ImageSize = (8, 8) },
        "adam-elastic-float32" => new() { Epochs = 6, BatchSize = 50, LearningRate = 0.003, Seed = 7, ElasticSigma = 1.5, ElasticAlpha = 3, ElasticRotation = 10, ElasticScale = 0.1, ImageSize = (8, 8) },
        "gd-step" => new() { Optimizer = OptimizerKind.GradientDescent, Epochs = 6, LearningRate = 0.5, Schedule = ScheduleKind.StepDecay, DecayEvery = 2, DecayFactor = 0.5 },
        _ => new() { Epochs = 6, BatchSize = 32, LearningRate = 0.002, Seed = 5, Schedule = ScheduleKind.StepDecay, DecayEvery = 4, DecayFactor = 0.3 },
    };

    [Theory]
    [MemberData(nameof(Recipes))]
    public void ResumedRunEndsBitIdentical(string recipe)
    {
        if (recipe.EndsWith("float32", StringComparison.Ordinal)) Check<float>(recipe);
        else Check<double>(recipe);
    }

    private static void Check<T>(string recipe) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var options = Options(recipe);
        var (whole, wholeResult, checkpoints) = Train<T>(options, null, 3);
        var saved = checkpoints[3];
        // Through the file form: JSON text and back.
        var reread = TrainingCheckpoint.FromJson((JsonObject)JsonNode.Parse(saved.ToJson().ToJsonString())!);
        Assert.Equal(options.ElasticAlpha > 0, saved.ToJson()["elastic_random"] is not null);
        var (resumed, resumedResult, _) = Train<T>(options, reread, -1);
        Assert.Equal(whole.Parameters, resumed.Parameters);
        Assert.Equal(wholeResult.StopReason, resumedResult.StopReason);
        Assert.Equal(wholeResult.History.Select(e => (e.Epoch, e.Cost, e.TrainAccuracy, e.ValidAccuracy, e.LearningRate)),
                     resumedResult.History.Select(e => (e.Epoch, e.Cost, e.TrainAccuracy, e.ValidAccuracy, e.LearningRate)));
        Assert.True(resumedResult.History[3].Seconds >= saved.Seconds, "the resumed clock continues from the checkpoint's time");
    }

    private static (Network<T> Net, TrainingResult Result, Dictionary<int, TrainingCheckpoint> Checkpoints) Train<T>(TrainingOptions options, TrainingCheckpoint? resume, int keepFrom)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var (x, labels, vx, vlabels) = Data.Value;
        var spec = NetworkSpec.Create([64, 16, 10], Activation.Relu, Activation.Softmax);
        var net = new Network<T>(spec);
        Backprop.Initialization.Initializer.DefaultFor(spec).Initialize(net, 7);
        var checkpoints = new Dictionary<int, TrainingCheckpoint>();
        var trainer = new Trainer<T>(net, options) { ResumeFrom = resume, CheckpointReady = c => { if (keepFrom > 0) checkpoints[c.Epoch] = c; } };
        var result = trainer.Fit(Matrix<T>.FromDoubles(labels.Length, 64, x), labels, Matrix<T>.FromDoubles(vlabels.Length, 64, vx), vlabels);
        return (net, result, checkpoints);
    }

    [Fact]
    public void CancellationStopsAfterTheEpochsCheckpoint()
    {
        using var cancel = new CancellationTokenSource();
        var (x, labels, _, _) = Data.Value;
        var spec = NetworkSpec.Create([64, 8, 10], Activation.Relu, Activation.Softmax);
        var net = new Network<double>(spec);
        TrainingCheckpoint? last = null;
        var trainer = new Trainer<double>(net, new TrainingOptions { Epochs = 50, BatchSize = 100 })
        {
            Cancellation = cancel.Token,
            CheckpointReady = c => { last = c; if (c.Epoch == 2) cancel.Cancel(); },
        };
        var result = trainer.Fit(Matrix<double>.FromDoubles(labels.Length, 64, x), labels);
        Assert.Equal("cancelled after epoch 2", result.StopReason);
        Assert.Equal(2, last!.Epoch);
        Assert.Equal(net.Parameters, last.Parameters);
    }

    [Theory]
    [InlineData(3, 7, -1, new[] { 3, 6, 7 })]              // every third epoch, and the last
    [InlineData(int.MaxValue, 7, -1, new[] { 7 })]          // only the last
    [InlineData(int.MaxValue, 50, 4, new[] { 4 })]          // only where a cancellation stops the run
    [InlineData(2, 50, 5, new[] { 2, 4, 5 })]
    public void CheckpointsComeEveryNEpochsAtTheEndAndWhenCancelled(int every, int epochs, int cancelAt, int[] expected)
    {
        using var cancel = new CancellationTokenSource();
        var (x, labels, _, _) = Data.Value;
        var net = new Network<double>(NetworkSpec.Create([64, 8, 10], Activation.Relu, Activation.Softmax));
        var seen = new List<int>();
        TrainingCheckpoint? last = null;
        var trainer = new Trainer<double>(net, new TrainingOptions { Epochs = epochs, BatchSize = 100 })
        {
            Cancellation = cancel.Token,
            CheckpointEvery = every,
            CheckpointReady = c => { seen.Add(c.Epoch); last = c; },
            EpochEnded = e => { if (e.Epoch == cancelAt) cancel.Cancel(); return true; },
        };
        var result = trainer.Fit(Matrix<double>.FromDoubles(labels.Length, 64, x), labels);
        Assert.Equal(expected, seen);
        Assert.Equal(net.Parameters, last!.Parameters);   // the last one holds the network the run ends with
        if (cancelAt > 0) Assert.Equal($"cancelled after epoch {cancelAt}", result.StopReason);
        Assert.Throws<ArgumentOutOfRangeException>(() => trainer.CheckpointEvery = 0);
    }

    [Fact]
    public void MismatchedRunsAndDamagedFilesAreRefused()
    {
        var (x, labels, _, _) = Data.Value;
        var options = new TrainingOptions { Epochs = 3, BatchSize = 100 };
        var (_, _, checkpoints) = Train<double>(options, null, 1);
        var spec = NetworkSpec.Create([64, 16, 10], Activation.Relu, Activation.Softmax);
        var other = new Trainer<double>(new Network<double>(spec), options with { LearningRate = 0.01 }) { ResumeFrom = checkpoints[1] };
        Assert.Contains("lr=0.001", Assert.Throws<ArgumentException>(() => other.Fit(Matrix<double>.FromDoubles(labels.Length, 64, x), labels)).Message);
        var lbfgs = new Trainer<double>(new Network<double>(spec), new TrainingOptions { Optimizer = OptimizerKind.Lbfgs }) { ResumeFrom = checkpoints[1] };
        Assert.Contains("mini-batch optimizer", Assert.Throws<ArgumentException>(() => lbfgs.Fit(Matrix<double>.FromDoubles(labels.Length, 64, x), labels)).Message);

        var json = checkpoints[2].ToJson();
        json.Remove("elastic_random");   // as written before elastic distortion existed
        Assert.Null(TrainingCheckpoint.FromJson(json).Elastic);
        var elastic = new Trainer<double>(new Network<double>(spec), options with { ElasticAlpha = 2, ImageSize = (8, 8) }) { ResumeFrom = checkpoints[1] };
        Assert.Contains("augment=elastic", Assert.Throws<ArgumentException>(() => elastic.Fit(Matrix<double>.FromDoubles(labels.Length, 64, x), labels)).Message);
        json["parameters"] = "not base64!";
        Assert.Contains("'parameters' is not base64", Assert.Throws<InvalidDataException>(() => TrainingCheckpoint.FromJson(json)).Message);
        json = checkpoints[2].ToJson();
        json.Remove("history");
        Assert.Contains("'history'", Assert.Throws<InvalidDataException>(() => TrainingCheckpoint.FromJson(json)).Message);
    }

    [Fact]
    public void NumPyRandomStateRoundTrips()
    {
        var a = new NumPyRandom(42u);
        a.Randn();
        var state = a.GetState();   // mid-stream, with a cached normal
        var b = new NumPyRandom(0u);
        b.SetState(state);
        Assert.Equal(a.Randn(), b.Randn());
        Assert.Equal(a.NextUInt32(), b.NextUInt32());
    }
}
