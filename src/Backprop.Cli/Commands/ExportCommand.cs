using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using Backprop.Models;
using Backprop.Models.Onnx;

namespace Backprop.Cli.Commands;

/// <summary>
/// <c>backprop export --model PATH [--onnx OUT.onnx] [--matlab OUT.mat] [--npz OUT.npz] [--safetensors OUT.safetensors]</c>:
/// a saved model for use elsewhere — an ONNX graph (<see cref="OnnxExport"/>), the course's MATLAB Theta matrices
/// (<see cref="MatlabExport"/>), scikit-learn's coefs_/intercepts_ and PyTorch's state_dict (<see cref="WeightExchange"/>).
/// </summary>
internal static class ExportCommand
{
    public static Command Create()
    {
        var modelPath = new Option<string>("--model") { Description = "A model saved by 'backprop train' (or Model.Save)", Required = true };
        var onnx = new Option<string?>("--onnx") { Description = "Write an ONNX model: input 'input' [N, features] raw features, outputs 'probabilities' [N, classes] and 'label' int64 [N]" };
        var matlab = new Option<string?>("--matlab") { Description = "Write a .mat file with Theta1, Theta2, … (ex4 layout, bias column first), activations, classes and the input scaling" };
        var npz = new Option<string?>("--npz") { Description = "Write scikit-learn's MLPClassifier weights: coefs_0, coefs_1, … [in, out] and intercepts_0, … [out], plus the input scaling" };
        var safetensors = new Option<string?>("--safetensors") { Description = "Write PyTorch's nn.Sequential state_dict as safetensors: 0.weight [out, in], 0.bias, 2.weight, …" };
        var precision = new Option<string>("--precision") { Description = "Element type of the ONNX graph: float32 (default) or float64", DefaultValueFactory = _ => "float32" };
        var json = Options.Json();
        var command = new Command("export",
            "Export a saved model to ONNX (any ONNX runtime: C#, Python, C++, JavaScript…), MATLAB's Theta matrices, scikit-learn (.npz) and/or PyTorch (.safetensors). JSON: model, network, classes, onnx {path, bytes, opset, …}, matlab, npz, safetensors {path, variables}")
        {
            modelPath, onnx, matlab, npz, safetensors, precision, json,
        };
        command.SetAction(parse =>
        {
            var stdout = parse.InvocationConfiguration.Output;
            string path = parse.GetValue(modelPath)!;
            string? onnxPath = Blank(parse.GetValue(onnx));
            string? matPath = Blank(parse.GetValue(matlab));
            var elementType = Options.Parse(Precisions.Parse, parse.GetValue(precision)!, "--precision") == Precision.Float32
                ? OnnxElementType.Float32 : OnnxElementType.Float64;
            string? npzPath = Blank(parse.GetValue(npz));
            string? stPath = Blank(parse.GetValue(safetensors));
            if (onnxPath is null && matPath is null && npzPath is null && stPath is null)
                throw new UsageException("export: give --onnx OUT.onnx and/or --matlab OUT.mat (or --npz OUT.npz, --safetensors OUT.safetensors).");
            var outputs = new (string Option, string? Path)[] { ("--onnx", onnxPath), ("--matlab", matPath), ("--npz", npzPath), ("--safetensors", stPath) }
                .Where(o => o.Path is not null).ToArray();
            for (int i = 0; i < outputs.Length; i++)
                for (int j = i + 1; j < outputs.Length; j++)
                    if (Path.GetFullPath(outputs[i].Path!) == Path.GetFullPath(outputs[j].Path!))
                        throw new UsageException($"export: {outputs[i].Option} and {outputs[j].Option} name the same file '{outputs[i].Path}'.");
            foreach (var (option, file) in outputs) CheckOutput(file, option);
            var model = Load(path);

            OnnxExportInfo? info = null;
            if (onnxPath is not null)
            {
                try { info = OnnxExport.Save(model, onnxPath, new OnnxExportOptions { ElementType = elementType }); }
                catch (InvalidDataException e) { throw new UsageException($"--model {path}: {e.Message}"); }
            }
            IReadOnlyList<Backprop.Data.NDArray>? variables = matPath is null ? null : MatlabExport.Save(model, matPath);
            var npzArrays = npzPath is null ? null : WeightExchange.SaveNpz(model, npzPath);
            var tensors = stPath is null ? null : WeightExchange.SaveSafetensors(model, stPath);

            if (parse.GetValue(json))
            {
                var o = ToJson(path, model, onnxPath, info, matPath, variables);
                o["npz"] = Variables(npzPath, npzArrays);
                o["safetensors"] = Variables(stPath, tensors);
                Cli.WriteJson(stdout, o);
            }
            else
            {
                WriteText(stdout, path, model, onnxPath, info, matPath, variables);
                if (npzArrays is not null)
                    stdout.WriteLine($"npz        {npzPath}: {string.Join(", ", npzArrays.Select(v => $"{v.Name} {v.ShapeText} {DType(v)}"))} (scikit-learn's coefs_ [in, out], intercepts_)");
                if (tensors is not null)
                    stdout.WriteLine($"safetensors {stPath}: {string.Join(", ", tensors.Select(v => $"{v.Name} {v.ShapeText} {DType(v)}"))} (PyTorch nn.Sequential state_dict)");
            }
            return Cli.Ok;
        });
        return command;
    }

