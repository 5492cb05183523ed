using Backprop.Data.Formats.Mat;
using Backprop.Experiments;
using Backprop.Models;

namespace Backprop.Tests.Models;

public class MatlabExportTests
{
    [Fact]
    public void TheCourseWeightsRoundTripExactlyThroughAModel()
    {
        var original = MatFile.Read(Fixture.Path("mat", "corpus", "ex4weights.mat"));
        var model = Model.From(CourseFiles.LoadThetas(original));
        using var dir = new Cli.TempDir();
        MatlabExport.Save(model, dir.File("out.mat"));
        var back = MatFile.Read(dir.File("out.mat"));
        foreach (var name in new[] { "Theta1", "Theta2" })
        {
            Assert.Equal(original.Find(name)!.Shape, back.Find(name)!.Shape);
            Assert.Equal(original.Find(name)!.ToDoubles(), back.Find(name)!.ToDoubles());
        }
        Assert.Equal("sigmoid,sigmoid", new string((char[])back.Find("activations")!.Data));
        Assert.Null(back.Find("x_scale"));
        // and the file is again a network the course's tools load
        Assert.Equal(model.ParametersAsDoubles(), Model.From(CourseFiles.LoadThetas(back)).ParametersAsDoubles());
    }
}
