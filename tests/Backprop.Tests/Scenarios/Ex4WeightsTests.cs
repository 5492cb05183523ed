using Backprop.Data.Formats.Mat;
using Backprop.Experiments;
using Backprop.Networks;
using Backprop.Numerics;

namespace Backprop.Tests.Scenarios;

/// <summary>The course's pretrained ex4weights.mat, read by our .mat reader, against a PyTorch/SciPy computation (Fixtures/engine/make_ex4_fixture.py).</summary>
public class Ex4WeightsTests
{

    [Theory]
    [InlineData(0.0)]
    [InlineData(1.0)]
    [InlineData(3.0)]
    public void CostGradientAndPredictionsMatchTheReference(double lambda)
    {
        var f = Fixture.Json("engine", "ex4_generated.json");
        var network = CourseFiles.LoadThetas(MatFile.Read(Fixture.Path("mat", "corpus", "ex4weights.mat")));
        Assert.Equal("400-25-10 sigmoid/sigmoid cross-entropy", network.Spec.ToString());
        int m = f.GetProperty("m").GetInt32();
        var x = Matrix<double>.FromDoubles(m, 400, f.GetProperty("X").Doubles());
        var y = f.GetProperty("y").Ints();
        var expected = f.GetProperty($"lambda_{lambda:0}");
        var result = CourseFiles.Evaluate(network, x, y, lambda);
        Fixture.AssertClose(expected.GetProperty("cost").GetDouble(), result.Cost, 1e-12, "cost");
        Assert.Equal(f.GetProperty("predictions").Ints(), result.Predictions);
        network.CostAndGradient(x, Targets.OneHot<double>(y.Select(v => v - 1).ToArray(), 10), lambda);
        var unrolled = MatlabTheta.ToUnrolledOrder<double>(network.Spec, network.Gradient);
        var reference = expected.GetProperty("gradient_unrolled").Doubles();
        for (int i = 0; i < reference.Length; i++)
            Fixture.AssertClose(reference[i], unrolled[i], 1e-10, $"gradient (unrolled) [{i}]");
    }

    [Fact]
    public void NaNInXAndLabelsOutside1ToKAreNamed()
    {
        var x = new double[6];
        x[4] = double.NaN;
        var data = new Backprop.Data.DataFileContents("d.mat",
            [new Backprop.Data.NDArray("X", "double", [2, 3], x), new Backprop.Data.NDArray("y", "double", [2, 1], new double[] { 1, 11 })], []);
        var e = Assert.Throws<InvalidDataException>(() => CourseFiles.LoadFeatures(data));
        Assert.Contains("d.mat: variable 'X' has a NaN or infinite value at row 2, column 2", e.Message);
        var l = Assert.Throws<InvalidDataException>(() => CourseFiles.LoadLabels(data, 2, 10));
        Assert.Contains("variable 'y' element 2 is 11; labels must be whole numbers 1..10", l.Message);
    }
}
