using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Backprop.Data;
using Backprop.Data.Formats;
using Backprop.Data.Preprocessing;
using Backprop.Layers;
using Backprop.Losses;
using Backprop.Networks;

namespace Backprop.Models;

/// <summary>
/// What an import cannot read off the weights themselves. Null fields come from the file's own "backprop" description
/// (written by <see cref="WeightExchange"/>'s exports and <see cref="MatlabExport"/>) or, without one, the defaults:
/// ReLU hidden units and a softmax output (scikit-learn's and the usual PyTorch classifier; MATLAB: sigmoid everywhere,
/// as ex4), class names "0".."K-1", the weights' own precision, no scaling.
/// </summary>
public sealed record WeightImportOptions
{
    /// <summary>Expected layer sizes, input first; the weights must have exactly these shapes.</summary>
    public IReadOnlyList<int>? Layers { get; init; }
    public Activation? Hidden { get; init; }
    public Activation? Output { get; init; }
    public IReadOnlyList<string>? Classes { get; init; }
    public Precision? Precision { get; init; }
    /// <summary>The scaling the raw inputs need before the network (e.g. <see cref="Preprocessor.MinMaxFixed"/> 0..255 → 0..1).</summary>
    public Preprocessor? Preprocessor { get; init; }
}

/// <summary>
/// Weights in and out of scikit-learn and PyTorch (docs/model-format.md#weights-in-and-out).
/// <list type="bullet">
/// <item>.npz in scikit-learn's <c>MLPClassifier</c> layout: <c>coefs_0</c>, <c>coefs_1</c>, … [in, out] and
/// <c>intercepts_0</c>, … [out] (<c>clf.coefs_ = [z[f"coefs_{i}"] …]</c>), plus the input scaling as <c>x_scale</c>,
/// <c>x_offset</c> (MinMax: X·scale + offset) or <c>x_mean</c>, <c>x_std</c> (Standardize: (X − mean)/std), and
/// <c>backprop</c>: the UTF-8 bytes of the model's description (JSON: layers, activations, loss, classes, precision,
/// image, preprocessing).</item>
/// <item>.safetensors with PyTorch's <c>nn.Sequential(Linear, act, Linear, act, …)</c> <c>state_dict</c> names
/// <c>0.weight</c> [out, in], <c>0.bias</c>, <c>2.weight</c>, … and the description as metadata <c>backprop</c>.</item>
/// </list>
/// Weights keep the model's precision (float32 or float64) and are copied exactly.
/// </summary>
public static class WeightExchange
{
    /// <summary>Name of the description: an npz member (uint8 UTF-8 JSON) and a safetensors metadata key.</summary>
    public const string DescriptionKey = "backprop";

    /// <summary>The arrays of the scikit-learn .npz, in file order.</summary>
    public static IReadOnlyList<NDArray> SklearnArrays(Model model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var list = new List<NDArray>();
        var layers = Layers(model);
        for (int l = 0; l < layers.Count; l++)
        {
            var (w, b, outs, ins) = layers[l];
            list.Add(Tensor($"coefs_{l}", [ins, outs], Transpose(w, outs, ins), model.Precision));
        }
        for (int l = 0; l < layers.Count; l++)
            list.Add(Tensor($"intercepts_{l}", [layers[l].Outs], layers[l].B, model.Precision));
        if (model.Preprocessor is { Kind: not PreprocessorKind.Identity } pre)
        {
            int n = pre.FeatureCount;
            bool minMax = pre.Kind == PreprocessorKind.MinMax;
            list.Add(new NDArray(minMax ? "x_scale" : "x_mean", "double", [n], (minMax ? pre.ApplyScale : pre.ApplyOffset).ToArray()));
            list.Add(new NDArray(minMax ? "x_offset" : "x_std", "double", [n], (minMax ? pre.ApplyOffset : pre.ApplyScale).ToArray()));
        }
        var description = Encoding.UTF8.GetBytes(Description(model));
        list.Add(new NDArray(DescriptionKey, "uint8", [description.Length], description));
        return list;
    }

