using Backprop.Data;
using Backprop.Data.Preprocessing;

namespace Backprop.Tests.Preprocessing;

public class OneHotTests
{
    [Fact]
    public void EncodeAndDecode()
    {
        var y = OneHot.Encode([2, 0, 1], 3);
        Assert.Equal(new double[] { 0, 0, 1, 1, 0, 0, 0, 1, 0 }, y);
        Assert.Equal(new[] { 2, 0, 1 }, OneHot.Decode(y, 3));
        var f = new float[6];
        OneHot.Encode<float>([1, 1], 3, f);
        Assert.Equal(new float[] { 0, 1, 0, 0, 1, 0 }, f);
        Assert.Throws<ArgumentOutOfRangeException>(() => OneHot.Encode([3], 3));
    }

    [Fact]
    public void DecodeTiesAndNaNLikeNumPyArgmax()
    {
        // np.argmax([[1, 3, 3], [nan, 5, 1], [0, 2, nan]], axis=1) == [1, 0, 2]
        Assert.Equal(new[] { 1, 0, 2 }, OneHot.Decode([1, 3, 3, double.NaN, 5, 1, 0, 2, double.NaN], 3));
    }
}

public class LabelMappingTests
{
    [Fact]
    public void MatlabDigitsMapTenToZero()
    {
        double[] raw = [10, 1, 5, 9, 10];
        var idx = LabelMapping.ToIndices(raw, LabelConvention.MatlabDigits, out var names);
        Assert.Equal(new[] { 0, 1, 5, 9, 0 }, idx);
        Assert.Equal(Enumerable.Range(0, 10).Select(i => i.ToString()), names);
        Assert.Equal(raw, LabelMapping.FromIndices(idx, LabelConvention.MatlabDigits));
        Assert.Equal(0, LabelMapping.ClassOfOutputUnit(10, LabelConvention.MatlabDigits));
        Assert.Equal(3, LabelMapping.ClassOfOutputUnit(3, LabelConvention.MatlabDigits));
        Assert.Equal(9, LabelMapping.ClassOfOutputUnit(10, LabelConvention.OneBased));
    }

    [Fact]
    public void OneAndZeroBased()
    {
        var one = LabelMapping.ToIndices([1, 3, 2], LabelConvention.OneBased, out var names);
        Assert.Equal(new[] { 0, 2, 1 }, one);
        Assert.Equal(new[] { "1", "2", "3" }, names);
        Assert.Equal(new double[] { 1, 3, 2 }, LabelMapping.FromIndices(one, LabelConvention.OneBased));
        var zero = LabelMapping.ToIndices([0, 4], LabelConvention.ZeroBased, out names, classes: 6);
        Assert.Equal(new[] { 0, 4 }, zero);
        Assert.Equal(6, names.Length);
    }

    [Fact]
    public void Detection()
    {
        Assert.Equal(LabelConvention.MatlabDigits, LabelMapping.Detect([.. Enumerable.Range(1, 10).Select(i => (double)i), 10]));
        Assert.Equal(LabelConvention.OneBased, LabelMapping.Detect([1, 2, 3]));
        Assert.Equal(LabelConvention.ZeroBased, LabelMapping.Detect([0, 1, 9]));
        Assert.Equal(LabelConvention.OneBased, LabelMapping.Detect([.. Enumerable.Range(1, 10).Select(i => (double)i)], LabelConvention.OneBased));
    }

    [Fact]
    public void BadLabelsNameValueAndPosition()
    {
        var e = Assert.Throws<InvalidDataException>(() => LabelMapping.ToIndices([1, 2.5], LabelConvention.OneBased, out _));
        Assert.Contains("Label 2.5 at position 1 is not an integer", e.Message);
        e = Assert.Throws<InvalidDataException>(() => LabelMapping.ToIndices([1, 11], LabelConvention.MatlabDigits, out _));
        Assert.Contains("Label 11 at position 1", e.Message);
        e = Assert.Throws<InvalidDataException>(() => LabelMapping.ToIndices([0], LabelConvention.OneBased, out _));
        Assert.Contains("Label 0 at position 0", e.Message);
        e = Assert.Throws<InvalidDataException>(() => LabelMapping.ToIndices([5], LabelConvention.ZeroBased, out _, classes: 3));
        Assert.Contains("0..2", e.Message);
        Assert.Throws<InvalidDataException>(() => LabelMapping.Detect([double.NaN]));
    }
}

public class ImagesTests
{
    [Fact]
    public void TransposesAKnown2x3Image()
    {
        // Row-major [[1, 2, 3], [4, 5, 6]] is column-major [1, 4, 2, 5, 3, 6] (NumPy: a.ravel(order='F')).
        double[] rowMajor = [1, 2, 3, 4, 5, 6];
        double[] colMajor = [1, 4, 2, 5, 3, 6];
        Assert.Equal(rowMajor, Images.ColumnMajorToRowMajor(colMajor, 1, 2, 3));
        Assert.Equal(colMajor, Images.RowMajorToColumnMajor(rowMajor, 1, 2, 3));
        double[] two = [.. colMajor, .. colMajor.Select(v => v * 10)];
        Assert.Equal([.. rowMajor, .. rowMajor.Select(v => v * 10)], Images.ColumnMajorToRowMajor(two, 2, 2, 3));
    }

    [Fact]
    public void WholeDatasetUpdatesImageShape()
    {
        var d = new Dataset("ex4", [1, 4, 2, 5, 3, 6], 1, 6, [0], 1, image: new ImageShape(2, 3, 1, ColumnMajor: true));
        var r = Images.ToRowMajor(d);
        Assert.Equal(new double[] { 1, 2, 3, 4, 5, 6 }, r.Features);
        Assert.False(r.Image!.Value.ColumnMajor);
        Assert.Same(r, Images.ToRowMajor(r));
        var back = Images.ToColumnMajor(r);
        Assert.Equal(d.Features, back.Features);
        Assert.True(back.Image!.Value.ColumnMajor);
        Assert.Throws<ArgumentException>(() => Images.ToRowMajor(new Dataset("x", [1], 1, 1, [0], 1)));
    }
}

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
