using Backprop.Data.Preprocessing;

namespace Backprop.Tests.Data.Preprocessing;

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