    /// <summary>The tensors of the safetensors file: PyTorch's nn.Sequential state_dict, Linear layers at 0, 2, 4, ….</summary>
    public static IReadOnlyList<NDArray> TorchTensors(Model model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var list = new List<NDArray>();
        var layers = Layers(model);
        for (int l = 0; l < layers.Count; l++)
        {
            var (w, b, outs, ins) = layers[l];
            list.Add(Tensor($"{2 * l}.weight", [outs, ins], w, model.Precision));
            list.Add(Tensor($"{2 * l}.bias", [outs], b, model.Precision));
        }
        return list;
    }

    /// <summary>Writes <see cref="SklearnArrays"/> as a compressed .npz, atomically.</summary>
    public static IReadOnlyList<NDArray> SaveNpz(Model model, string path)
    {
        var arrays = SklearnArrays(model);
        NpzFile.Write(path, arrays);
        return arrays;
    }

    /// <summary>Writes <see cref="TorchTensors"/> and the description (metadata "backprop", and "format": "pt") as .safetensors, atomically.</summary>
    public static IReadOnlyList<NDArray> SaveSafetensors(Model model, string path)
    {
        var tensors = TorchTensors(model);
        SafeTensorsFile.Write(path, tensors, new Dictionary<string, string> { ["format"] = "pt", [DescriptionKey] = Description(model) });
        return tensors;
    }

    /// <summary>A model from a scikit-learn style .npz (coefs_i [in, out], intercepts_i [out]).</summary>
    public static Model ImportNpz(string path, WeightImportOptions? options = null)
    {
        string name = Path.GetFileName(path);
        var contents = NpzFile.Read(path);
        var layers = new List<(NDArray W, NDArray B)>();
        for (int l = 0; contents.Find($"coefs_{l}") is { } coef; l++)
        {
            var intercept = contents.Find($"intercepts_{l}") ?? throw new InvalidDataException($"{name}: coefs_{l} has no intercepts_{l}.");
            if (coef.Shape.Length != 2) throw new InvalidDataException($"{name}: coefs_{l} is {coef.ShapeText}; expected a matrix [inputs, units].");
            layers.Add((new NDArray(coef.Name, coef.ClassName, [coef.Shape[1], coef.Shape[0]], TransposeArray(coef)), intercept));
        }
        if (layers.Count == 0)
            throw new InvalidDataException($"{name}: no coefs_0 (found: {string.Join(", ", contents.Variables.Select(v => v.Name))}); expected scikit-learn's coefs_i [in, out] and intercepts_i [out].");
        var description = contents.Find(DescriptionKey) is { } d ? ParseDescription(name, Encoding.UTF8.GetString(d.ToDoubles().Select(v => (byte)v).ToArray())) : null;
        return Build(name, layers, description, options, defaultHidden: Activation.Relu, defaultOutput: Activation.Softmax);
    }

