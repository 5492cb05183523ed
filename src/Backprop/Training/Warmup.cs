using System.Numerics;
using Backprop.Initialization;
using Backprop.Networks;
using Backprop.Numerics;

namespace Backprop.Training;

/// <summary>
/// Compiles a run's code paths before the run: one epoch of the same network and training options on a few batches of
/// zeros, on a thread of its own. The engine's kernels are compiled at their first call, which would otherwise fall in
/// a run's first epoch; started while the caller scales and converts a large training set on one core, the compilation
/// runs on the other. It touches nothing the run uses (its own network, data and generators), so the run's results are
/// the same with or without it.
/// </summary>
public static class Warmup
{
    /// <summary>Below this many training values (samples × features) a run starts too soon for a warm-up to pay.</summary>
    public const long MinValues = 1L << 22;

    /// <summary>Starts the warm-up of a mini-batch run of <paramref name="spec"/> with <paramref name="options"/>; a completed
    /// task when there is nothing to warm (full-batch minimizers, small data). The task never fails: a warm-up that
    /// throws is abandoned.</summary>
    public static Task Start<T>(NetworkSpec spec, TrainingOptions options, long trainingValues) where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(options);
        if (options.IsFullBatchMinimizer || trainingValues < MinValues || options.BatchSize <= 0) return Task.CompletedTask;
        return Task.Factory.StartNew(() =>
        {
            try { Run<T>(spec, options); }
            catch (Exception) { }   // only a head start: the run itself reports whatever is wrong
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    /// <summary>Batches of the warm-up at most this long: a run's batch of tens of thousands of rows would make it allocate
    /// hundreds of megabytes to compile the same kernels.</summary>
    internal const int MaxBatch = 512;

    /// <summary>One epoch of three batches of zeros (all labels 0), validated on the same rows.</summary>
    internal static void Run<T>(NetworkSpec spec, TrainingOptions options) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var network = new Network<T>(spec);
        Initializer.DefaultFor(spec).Initialize(network, new NumPyRandom(0u));
        int batch = Math.Min(options.BatchSize, MaxBatch);
        int rows = 3 * batch;
        var x = new Matrix<T>(rows, spec.Inputs);
        var labels = new int[rows];
        var once = options with { Epochs = 1, BatchSize = batch, EarlyStoppingPatience = 0, StopWhenStalled = 0, AverageFromEpoch = 0, TrackTrainAccuracy = true, TrainAccuracyRows = 0 };
        new Trainer<T>(network, once).Fit(x, labels, x, labels);
    }
}
