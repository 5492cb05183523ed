using Backprop.Data.Formats;
using Backprop.Experiments;

namespace Backprop.Tests.Experiments;

public class CourseCheckpointsTests
{
    [Fact]
    public void FileCheckpointsPassWhenTheExpectedFiguresAreTheFilesOwn()
    {
        // ex4data1.mat is not available; a file in its format with figures computed by NumPy stands in for it.
        var f = Fixture.Json("experiments", "ex4_format_digits.json");
        var data = DataFiles.Read(Fixture.Path("experiments", "ex4_format_digits.mat"));
        var weights = DataFiles.Read(Fixture.Path("mat", "corpus", "ex4weights.mat"));
        var expected = new Ex4PublishedFigures(f.GetProperty("cost_lambda0").GetDouble(), f.GetProperty("cost_lambda1").GetDouble(),
            f.GetProperty("cost_lambda3").GetDouble(), f.GetProperty("accuracy").GetDouble());
        var k = CourseCheckpoints.Files(data, weights, expected);
        Assert.Equal(4, k.Count);
        Assert.All(k, c => Assert.True(c.Passed, $"{c.Name}: expected {c.Expected}, ours {c.Actual}"));
        Assert.Equal("46.00 %", k[3].Actual);
        // one unit in the sixth decimal is a failure: the comparison is at the printed precision
        var off = expected with { Cost = expected.Cost + 2e-6 };
        Assert.False(CourseCheckpoints.Files(data, weights, off)[0].Passed);
        Assert.Equal(Ex4PublishedFigures.Ex4, new Ex4PublishedFigures(0.287629, 0.383770, 0.576051, 0.9752));
    }

    [Fact]
    public void DebugNetworkCheckpointsPass()
    {
        var k = CourseCheckpoints.WithoutFiles();
        Assert.Equal(4, k.Count);
        Assert.All(k, c => Assert.True(c.Passed, c.Name));
        Assert.Equal(0.25, k[0].Values[2], 15);
        // an impossible tolerance fails the gradient checks and only them
        var strict = CourseCheckpoints.WithoutFiles(tolerance: 1e-30);
        Assert.Equal([true, false, true, false], strict.Select(c => c.Passed));
    }
}
