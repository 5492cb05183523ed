using Backprop.Numerics;
using Backprop.Training.Optimizers;

namespace Backprop.Tests.Training.Optimizers;

/// <summary>
/// The step optimizers split long vectors over the worker pool. The result must be exactly the serial update: the
/// same as one optimizer per short slice (each slice below the split threshold runs on one thread, the path the
/// NumPy/PyTorch fixtures check), for any thread count.
/// </summary>
[Collection(KernelSettingsCollection.Name)]
public sealed class ParallelStepTests
{
    public static TheoryData<string> Names() => new() { "gd", "momentum", "nesterov", "adam" };

    private static IStepOptimizer<float> Create(string name) => name switch
    {
        "gd" => new GradientDescent<float>(),
        "momentum" => new Momentum<float>(0.9),
        "nesterov" => new Momentum<float>(0.8, nesterov: true),
        _ => new Adam<float>(),
    };

    [Theory]
    [MemberData(nameof(Names))]
    public void ALongStepSplitOverThreadsEqualsTheSerialUpdateOfEverySlice(string name)
    {
        const int length = 3 * ElementwiseParallel.MinLength + 1001; // not a multiple of anything
        const int slice = 10007;
        var random = new Random(4);
        var start = Enumerable.Range(0, length).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray();
        var gradients = Enumerable.Range(0, 3).Select(_ => Enumerable.Range(0, length).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray()).ToArray();

        // Reference: one optimizer per slice, each far below the threshold (serial path).
        var expected = (float[])start.Clone();
        for (int s = 0; s < length; s += slice)
        {
            int n = Math.Min(slice, length - s);
            var o = Create(name);
            foreach (var g in gradients) o.Step(expected.AsSpan(s, n), g.AsSpan(s, n), 0.05);
        }

        int saved = Parallelism.MaxThreads;
        try
        {
            foreach (int threads in new[] { 1, 2 })
            {
                Parallelism.MaxThreads = threads;
                long before = ElementwiseParallel.ParallelRuns;
                var actual = (float[])start.Clone();
                var o = Create(name);
                foreach (var g in gradients) o.Step(actual, g, 0.05);
                Assert.Equal(expected, actual);
                if (threads == 2 && WorkerPool.Shared.Capacity > 1)
                {
                    // The pool may be busy with another test's product for a moment: retry until a split step ran.
                    for (int attempt = 0; attempt < 50 && ElementwiseParallel.ParallelRuns == before; attempt++)
                    {
                        actual = (float[])start.Clone();
                        o = Create(name);
                        foreach (var g in gradients) o.Step(actual, g, 0.05);
                        Assert.Equal(expected, actual);
                    }
                    Assert.True(ElementwiseParallel.ParallelRuns > before, "the step never ran on two threads");
                }
            }
        }
        finally { Parallelism.MaxThreads = saved; }
    }
}
