using Backprop.Data.Preprocessing;

namespace Backprop.Tests.Data.Preprocessing;

public class ImageResizeTests
{
    [Fact]
    public void CubicKernelIsKeysWithAMinusAHalf()
    {
        Assert.Equal(1, ImageResize.Cubic(0));
        Assert.Equal(0, ImageResize.Cubic(1));
        Assert.Equal(0, ImageResize.Cubic(2));
        Assert.Equal(0, ImageResize.Cubic(2.5));
        Assert.Equal(0.5625, ImageResize.Cubic(0.5), 15);     // 1.5/8 − 2.5/4 + 1
        Assert.Equal(-0.0625, ImageResize.Cubic(-1.5), 15);   // −0.5·3.375 + 2.5·2.25 − 6 + 2
    }

    [Fact]
    public void SameSizeIsTheIdentityAndAConstantStaysConstant()
    {
        var rnd = new Random(3);
        var image = Enumerable.Range(0, 6 * 5).Select(_ => rnd.NextDouble()).ToArray();
        Assert.Equal(image, ImageResize.Bicubic(image, 6, 5, 6, 5));
        var flat = Enumerable.Repeat(0.25, 28 * 28).ToArray();
        Assert.All(ImageResize.Bicubic(flat, 28, 28, 20, 20), v => Assert.Equal(0.25, v, 14));
    }

    [Fact]
    public void ShrinkingWidensTheKernelAndClampsAtTheEdges()
    {
        var taps = ImageResize.Contributions(28, 20);
        Assert.Equal(20, taps.Length);
        Assert.All(taps, t => Assert.Equal(8, t.Index.Length));             // ceil(4 / (20/28)) + 2
        Assert.All(taps, t => Assert.Equal(1, t.Weight.Sum(), 14));
        Assert.Equal([0, 0, 0, 0, 1, 2, 3, 4], taps[0].Index);             // indices before the first pixel repeat it
        Assert.Equal(27, taps[19].Index[^1]);
        // Symmetric: resizing a mirrored image gives the mirrored result.
        var rnd = new Random(5);
        var image = Enumerable.Range(0, 28 * 28).Select(_ => rnd.NextDouble()).ToArray();
        var mirrored = Enumerable.Range(0, 28 * 28).Select(i => image[(27 - i / 28) * 28 + 27 - i % 28]).ToArray();
        var a = ImageResize.Bicubic(image, 28, 28, 20, 20);
        var b = ImageResize.Bicubic(mirrored, 28, 28, 20, 20);
        for (int i = 0; i < 400; i++) Assert.Equal(a[(19 - i / 20) * 20 + 19 - i % 20], b[i], 1e-13);
    }
}