    private static string? Blank(string? s) => string.IsNullOrWhiteSpace(s) ? null : s;

    private static void CheckOutput(string? path, string option)
    {
        if (path is not null && Directory.Exists(path)) throw new UsageException($"{option} {path}: is a directory; give a file name.");
    }

    /// <summary>A missing or unreadable model is bad input: one line naming the file, exit code 2.</summary>
    internal static Model Load(string path)
    {
        if (Directory.Exists(path)) throw new UsageException($"--model {path}: is a directory, not a model file.");
        if (!File.Exists(path)) throw new UsageException($"--model {path}: no such file.");
        try { return Model.Load(path); }
        catch (InvalidDataException e)
        {
            // Model.Load's messages start with the file name; say it once.
            string prefix = Path.GetFileName(path) + ": ";
            throw new UsageException($"--model {path}: {(e.Message.StartsWith(prefix, StringComparison.Ordinal) ? e.Message[prefix.Length..] : e.Message)}");
        }
    }

    private static JsonObject? Variables(string? path, IReadOnlyList<Backprop.Data.NDArray>? arrays) => arrays is null ? null : new JsonObject
    {
        ["path"] = path,
        ["variables"] = new JsonArray(arrays.Select(v => (JsonNode)new JsonObject
        {
            ["name"] = v.Name, ["dtype"] = DType(v), ["shape"] = Cli.ToJsonArray(v.Shape),
        }).ToArray()),
    };

    private static string DType(Backprop.Data.NDArray v) => v.Data switch { float[] => "float32", double[] => "float64", byte[] => "uint8", _ => v.ClassName };

    private static string Scaling(Model model) => model.Preprocessor?.ToString() ?? "none";

    private static JsonObject ToJson(string path, Model model, string? onnxPath, OnnxExportInfo? info, string? matPath, IReadOnlyList<Backprop.Data.NDArray>? variables) => new()
    {
        ["model"] = path,
        ["network"] = model.Spec.ToString(),
        ["precision"] = Precisions.Name(model.Precision),
        ["scaling"] = Scaling(model),
        ["classes"] = Cli.ToJsonArray(model.ClassNames),
        ["onnx"] = info is null ? null : new JsonObject
        {
            ["path"] = onnxPath,
            ["bytes"] = info.Bytes,
            ["ir_version"] = info.IrVersion,
            ["opset"] = info.Opset,
            ["element_type"] = info.ElementType == OnnxElementType.Float32 ? "float32" : "float64",
            ["input"] = new JsonObject { ["name"] = OnnxExport.InputName, ["shape"] = new JsonArray("N", info.Features) },
            ["outputs"] = new JsonArray(
                new JsonObject { ["name"] = OnnxExport.ProbabilitiesName, ["shape"] = new JsonArray("N", info.Outputs) },
                new JsonObject { ["name"] = OnnxExport.LabelName, ["shape"] = new JsonArray("N"), ["type"] = "int64" }),
            ["operators"] = Cli.ToJsonArray(info.Operators),
            ["constants"] = info.Constants,
        },
        ["matlab"] = variables is null ? null : new JsonObject
        {
            ["path"] = matPath,
            ["variables"] = new JsonArray(variables.Select(v => (JsonNode)new JsonObject
            {
                ["name"] = v.Name, ["class"] = v.ClassName, ["shape"] = Cli.ToJsonArray(v.Shape),
            }).ToArray()),
        },
    };

    private static void WriteText(TextWriter stdout, string path, Model model, string? onnxPath, OnnxExportInfo? info, string? matPath, IReadOnlyList<Backprop.Data.NDArray>? variables)
    {
        var c = CultureInfo.InvariantCulture;
        stdout.WriteLine(string.Create(c, $"model      {path}: {model.Spec}, {Precisions.Name(model.Precision)}, scaling {Scaling(model)}, {model.ClassNames.Count} classes"));
        if (info is not null)
        {
            string t = info.ElementType == OnnxElementType.Float32 ? "float32" : "float64";
            stdout.WriteLine(string.Create(c, $"onnx       {onnxPath}: {info.Bytes} bytes, opset {info.Opset}, IR {info.IrVersion}, {t}"));
            stdout.WriteLine(string.Create(c, $"           input \"{OnnxExport.InputName}\" {t} [N, {info.Features}] (raw features; the scaling is in the graph)"));
            stdout.WriteLine(string.Create(c, $"           outputs \"{OnnxExport.ProbabilitiesName}\" {t} [N, {info.Outputs}], \"{OnnxExport.LabelName}\" int64 [N]; class names in metadata \"{OnnxExport.ClassesKey}\""));
            stdout.WriteLine($"           graph: {string.Join(" ", info.Operators)}");
        }
        if (variables is not null)
            stdout.WriteLine($"matlab     {matPath}: {string.Join(", ", variables.Select(v => $"{v.Name} {v.ShapeText} {v.ClassName}"))}");
    }
}
