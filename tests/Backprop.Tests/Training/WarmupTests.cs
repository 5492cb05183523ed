using Backprop.Experiments;
using Backprop.Layers;
using Backprop.Models;
using Backprop.Networks;
using Backprop.Training;

namespace Backprop.Tests.Training;

public class WarmupTests
{
    public static TheoryData<string> MiniBatchPresets => ["default", "best", "record", "raschka"];

    [Theory]
    [MemberData(nameof(MiniBatchPresets))]
    public void RunsOneEpochOfThePresetsOwnTraining(string name)
    {
        // Start swallows failures (a warm-up is only a head start), so this calls the epoch itself: a warm-up that
        // threw for a preset's options would silently warm nothing.
        var p = Presets.Get(name);
        var spec = NetworkSpec.Create(MlpClassifier.LayerSizes(784, p.HiddenLayers, 10, p.OutputActivation), p.HiddenActivation, p.OutputActivation, p.Loss);
        var options = p.Training.AugmentsImages ? p.Training with { ImageSize = (28, 28) } : p.Training;
        Warmup.Run<float>(spec, options);
        Warmup.Run<double>(spec, options with { Dropout = 0.2, InputDropout = 0.1 });
        long before = GC.GetAllocatedBytesForCurrentThread();
        Warmup.Run<float>(spec, options with { BatchSize = 60000 });   // warmed on batches of at most Warmup.MaxBatch rows
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 64L << 20, "a warm-up of batches of 60,000 rows allocated 64 MB or more");
    }

    [Fact]
    public async Task StartsOnlyWhereItPays()
    {
        var spec = NetworkSpec.Create([64, 8, 10], Activation.Relu, Activation.Softmax);
        Assert.True(Warmup.Start<double>(spec, new TrainingOptions(), 1000).IsCompleted);                                  // small data
        Assert.True(Warmup.Start<double>(spec, new TrainingOptions { Optimizer = OptimizerKind.Lbfgs }, Warmup.MinValues).IsCompleted);
        var task = Warmup.Start<double>(spec, new TrainingOptions { Epochs = 3, BatchSize = 50 }, Warmup.MinValues);
        await task.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.True(task.IsCompletedSuccessfully);
    }
}
