using System.CommandLine;
using System.Text.Json.Nodes;
using Backprop.Data.Preprocessing;
using Backprop.Layers;
using Backprop.Models;

namespace Backprop.Cli.Commands;

/// <summary>
/// <c>backprop import --npz|--safetensors|--matlab F --layers … --out M</c>: weights trained elsewhere (scikit-learn,
/// PyTorch, MATLAB/Octave) as a Backprop model file, which predict, evaluate, export and serve then use
/// (<see cref="WeightExchange"/>).
/// </summary>
internal static class ImportCommand
{
    public static Command Create()
    {
        var npz = new Option<string?>("--npz") { Description = "scikit-learn weights: coefs_0, coefs_1, … [in, out] and intercepts_0, … [out] (as 'export --npz' writes)" };
        var safetensors = new Option<string?>("--safetensors") { Description = "PyTorch nn.Sequential weights: 0.weight [out, in], 0.bias, 2.weight, … (any Linear indices, in order)" };
        var matlab = new Option<string?>("--matlab") { Description = "MATLAB/Octave weights: Theta1, Theta2, … [units, 1 + inputs], bias in column 1 (ex4's layout)" };
        var layers = new Option<string>("--layers") { Description = "Layer sizes, input first, e.g. 784,256,10: the weights must have exactly these shapes", Required = true };
        var activation = new Option<string?>("--activation") { Description = "Hidden activation: sigmoid, tanh, relu, identity (default: the file's own description, else relu; MATLAB: sigmoid)" };
        var outputAct = new Option<string?>("--output") { Description = "Output activation: softmax, sigmoid, identity (default: the file's own description, else softmax; MATLAB: sigmoid)" };
        var classes = new Option<string?>("--classes") { Description = "Class names of the output units, comma-separated (default: the file's, else 0..K-1)" };
        var scaling = new Option<string?>("--scaling") { Description = "What the raw inputs need before the network: none, or pixels (0..255 → 0..1) (default: the file's own, else none)" };
        var precision = new Option<string?>("--precision") { Description = "float32 or float64 (default: the weights' own)" };
        var output = new Option<string>("--out") { Description = "The model file to write", Required = true };
        var json = Options.Json();
        var command = new Command("import",
            "Turn weights trained elsewhere (scikit-learn .npz, PyTorch .safetensors, MATLAB .mat) into a Backprop model file. JSON: source, format, network, precision, classes, scaling, out")
        {
            npz, safetensors, matlab, layers, activation, outputAct, classes, scaling, precision, output, json,
        };
        command.SetAction(parse =>
        {
            var stdout = parse.InvocationConfiguration.Output;
            var sources = new (string Option, string? Path)[] { ("--npz", parse.GetValue(npz)), ("--safetensors", parse.GetValue(safetensors)), ("--matlab", parse.GetValue(matlab)) }
                .Where(s => !string.IsNullOrWhiteSpace(s.Path)).ToArray();
            if (sources.Length != 1)
                throw new UsageException($"import: give exactly one of --npz, --safetensors and --matlab{(sources.Length > 1 ? $" (got {string.Join(" and ", sources.Select(s => s.Option))})" : "")}.");
            var (option, path) = (sources[0].Option, sources[0].Path!);
            if (Directory.Exists(path)) throw new UsageException($"{option} {path}: is a directory, not a weights file.");
            if (!File.Exists(path)) throw new UsageException($"{option} {path}: no such file.");
            var sizes = Options.ParseLayers(parse.GetValue(layers)!);
            string outPath = Options.RequireOutputFile(parse.GetValue(output)!, "--out");
            var options = new WeightImportOptions
            {
                Layers = sizes,
                Hidden = parse.GetValue(activation) is { } h ? Options.ParseActivation(h, "--activation") : null,
                Output = parse.GetValue(outputAct) is { } o ? Options.ParseActivation(o, "--output") : null,
                Classes = parse.GetValue(classes) is { } c ? ParseClasses(c, sizes[^1]) : null,
                Precision = parse.GetValue(precision) is { } p ? Options.Parse(Precisions.Parse, p, "--precision") : null,
                Preprocessor = parse.GetValue(scaling) switch
                {
                    null => null,
                    "none" => Preprocessor.Identity(sizes[0]),
                    "pixels" => Preprocessor.MinMaxFixed(sizes[0], 0, 255),
                    var other => throw new UsageException($"--scaling '{other}': expected none or pixels."),
                },
            };
            Model model;
            try
            {
                model = option switch
                {
                    "--npz" => WeightExchange.ImportNpz(path, options),
                    "--safetensors" => WeightExchange.ImportSafetensors(path, options),
                    _ => WeightExchange.ImportMatlab(path, options),
                };
            }
            catch (Exception e) when (e is InvalidDataException or NotSupportedException or EndOfStreamException)
            {
                string prefix = Path.GetFileName(path) + ": ";
                throw new UsageException($"{option} {path}: {(e.Message.StartsWith(prefix, StringComparison.Ordinal) ? e.Message[prefix.Length..] : e.Message)}");
            }
            Options.WriteOutput(outPath, "--out", () => model.Save(outPath));
            string scalingText = model.Preprocessor?.ToString() ?? "none";
            string precisionText = Precisions.Name(model.Precision);
            if (parse.GetValue(json))
                Cli.WriteJson(stdout, new JsonObject
                {
                    ["source"] = path,
                    ["format"] = option[2..],
                    ["network"] = model.Spec.ToString(),
                    ["precision"] = precisionText,
                    ["classes"] = Cli.ToJsonArray(model.ClassNames),
                    ["scaling"] = scalingText,
                    ["out"] = outPath,
                });
            else
            {
                stdout.WriteLine($"weights    {path}: {option[2..]}, {model.Spec}, {precisionText}");
                stdout.WriteLine($"model      saved to {outPath} (classes {string.Join(" ", model.ClassNames)}; scaling {scalingText})");
            }
            return Cli.Ok;
        });
        return command;
    }

    private static string[] ParseClasses(string text, int outputs)
    {
        var names = text.Split(',', StringSplitOptions.TrimEntries);
        int expected = outputs == 1 ? 2 : outputs;
        if (names.Length != expected || names.Any(string.IsNullOrEmpty))
            throw new UsageException($"--classes '{text}': {expected} non-empty names expected (one per output unit{(outputs == 1 ? "; a single sigmoid unit has two classes" : "")}), got {names.Length}.");
        return names;
    }
}
