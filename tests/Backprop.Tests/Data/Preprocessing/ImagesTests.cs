using Backprop.Data;
using Backprop.Data.Preprocessing;

namespace Backprop.Tests.Data.Preprocessing;

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
