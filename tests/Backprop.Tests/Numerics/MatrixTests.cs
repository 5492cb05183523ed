using Backprop.Numerics;

namespace Backprop.Tests.Numerics;

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

    [Fact]
    public void LargeMatricesStartOnACacheLineAndAreZero()
    {
        foreach (var (rows, cols) in new[] { (100, 784), (33, 32), (1, 1024) })
        {
            var f = new Matrix<float>(rows, cols);
            var d = new Matrix<double>(rows, cols);
            Assert.Equal(0, Address(f.Array, f.Offset, 4) % 64);
            Assert.Equal(0, Address(d.Array, d.Offset, 8) % 64);
            Assert.Equal(rows * cols, f.Span.Length);
            Assert.True(f.Span.IndexOfAnyExcept(0f) < 0 && d.Span.IndexOfAnyExcept(0.0) < 0);
        }
        // Small ones are plain arrays.
        var small = new Matrix<float>(10, 10);
        Assert.Equal(0, small.Offset);
        Assert.Equal(100, small.Array.Length);
        Assert.Throws<ArgumentOutOfRangeException>(() => new Matrix<float>(-1, 5000));
    }

    private static long Address(Array array, int offset, int size)
    {
        var handle = System.Runtime.InteropServices.GCHandle.Alloc(array, System.Runtime.InteropServices.GCHandleType.Pinned);
        try { return (long)handle.AddrOfPinnedObject() + (long)offset * size; }
        finally { handle.Free(); }
    }
}
