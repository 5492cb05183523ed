using Backprop.Numerics;
using static Backprop.Tests.Data.Builtin.BuiltinFixtures;

namespace Backprop.Tests.Numerics;

public class NumPyMathTests
{
    [Fact]
    public void SinAndCosMatchNumPyBitForBit()
    {
        using var doc = Json("trig.json");
        var x = Hexes(doc.RootElement.GetProperty("x"));
        BitEqual(Hexes(doc.RootElement.GetProperty("sin")), x.Select(NumPyMath.Sin).ToArray(), "sin");
        BitEqual(Hexes(doc.RootElement.GetProperty("cos")), x.Select(NumPyMath.Cos).ToArray(), "cos");
    }

    [Fact]
    public void SpecialValues()
    {
        Assert.True(double.IsNaN(NumPyMath.Sin(double.NaN)));
        Assert.True(double.IsNaN(NumPyMath.Cos(double.PositiveInfinity)));
        Assert.True(double.IsNegative(NumPyMath.Sin(-0.0)));
        Assert.Equal(1.0, NumPyMath.Cos(0.0));
        Assert.Equal(Math.Sin(1e300), NumPyMath.Sin(1e300));
    }
}
