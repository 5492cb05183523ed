using Backprop.Data;
using Backprop.Data.Preprocessing;

namespace Backprop.Tests.Data.Preprocessing;

public class SplitsTests
{
    private static Dataset Unbalanced()
    {
        // 60 of class 0, 30 of class 1, 10 of class 2, interleaved.
        var labels = Enumerable.Range(0, 100).Select(i => i % 10 == 0 ? 2 : i % 3 == 0 ? 1 : 0).ToArray();
        int[] counts = [labels.Count(l => l == 0), labels.Count(l => l == 1), labels.Count(l => l == 2)];
        Assert.Equal(100, counts.Sum());
        var x = Enumerable.Range(0, 100).Select(i => (double)i).ToArray();
        return new Dataset("u", x, 100, 1, labels, 3);
    }

    [Fact]
    public void StratifiedKeepsProportionsAndIsDeterministic()
    {
        var d = Unbalanced();
        var (train, hold) = Splits.Stratified(d, 0.2, seed: 42);
        Assert.Equal(20, hold.Count);
        Assert.Equal(80, train.Count);
        for (int k = 0; k < 3; k++)
        {
            int all = d.Labels.Count(l => l == k), h = hold.Labels.Count(l => l == k);
            Assert.True(Math.Abs(h - 0.2 * all) < 1, $"class {k}: {h} of {all} held out");
        }
        // Disjoint, covering, each part in original order.
        var ids = train.Features.Concat(hold.Features).Order().ToArray();
        Assert.Equal(d.Features, ids);
        Assert.Equal(train.Features.Order(), train.Features);

        var (train2, hold2) = Splits.Stratified(d, 0.2, seed: 42);
        Assert.Equal(hold.Features, hold2.Features);
        Assert.Equal(train.Features, train2.Features);
        var (_, hold3) = Splits.Stratified(d, 0.2, seed: 43);
        Assert.NotEqual(hold.Features, hold3.Features);
    }

    [Fact]
    public void TrainValidationTestSizes()
    {
        var (train, val, test) = Splits.TrainValidationTest(Unbalanced(), 0.2, 0.1, seed: 7);
        Assert.Equal(10, test.Count);
        Assert.Equal(20, val.Count);
        Assert.Equal(70, train.Count);
        Assert.Empty(train.Features.Intersect(val.Features).Concat(train.Features.Intersect(test.Features)).Concat(val.Features.Intersect(test.Features)));
        Assert.EndsWith("(validation)", val.Name);
        Assert.Throws<ArgumentOutOfRangeException>(() => Splits.TrainValidationTest(Unbalanced(), 0.6, 0.6, 1));
    }

    [Fact]
    public void EdgeFractions()
    {
        var (train, hold) = Splits.Stratified(Unbalanced(), 0, 1);
        Assert.Equal(0, hold.Count);
        Assert.Equal(100, train.Count);
        (train, hold) = Splits.Stratified(Unbalanced(), 1, 1);
        Assert.Equal(100, hold.Count);
        Assert.Throws<ArgumentOutOfRangeException>(() => Splits.Stratified(Unbalanced(), 1.5, 1));
    }
}
