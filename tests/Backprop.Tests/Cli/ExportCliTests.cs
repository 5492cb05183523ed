using Backprop.Data.Formats.Mat;
using Backprop.Layers;
using Backprop.Models;
using Backprop.Models.Onnx;
using Backprop.Networks;

namespace Backprop.Tests.Cli;

public class ExportCliTests
{
    private static readonly string Fixed = Fixture.Path("onnx", "models", "relu_softmax_standardize_f32.json");

    [Theory]
    [InlineData("null", "missing \"classes\" (an array)")]
    [InlineData("[\"0\", null, \"2\", \"3\"]", "\"classes\" must hold one string per class")]
    public void ExportOfAModelWithoutClassNamesIsACleanErrorNamingTheFile(string classes, string message)
    {
        using var dir = new TempDir();
        var model = dir.File("noclasses.json");
        var root = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Fixed))!.AsObject();
        root["classes"] = System.Text.Json.Nodes.JsonNode.Parse(classes);
        File.WriteAllText(model, root.ToJsonString());
        var r = CliHarness.Run("export", "--model", model, "--matlab", dir.File("m.mat"));
        Assert.Equal(2, r.ExitCode);
        Assert.Single(r.Stderr.Trim().Split('\n'));
        Assert.Contains("noclasses.json: not a valid Backprop model: " + message, r.Stderr);
        Assert.False(File.Exists(dir.File("m.mat")));
    }

    [Fact]
    public void JsonIsOneObjectAndTheFilesAreTheLibraryExports()
    {
        using var dir = new TempDir();
        string onnx = dir.File("m.onnx"), mat = dir.File("m.mat");
        var r = CliHarness.Run("export", "--model", Fixed, "--onnx", onnx, "--matlab", mat, "--json");
        Assert.True(r.ExitCode == 0, r.Stderr);
        var o = r.Json();
        Assert.Equal("6-8-7-4 relu/relu/softmax cross-entropy", o.GetProperty("network").GetString());
        Assert.Equal(["0", "1", "2", "3"], o.GetProperty("classes").EnumerateArray().Select(c => c.GetString()!));
        var x = o.GetProperty("onnx");
        Assert.Equal(13, x.GetProperty("opset").GetInt32());
        Assert.Equal(8, x.GetProperty("ir_version").GetInt32());
        Assert.Equal("float32", x.GetProperty("element_type").GetString());
        Assert.Equal(new FileInfo(onnx).Length, x.GetProperty("bytes").GetInt64());
        Assert.Equal("Sub Div Gemm Relu Gemm Relu Gemm Softmax ArgMax", string.Join(" ", x.GetProperty("operators").EnumerateArray().Select(e => e.GetString())));
        Assert.Equal(OnnxExport.Export(Model.Load(Fixed)).Bytes, File.ReadAllBytes(onnx));
        var names = o.GetProperty("matlab").GetProperty("variables").EnumerateArray().Select(v => v.GetProperty("name").GetString()!).ToArray();
        Assert.Equal(["Theta1", "Theta2", "Theta3", "activations", "classes", "x_mean", "x_std"], names);
        Assert.Equal(names, MatFile.Read(mat).Variables.Select(v => v.Name));
    }

    [Fact]
    public void TextNamesTheGraphAndOnlyTheRequestedFileIsWritten()
    {
        using var dir = new TempDir();
        var r = CliHarness.Run("export", "--model", Fixed, "--onnx", dir.File("m.onnx"), "--precision", "float64");
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Contains("opset 13, IR 8, float64", r.Stdout);
        Assert.Contains("input \"input\" float64 [N, 6]", r.Stdout);
        Assert.Contains("graph: Sub Div Gemm Relu Gemm Relu Gemm Softmax ArgMax", r.Stdout);
        Assert.DoesNotContain("matlab", r.Stdout);
        Assert.Equal(["m.onnx"], Directory.GetFiles(dir.Path).Select(f => Path.GetFileName(f)));
    }

    [Theory]
    [InlineData("missing", "--model", "no such file")]
    [InlineData("no output", null, "give --onnx OUT.onnx and/or --matlab OUT.mat")]
    [InlineData("precision", "--precision", "expected float32 or float64")]
    [InlineData("not a model", "--model", "not a Backprop model")]
    [InlineData("directory", "--onnx", "is a directory")]
    [InlineData("no --model", "--model", "required")]
    public void BadInputIsOneLineAndExitCode2(string what, string? option, string expected)
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File("bad.json"), "{\"format\": \"something else\"}");
        string[] args = what switch
        {
            "missing" => ["export", "--model", dir.File("none.json"), "--onnx", dir.File("o.onnx")],
            "no output" => ["export", "--model", Fixed],
            "precision" => ["export", "--model", Fixed, "--onnx", dir.File("o.onnx"), "--precision", "half"],
            "not a model" => ["export", "--model", dir.File("bad.json"), "--onnx", dir.File("o.onnx")],
            "directory" => ["export", "--model", Fixed, "--onnx", dir.Path],
            _ => ["export", "--onnx", dir.File("o.onnx")],
        };
        var r = CliHarness.Run(args);
        Assert.Equal(2, r.ExitCode);
        Assert.Equal("", r.Stdout);
        var line = Assert.Single(r.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains(expected, line);
        if (option is not null) Assert.Contains(option, line);
        Assert.False(File.Exists(dir.File("o.onnx")));
    }

    [Fact]
    public void ADivergedModelIsRefusedNamingTheFileAndTheTensor()
    {
        using var dir = new TempDir();
        var network = new Network<float>(NetworkSpec.Create([2, 3, 2], Activation.Relu, Activation.Softmax));
        network.Parameters[4] = float.PositiveInfinity;
        Model.From(network).Save(dir.File("nan.json"));
        var r = CliHarness.Run("export", "--model", dir.File("nan.json"), "--onnx", dir.File("o.onnx"));
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("nan.json", r.Stderr);
        Assert.Contains("layer1.weight[4]", r.Stderr);
        Assert.False(File.Exists(dir.File("o.onnx")));
    }
}
