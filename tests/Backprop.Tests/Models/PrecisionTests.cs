using Backprop.Models;

namespace Backprop.Tests.Models;

public class PrecisionTests
{
    [Fact]
    public void NamesAndParseAreInverses()
    {
        foreach (var p in Enum.GetValues<Precision>())
            Assert.Equal(p, Precisions.Parse(Precisions.Name(p)));
        Assert.Equal(("float32", "float64"), (Precisions.Name(Precision.Float32), Precisions.Name(Precision.Float64)));
        Assert.Equal(Precision.Float32, Precisions.Parse(" Single"));
        Assert.Equal(Precision.Float64, Precisions.Parse("double"));
        Assert.Equal("Unknown precision 'half': expected float32 or float64.", Assert.Throws<ArgumentException>(() => Precisions.Parse("half")).Message);
    }
}
