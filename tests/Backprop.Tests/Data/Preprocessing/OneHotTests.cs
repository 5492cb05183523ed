using Backprop.Data.Preprocessing;

namespace Backprop.Tests.Data.Preprocessing;

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
