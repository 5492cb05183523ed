using Backprop.Numerics;

namespace Backprop.Tests;

public class MatrixTests
{
    [Fact]
    public void RowMajorViewIntoSharedArray()
    {
        var data = new double[] { 9, 1, 2, 3, 4, 5, 6 };
        var m = new Matrix<double>(data, 1, 2, 3);
        Assert.Equal(6.0, m[1, 2]);
        Assert.Equal(new[] { 4.0, 5.0, 6.0 }, m.Row(1).ToArray());
        m[0, 0] = 7;
        Assert.Equal(7.0, data[1]);
        Assert.Throws<IndexOutOfRangeException>(() => m[2, 0]);
    }
}