    /// <summary>A model from PyTorch nn.Sequential weights in .safetensors (N.weight [out, in], N.bias [out], Linear layers in order of N).</summary>
    public static Model ImportSafetensors(string path, WeightImportOptions? options = null)
    {
        string name = Path.GetFileName(path);
        var contents = SafeTensorsFile.Read(path);
        var linear = new List<(long Index, string Prefix, NDArray W)>();
        foreach (var t in contents.Tensors)
        {
            var m = System.Text.RegularExpressions.Regex.Match(t.Name, @"^(.*?)(\d+)\.weight$");
            if (m.Success) linear.Add((long.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture), m.Groups[1].Value, t));
        }
        if (linear.Count == 0)
            throw new InvalidDataException($"{name}: no Linear weights named like \"0.weight\" (found: {string.Join(", ", contents.Tensors.Select(t => t.Name))}).");
        if (linear.Select(l => l.Prefix).Distinct().Count() > 1)
            throw new InvalidDataException($"{name}: the weights belong to several modules ({string.Join(", ", linear.Select(l => l.W.Name))}); expected one nn.Sequential.");
        var layers = new List<(NDArray W, NDArray B)>();
        foreach (var (index, prefix, w) in linear.OrderBy(l => l.Index))
        {
            var b = contents.Find($"{prefix}{index}.bias") ?? throw new InvalidDataException($"{name}: {w.Name} has no {prefix}{index}.bias (Linear layers need a bias).");
            if (w.Shape.Length != 2) throw new InvalidDataException($"{name}: {w.Name} is {w.ShapeText}; expected a matrix [out, in].");
            layers.Add((w, b));
        }
        var description = contents.Metadata.TryGetValue(DescriptionKey, out var json) ? ParseDescription(name, json) : null;
        return Build(name, layers, description, options, defaultHidden: Activation.Relu, defaultOutput: Activation.Softmax);
    }

    /// <summary>A model from the course's Theta1, Theta2, … [units, 1 + inputs] (bias first), as ex4weights.mat or <see cref="MatlabExport"/>.</summary>
    public static Model ImportMatlab(string path, WeightImportOptions? options = null)
    {
        string name = Path.GetFileName(path);
        var contents = Data.Formats.Mat.MatFile.Read(path);
        var layers = new List<(NDArray W, NDArray B)>();
        for (int l = 1; contents.Find($"Theta{l}") is { } theta; l++)
        {
            if (theta.Shape.Length != 2 || theta.Shape[1] < 2)
                throw new InvalidDataException($"{name}: Theta{l} is {theta.ShapeText}; expected [units, 1 + inputs] with the bias in column 1.");
            int outs = theta.Shape[0], cols = theta.Shape[1];
            var t = theta.ToDoubles();
            var w = new double[outs * (cols - 1)];
            var b = new double[outs];
            for (int i = 0; i < outs; i++)
            {
                b[i] = t[i * cols];
                Array.Copy(t, i * cols + 1, w, i * (cols - 1), cols - 1);
            }
            layers.Add((new NDArray(theta.Name, "double", [outs, cols - 1], w), new NDArray(theta.Name, "double", [outs], b)));
        }
        if (layers.Count == 0)
            throw new InvalidDataException($"{name}: no Theta1 (found: {string.Join(", ", contents.Variables.Select(v => v.Name))}); expected the course's Theta1, Theta2, ….");
        // MatlabExport's own variables describe the model; ex4weights.mat has none of them.
        var acts = contents.Find("activations") is { Data: char[] a } ? new string(a).Split(',').Select(Activations.Parse).ToArray() : null;
        string[]? classes = contents.Find("classes") is { Data: char[] c, Shape: [int rows, int width] } ? CharRows(c, rows, width) : null;
        Preprocessor? pre = null;
        if (contents.Find("x_scale") is { } xs && contents.Find("x_offset") is { } xo) pre = MinMaxFromAffine(xs.ToDoubles(), xo.ToDoubles());
        else if (contents.Find("x_mean") is { } xm && contents.Find("x_std") is { } xd)
            pre = Preprocessor.FromJson(new JsonObject { ["kind"] = "Standardize", ["featureCount"] = xm.Length, ["mean"] = Numbers(xm.ToDoubles()), ["std"] = Numbers(xd.ToDoubles()) }.ToJsonString());
        var description = new Described(null, acts, null, classes, null, null, pre);
        var model = Build(name, layers, description, options, defaultHidden: Activation.Sigmoid, defaultOutput: Activation.Sigmoid);
        return model;
    }

    /// <summary>The model's description as stored beside the weights (JSON).</summary>
    public static string Description(Model model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var o = new JsonObject
        {
            ["layers"] = new JsonArray(model.Spec.LayerSizes.Select(s => (JsonNode?)s).ToArray()),
            ["activations"] = new JsonArray(model.Spec.Activations.Select(a => (JsonNode?)Activations.Name(a)).ToArray()),
            ["loss"] = LossFunctions.Name(model.Spec.Loss),
            ["precision"] = model.Precision == Precision.Float32 ? "float32" : "float64",
            ["classes"] = new JsonArray(model.ClassNames.Select(c => (JsonNode?)c).ToArray()),
            ["image"] = model.Image is { } im ? new JsonObject { ["height"] = im.Height, ["width"] = im.Width, ["channels"] = im.Channels, ["column_major"] = im.ColumnMajor } : null,
            ["preprocessing"] = model.Preprocessor is null ? null : JsonNode.Parse(model.Preprocessor.ToJson()),
        };
        return o.ToJsonString();
    }

    private sealed record Described(int[]? Layers, Activation[]? Activations, Loss? Loss, string[]? Classes, Precision? Precision, ImageShape? Image, Preprocessor? Preprocessor);

    private static Described ParseDescription(string file, string json)
    {
        try
        {
            var o = JsonNode.Parse(json) as JsonObject ?? throw new InvalidDataException("not a JSON object");
            return new Described(
                (o["layers"] as JsonArray)?.Select(n => (int)n!).ToArray(),
                (o["activations"] as JsonArray)?.Select(n => Activations.Parse((string)n!)).ToArray(),
                o["loss"] is { } loss ? LossFunctions.Parse((string)loss!) : null,
                (o["classes"] as JsonArray)?.Select(n => (string)n!).ToArray(),
                (string?)o["precision"] switch { "float32" => Precision.Float32, "float64" => Precision.Float64, _ => null },
                o["image"] is JsonObject im ? new ImageShape((int)im["height"]!, (int)im["width"]!, (int?)im["channels"] ?? 1, (bool?)im["column_major"] ?? false) : null,
                o["preprocessing"] is JsonObject p ? Preprocessor.FromJson(p.ToJsonString()) : null);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException or ArgumentException or InvalidDataException or NullReferenceException)
        {
            throw new InvalidDataException($"{file}: the \"{DescriptionKey}\" description is malformed ({e.Message}).", e);
        }
    }

    /// <summary>Checks the shapes chain (and match <see cref="WeightImportOptions.Layers"/>) and assembles the model.</summary>
    private static Model Build(string file, List<(NDArray W, NDArray B)> layers, Described? described, WeightImportOptions? options,
        Activation defaultHidden, Activation defaultOutput)
    {
        options ??= new WeightImportOptions();
        var sizes = new List<int> { layers[0].W.Shape[1] };
        for (int l = 0; l < layers.Count; l++)
        {
            var (w, b) = layers[l];
            if (w.Shape[1] != sizes[^1])
                throw new InvalidDataException($"{file}: {w.Name} is [{w.Shape[0]}, {w.Shape[1]}] as [out, in]; after a layer of {sizes[^1]} units it needs {sizes[^1]} inputs.");
            if (b.Length != w.Shape[0])
                throw new InvalidDataException($"{file}: the bias of layer {l + 1} ({b.Name}) has {b.Length} values; its weights have {w.Shape[0]} units.");
            sizes.Add(w.Shape[0]);
        }
        if (options.Layers is { } expected && !expected.SequenceEqual(sizes))
            throw new InvalidDataException($"{file}: the weights are a {string.Join(",", sizes)} network; --layers says {string.Join(",", expected)}.");

        Activation[] acts;
        if (options.Hidden is not null || options.Output is not null || described?.Activations is null)
        {
            var hidden = options.Hidden ?? (described?.Activations is { Length: > 1 } da ? da[0] : defaultHidden);
            var output = options.Output ?? described?.Activations?[^1] ?? defaultOutput;
            acts = Enumerable.Repeat(hidden, layers.Count - 1).Append(output).ToArray();
        }
        else acts = described.Activations;
        if (acts.Length != layers.Count)
            throw new InvalidDataException($"{file}: the description names {acts.Length} activations for {layers.Count} layers.");
        NetworkSpec spec;
        try { spec = new NetworkSpec(sizes, acts, described?.Loss is { } l && acts[^1] == described.Activations?[^1] ? l : LossFunctions.DefaultFor(acts[^1])); }
        catch (ArgumentException e) { throw new InvalidDataException($"{file}: {e.Message}", e); }

        bool anyDouble = layers.Any(p => p.W.Data is double[] || p.B.Data is double[]);
        var precision = options.Precision ?? described?.Precision ?? (anyDouble ? Precision.Float64 : Precision.Float32);
        var flat = new double[spec.ParameterCount];
        int at = 0;
        foreach (var (w, b) in layers)
        {
            foreach (var v in new[] { w, b })
            {
                var values = v.ToDoubles();
                for (int i = 0; i < values.Length; i++)
                    if (!double.IsFinite(values[i])) throw new InvalidDataException($"{file}: {v.Name} holds {values[i].ToString(CultureInfo.InvariantCulture)} at index {i}; weights must be finite.");
                values.CopyTo(flat, at);
                at += values.Length;
            }
        }
        var classes = options.Classes ?? described?.Classes;
        var pre = options.Preprocessor ?? described?.Preprocessor;
        if (pre is not null && pre.FeatureCount != spec.Inputs)
            throw new InvalidDataException($"{file}: the input scaling has {pre.FeatureCount} features; the network takes {spec.Inputs}.");
        var metadata = new Dictionary<string, string> { ["imported_from"] = file };
        try
        {
            return precision == Precision.Float32
                ? Model.From(new Network<float>(spec, flat.Select(v => (float)v).ToArray()), pre, classes, described?.Image, metadata)
                : Model.From(new Network<double>(spec, flat), pre, classes, described?.Image, metadata);
        }
        catch (ArgumentException e) { throw new InvalidDataException($"{file}: {e.Message}", e); }
    }

    private static List<(double[] W, double[] B, int Outs, int Ins)> Layers(Model model)
    {
        var p = model.ParametersAsDoubles();
        var result = new List<(double[], double[], int, int)>();
        int at = 0;
        for (int l = 0; l < model.Spec.LayerCount; l++)
        {
            int ins = model.Spec.LayerSizes[l], outs = model.Spec.LayerSizes[l + 1];
            var w = p.AsSpan(at, outs * ins).ToArray();
            at += outs * ins;
            var b = p.AsSpan(at, outs).ToArray();
            at += outs;
            result.Add((w, b, outs, ins));
        }
        return result;
    }

    /// <summary>An array in the model's precision (the float64 copy of a float32 model narrows back exactly).</summary>
    private static NDArray Tensor(string name, int[] shape, double[] values, Precision precision) =>
        precision == Precision.Float32
            ? new NDArray(name, "single", shape, values.Select(v => (float)v).ToArray())
            : new NDArray(name, "double", shape, values);

    private static double[] Transpose(double[] m, int rows, int cols)
    {
        var t = new double[m.Length];
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < cols; j++)
                t[j * rows + i] = m[i * cols + j];
        return t;
    }

    /// <summary>The transpose of a 2-D array, keeping float32 data float32.</summary>
    private static Array TransposeArray(NDArray a)
    {
        int rows = a.Shape[0], cols = a.Shape[1];
        if (a.Data is float[] f)
        {
            var t = new float[f.Length];
            for (int i = 0; i < rows; i++)
                for (int j = 0; j < cols; j++)
                    t[j * rows + i] = f[i * cols + j];
            return t;
        }
        return Transpose(a.ToDoubles(), rows, cols);
    }

    /// <summary>
    /// The MinMax scaler X·scale + offset as data range [−offset/scale, −offset/scale + 1/scale] → [0, 1]: the same map,
    /// equal to within a rounding of the original (exactly so for pixel scaling, scale 1/255 and offset 0).
    /// </summary>
    private static Preprocessor MinMaxFromAffine(double[] scale, double[] offset)
    {
        var min = new double[scale.Length];
        var max = new double[scale.Length];
        for (int j = 0; j < scale.Length; j++)
        {
            min[j] = -offset[j] / scale[j];
            max[j] = min[j] + 1 / scale[j];
        }
        return Preprocessor.FromJson(new JsonObject { ["kind"] = "MinMax", ["featureCount"] = scale.Length, ["lo"] = 0.0, ["hi"] = 1.0, ["min"] = Numbers(min), ["max"] = Numbers(max) }.ToJsonString());
    }

    private static JsonArray Numbers(double[] values) => new(values.Select(v => (JsonNode?)JsonValue.Create(v)).ToArray());

    private static string[] CharRows(char[] c, int rows, int width) =>
        Enumerable.Range(0, rows).Select(r => new string(c, r * width, width).TrimEnd(' ')).ToArray();
}
