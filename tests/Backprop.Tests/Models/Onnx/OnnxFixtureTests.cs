using Backprop.Data.Formats.Mat;
using Backprop.Models;
using Backprop.Models.Onnx;

namespace Backprop.Tests.Models.Onnx;

/// <summary>
/// The files of Fixtures/onnx/: model files drawn by check_onnx.py, their .onnx and .mat exports checked there with the
/// official onnx package (checker, strict shape inference, a NumPy run of the graph) and SciPy, and NumPy's
/// probabilities. Today's exporter must write the same .onnx bytes (so the checked files are current), and they must
/// run in ONNX Runtime to NumPy's numbers.
/// </summary>
public class OnnxFixtureTests
{
    private static readonly System.Text.Json.JsonElement Expected = Fixture.Json("onnx", "expected.json");

    public static TheoryData<string> Names => Fixture.CaseNames(Expected.GetProperty("cases"));

    private static System.Text.Json.JsonElement Case(string name) =>
        Expected.GetProperty("cases").EnumerateArray().Single(c => c.GetProperty("name").GetString() == name);

    [Theory]
    [MemberData(nameof(Names))]
    public void ExportWritesTheBytesTheOnnxCheckerPassed(string name)
    {
        var model = Model.Load(Fixture.Path("onnx", "models", name + ".json"));
        var committed = File.ReadAllBytes(Fixture.Path("onnx", "models", name + ".onnx"));
        var bytes = OnnxExport.Export(model).Bytes;
        Assert.True(committed.AsSpan().SequenceEqual(bytes),
            $"{name}: the exporter's output changed; rerun tests/Backprop.Tests/Fixtures/onnx/check_onnx.py (it re-checks and rewrites the fixtures).");
        Assert.Equal("passed", Case(name).GetProperty("checker").GetString());
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void CommittedOnnxRunsInOnnxRuntimeToNumpyProbabilities(string name)
    {
        var c = Case(name);
        int count = c.GetProperty("count").GetInt32(), features = c.GetProperty("features").GetInt32();
        var x = c.GetProperty("x").Doubles();
        var expected = c.GetProperty("probabilities").Doubles();
        var labels = c.GetProperty("labels").Ints();
        var (probabilities, ortLabels, session) = OnnxExportTests.Run(File.ReadAllBytes(Fixture.Path("onnx", "models", name + ".onnx")), x, count, features, OnnxElementType.Float32);
        session.Dispose();
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - probabilities[i]) <= 1e-5, $"{name}[{i}]: NumPy {expected[i]:R}, ONNX Runtime {probabilities[i]:R}");
        Assert.Equal(labels.Select(l => (long)l).ToArray(), ortLabels);

        // and the model file itself predicts the same (Model.PredictProba is what the export must reproduce)
        var model = Model.Load(Fixture.Path("onnx", "models", name + ".json"));
        var ours = model.PredictProba(x, count);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - ours[i]) <= 1e-5, $"{name}[{i}]: NumPy {expected[i]:R}, PredictProba {ours[i]:R}");
        Assert.Equal(labels, model.Predict(x, count));
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void MatlabExportHoldsTheVariablesScipyChecked(string name)
    {
        var model = Model.Load(Fixture.Path("onnx", "models", name + ".json"));
        var committed = MatFile.Read(Fixture.Path("onnx", "models", name + ".mat"));
        var fresh = MatlabExport.Variables(model);
        Assert.Equal(fresh.Select(v => v.Name), committed.Variables.Select(v => v.Name));
        foreach (var v in fresh)
        {
            var c = committed.Find(v.Name)!;
            Assert.Equal(v.Shape, c.Shape);
            Assert.Equal(v.ClassName, c.ClassName);
            if (v.IsNumeric) Assert.Equal(v.ToDoubles(), c.ToDoubles());
            else Assert.Equal((char[])v.Data, (char[])c.Data);
        }
    }
}
