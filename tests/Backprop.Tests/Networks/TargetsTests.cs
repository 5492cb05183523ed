using Backprop.Networks;
using Backprop.Numerics;

namespace Backprop.Tests.Networks;

/// <summary>Mini-batch targets straight from the labels (the trainer no longer builds the whole one-hot matrix).</summary>
public sealed class TargetsTests
{
    [Theory]
    [InlineData(10, 10)]
    [InlineData(2, 1)]
    [InlineData(3, 3)]
    public void GatheredRowsEqualTheOneHotRows(int classes, int outputs)
    {
        var random = new Random(classes);
        var labels = Enumerable.Range(0, 57).Select(_ => random.Next(classes)).ToArray();
        var order = Enumerable.Range(0, 57).OrderBy(_ => random.Next()).ToArray();
        var all = Targets.OneHot<float>(labels, classes, outputs);
        var batch = new Matrix<float>(20, outputs);
        batch.Span.Fill(7); // old contents must not matter
        Targets.Gather(labels, order, 30, batch);
        for (int r = 0; r < 20; r++) Assert.Equal(all.Row(order[30 + r]).ToArray(), batch.Row(r).ToArray());
    }

    [Fact]
    public void ValidationReportsWhatOneHotEncodingWould()
    {
        int[] labels = [0, 3, 1];
        var expected = Assert.Throws<ArgumentOutOfRangeException>(() => Targets.OneHot<float>(labels, 3));
        var actual = Assert.Throws<ArgumentOutOfRangeException>(() => Targets.Validate(labels, 3, 3));
        Assert.Equal(expected.Message, actual.Message);
        Assert.Contains("Label 3 of sample 1", actual.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => Targets.Validate([0, 2], 2, 1));
        Assert.Throws<ArgumentException>(() => Targets.Validate([0], 4, 3));
        Targets.Validate([1, 0, 1], 2, 1);
    }
}
