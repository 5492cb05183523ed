using Backprop.Layers;
using Backprop.Networks;
using Backprop.Numerics;
using Backprop.Training;

namespace Backprop.Tests.Training;

public class MiniBatchesTests
{
    private static readonly NetworkSpec Spec = NetworkSpec.Create([4, 3, 2], Activation.Relu, Activation.Softmax);

    /// <summary>Ten samples of 4 features (2x2 images), sample i's features i·10 + 0..3, labels alternating.</summary>
    private static (Matrix<double> X, int[] Labels) Data(int n = 10)
    {
        var x = new Matrix<double>(n, 4);
        for (int i = 0; i < n; i++)
            for (int c = 0; c < 4; c++) x[i, c] = i * 10 + c;
        return (x, Enumerable.Range(0, n).Select(i => i % 2).ToArray());
    }

    [Fact]
    public void ShuffledBatchesAreReadInPlaceInTheOrderNumPyShufflesAndCarryTheirTargets()
    {
        var (x, labels) = Data();
        var batches = new MiniBatches<double>(x, labels, 2, Spec, new TrainingOptions { BatchSize = 4, Seed = 3 }, new NumPyRandom(3u));
        batches.Shuffle();
        var expected = Enumerable.Range(0, 10).ToArray();
        new NumPyRandom(3u).Shuffle<int>(expected);
        Assert.Equal(expected, batches.Order);
        Assert.False(batches.FullBatch);
        var starts = new List<(int Start, int Count)>();
        for (int start = 0; start < batches.Samples; start += batches.Size)
        {
            var b = batches.Take(start);
            starts.Add((b.Start, b.Count));
            Assert.Null(b.Samples);
            Assert.Null(b.Dropout);
            for (int r = 0; r < b.Count; r++)
            {
                int sample = expected[start + r];
                Assert.Equal(x.Row(sample).ToArray(), b.InPlace.Row(r).ToArray());
                Assert.Equal(labels[sample] == 1 ? [0.0, 1.0] : [1.0, 0.0], b.Targets.Row(r).ToArray());
            }
        }
        Assert.Equal([(0, 4), (4, 4), (8, 2)], starts);   // the last batch takes what is left
    }

    [Fact]
    public void AFullBatchIsTheWholeTrainingSetInItsOwnOrder()
    {
        var (x, labels) = Data();
        var batches = new MiniBatches<double>(x, labels, 2, Spec, new TrainingOptions { Optimizer = OptimizerKind.GradientDescent }, new NumPyRandom(0u));
        batches.Shuffle();
        Assert.True(batches.FullBatch);
        Assert.Equal(Enumerable.Range(0, 10), batches.Order);
        var b = batches.Take(0);
        Assert.Same(x, b.Samples);
        Assert.Equal(10, b.Count);
        Assert.Equal(Targets.OneHot<double>(labels, 2).Span.ToArray(), b.Targets.Span.ToArray());
    }

    [Fact]
    public void ShiftedBatchesAreCopiesShiftedByTheSeedPlusTwoGenerator()
    {
        var (x, labels) = Data();
        var options = new TrainingOptions { BatchSize = 4, Seed = 7, ShiftPixels = 1, ImageSize = (2, 2) };
        var batches = new MiniBatches<double>(x, labels, 2, Spec, options, new NumPyRandom(7u));
        batches.Shuffle();
        var b = batches.Take(4);
        var expected = new Matrix<double>(4, 4);
        ImageShift.CopyShifted(x, batches.Order, 4, expected, 2, 2, 1, new NumPyRandom(9u));
        Assert.NotNull(b.Samples);
        Assert.Equal(expected.Span.ToArray(), b.Samples.Span.ToArray());
    }

    [Fact]
    public void AugmentationNeedsTheImageSizeAndMiniBatches()
    {
        var (x, labels) = Data();
        var noSize = Assert.Throws<ArgumentException>(() => new MiniBatches<double>(x, labels, 2, Spec, new TrainingOptions { BatchSize = 4, ShiftPixels = 1 }, new NumPyRandom(0u)));
        Assert.Contains("set TrainingOptions.ImageSize", noSize.Message);
        var full = Assert.Throws<ArgumentException>(() => new MiniBatches<double>(x, labels, 2, Spec, new TrainingOptions { BatchSize = 0, ShiftPixels = 1, ImageSize = (2, 2) }, new NumPyRandom(0u)));
        Assert.Contains("needs mini-batches", full.Message);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void TakingABatchAllocatesNothingOnceWarm(bool shift)
    {
        // In place, and copied with shifts. (Dropout's thinned-input views are the network's, not the batch source's.)
        var (x, labels) = Data(12);
        var options = new TrainingOptions { BatchSize = 4, ShiftPixels = shift ? 1 : 0, ImageSize = shift ? (2, 2) : null };
        var batches = new MiniBatches<double>(x, labels, 2, Spec, options, new NumPyRandom(0u));
        var net = new Network<double>(Spec);
        batches.Shuffle();
        for (int start = 0; start < 12; start += 4) batches.Take(start).CostAndGradient(net, 0.1);
        long before = GC.GetAllocatedBytesForCurrentThread();
        batches.Shuffle();
        for (int start = 0; start < 12; start += 4) batches.Take(start).CostAndGradient(net, 0.1);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
