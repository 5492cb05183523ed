using System.Buffers.Binary;
using System.Globalization;
using System.Text.Json;
using Backprop.Data.Preprocessing;
using Backprop.Layers;

namespace Backprop.Models.Onnx;

/// <summary>Element type of an exported ONNX graph (its input, weights and probabilities).</summary>
public enum OnnxElementType
{
    /// <summary>float32, what ONNX runtimes serve fastest (float64 networks are rounded to it).</summary>
    Float32,
    /// <summary>float64 (float32 networks are widened exactly).</summary>
    Float64,
}

/// <summary>How <see cref="OnnxExport"/> writes a model.</summary>
public sealed record OnnxExportOptions
{
    /// <summary>Element type of the graph; float32 by default, whatever the model's own precision.</summary>
    public OnnxElementType ElementType { get; init; } = OnnxElementType.Float32;

    /// <summary>Stored in ModelProto.model_version (the version of this model, not of the format).</summary>
    public long ModelVersion { get; init; } = 1;
}

/// <summary>What an export wrote.</summary>
/// <param name="Bytes">Size of the .onnx file.</param>
/// <param name="Operators">The op_type of every node, in graph order.</param>
/// <param name="Metadata">ModelProto.metadata_props, in file order.</param>
public sealed record OnnxExportInfo(long Bytes, long IrVersion, long Opset, OnnxElementType ElementType, int Features, int Outputs,
    IReadOnlyList<string> Operators, int Initializers, long Constants, IReadOnlyList<KeyValuePair<string, string>> Metadata);

/// <summary>
/// Exports a <see cref="Model"/> (network, preprocessing, class names) as an ONNX model that any ONNX runtime can
/// run (docs/model-format.md has the graph layout): input <c>input</c> [N, features] — the raw features, as given to
/// <see cref="Model.PredictProba(ReadOnlySpan{double}, int)"/>: the model's scaler is in the graph (Mul/Add for
/// MinMax, Sub/Div for Standardize) — then per layer <c>Gemm</c> (transB = 1, W [out, in]) and its activation
/// (Sigmoid, Tanh, Relu, Identity; Softmax with axis −1), output <c>probabilities</c> [N, outputs] and <c>label</c>
/// int64 [N] (ArgMax over the outputs; for one sigmoid unit, probability &gt; 0.5 as 0/1, exactly as
/// <see cref="Model.Predict(ReadOnlySpan{double}, int)"/>). Opset 13, IR version 8; class names and how the model
/// was made go to metadata_props. The protobuf encoding is written here (no native dependency); files are
/// deterministic: the same model gives the same bytes.
/// </summary>
public static class OnnxExport
{
    /// <summary>ONNX IR version 8 (ONNX 1.10+).</summary>
    public const long IrVersion = 8;
    /// <summary>The default-domain operator set the graph is written against.</summary>
    public const long Opset = 13;
    public const string InputName = "input";
    public const string ProbabilitiesName = "probabilities";
    public const string LabelName = "label";
    public const string ProducerName = "Backprop";
    /// <summary>metadata_props key of the class names (a JSON array of strings, label index i ↔ element i).</summary>
    public const string ClassesKey = "classes";

    /// <summary>Protobuf caps a message at 2 GiB; external data files are not written.</summary>
    private const long MaxBytes = int.MaxValue - (1 << 20);

    /// <summary>Writes <paramref name="model"/> to <paramref name="path"/> as ONNX, atomically (a temporary file, then a rename).</summary>
    /// <exception cref="NotSupportedException">The model cannot be represented (too large for one protobuf message).</exception>
    /// <exception cref="InvalidDataException">A parameter or scaling constant is not finite, or overflows float32.</exception>
    public static OnnxExportInfo Save(Model model, string path, OnnxExportOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var (bytes, info) = Export(model, options);
        AtomicFile.Write(path, s => s.Write(bytes));
        return info;
    }

    /// <summary>The ONNX file's bytes and a summary of what they hold.</summary>
    public static (byte[] Bytes, OnnxExportInfo Info) Export(Model model, OnnxExportOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        options ??= new OnnxExportOptions();
        if (!Enum.IsDefined(options.ElementType)) throw new ArgumentException($"Unknown ONNX element type {options.ElementType}: Float32 or Float64.", nameof(options));
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("ONNX raw_data is little-endian; big-endian hosts are not supported.");
        var spec = model.Spec;
        int width = options.ElementType == OnnxElementType.Float32 ? 4 : 8;
        long payload = ((long)spec.ParameterCount + 2L * spec.Inputs) * width;
        if (payload > MaxBytes)
            throw new NotSupportedException($"The network {spec} holds {payload} bytes of constants; an ONNX file without external data holds at most {MaxBytes} (protobuf's 2 GiB limit).");

        var graph = BuildGraph(model, options.ElementType);
        var metadata = Metadata(model, options.ElementType);
        var onnx = new OnnxModel(IrVersion, Opset, ProducerName, ProducerVersion, "", options.ModelVersion, Describe(model, options.ElementType), graph, metadata);
        var bytes = onnx.Encode();
        var info = new OnnxExportInfo(bytes.Length, IrVersion, Opset, options.ElementType, spec.Inputs, spec.Outputs,
            graph.Nodes.Select(n => n.OpType).ToArray(), graph.Initializers.Count, graph.Initializers.Sum(t => t.Dims.Aggregate(1L, (a, d) => a * d)), metadata);
        return (bytes, info);
    }

    /// <summary>The core library's version (major.minor.patch), stored as producer_version.</summary>
    public static string ProducerVersion { get; } = typeof(OnnxExport).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";

    private static OnnxGraph BuildGraph(Model model, OnnxElementType elementType)
    {
        var spec = model.Spec;
        var type = elementType == OnnxElementType.Float32 ? OnnxDataType.Float : OnnxDataType.Double;
        var nodes = new List<OnnxNode>();
        var constants = new List<OnnxTensor>();
        string current = InputName;

        // Preprocessing, exactly as Preprocessor.Apply computes it.
        if (model.Preprocessor is { Kind: not PreprocessorKind.Identity } pre)
        {
            var scale = pre.ApplyScale;
            var offset = pre.ApplyOffset;
            if (pre.Kind == PreprocessorKind.MinMax)
            {
                // y = x·scale + offset: [N, F] ⊙ [F] + [F] (broadcast over rows)
                constants.Add(Tensor("scaler.scale", elementType, [spec.Inputs], scale, "MinMax: (hi − lo)/(max − min) per feature"));
                constants.Add(Tensor("scaler.offset", elementType, [spec.Inputs], offset, "MinMax: lo − min·scale per feature"));
                nodes.Add(new OnnxNode("Mul", "scaler_mul", [current, "scaler.scale"], ["scaler.scaled"]));
                nodes.Add(new OnnxNode("Add", "scaler_add", ["scaler.scaled", "scaler.offset"], ["scaler.output"]));
            }
            else
            {
                // y = (x − mean)/std: ([N, F] − [F]) / [F]
                constants.Add(Tensor("scaler.mean", elementType, [spec.Inputs], offset, "Standardize: training mean per feature"));
                constants.Add(Tensor("scaler.std", elementType, [spec.Inputs], scale, "Standardize: training population std per feature (0 replaced by 1)"));
                nodes.Add(new OnnxNode("Sub", "scaler_sub", [current, "scaler.mean"], ["scaler.centered"]));
                nodes.Add(new OnnxNode("Div", "scaler_div", ["scaler.centered", "scaler.std"], ["scaler.output"]));
            }
            current = "scaler.output";
        }

        // Layers: z = h·Wᵀ + b ([N, in]·[in, out] + [out]), then the activation.
        var parameters = model.ParametersAsDoubles();
        int at = 0;
        for (int l = 0; l < spec.LayerCount; l++)
        {
            int inputs = spec.LayerSizes[l], outputs = spec.LayerSizes[l + 1];
            string w = $"layer{l + 1}.weight", b = $"layer{l + 1}.bias";
            int weightCount = inputs * outputs;
            constants.Add(Tensor(w, elementType, [outputs, inputs], parameters.AsSpan(at, weightCount), $"layer {l + 1}: W [out, in] row-major"));
            at += weightCount;
            constants.Add(Tensor(b, elementType, [outputs], parameters.AsSpan(at, outputs), $"layer {l + 1}: b [out]"));
            at += outputs;
            string z = $"layer{l + 1}.z";
            string a = l == spec.LayerCount - 1 ? ProbabilitiesName : $"layer{l + 1}.a";
            nodes.Add(new OnnxNode("Gemm", $"layer{l + 1}_gemm", [current, w, b], [z], new OnnxAttribute("transB", Int: 1)));
            nodes.Add(ActivationNode(spec.Activations[l], $"layer{l + 1}_{Activations.Name(spec.Activations[l])}", z, a));
            current = a;
        }

        // Label: the index of the largest output, or for one unit probability > ½ (Network.Predict's rule).
        if (spec.Outputs > 1)
        {
            nodes.Add(new OnnxNode("ArgMax", "label_argmax", [ProbabilitiesName], [LabelName],
                new OnnxAttribute("axis", Int: 1), new OnnxAttribute("keepdims", Int: 0), new OnnxAttribute("select_last_index", Int: 0)));
        }
        else
        {
            constants.Add(Tensor("label.threshold", elementType, [], [0.5], "a single output unit means class 1 when its probability exceeds 0.5"));
            var axes = new byte[8];
            BinaryPrimitives.WriteInt64LittleEndian(axes, 1);
            constants.Add(new OnnxTensor("label.squeeze_axes", OnnxDataType.Int64, [1], axes));
            nodes.Add(new OnnxNode("Greater", "label_greater", [ProbabilitiesName, "label.threshold"], ["label.positive"]));
            nodes.Add(new OnnxNode("Cast", "label_cast", ["label.positive"], ["label.column"], new OnnxAttribute("to", Int: (long)OnnxDataType.Int64)));
            nodes.Add(new OnnxNode("Squeeze", "label_squeeze", ["label.column", "label.squeeze_axes"], [LabelName]));
        }

        string classes = string.Join(", ", model.ClassNames.Take(12)) + (model.ClassNames.Count > 12 ? ", …" : "");
        return new OnnxGraph("backprop_mlp", $"{spec} multilayer perceptron", nodes, constants,
            [new OnnxValueInfo(InputName, type, ["N", spec.Inputs], "raw features, one sample per row (the model's scaling is part of the graph)")],
            [
                new OnnxValueInfo(ProbabilitiesName, type, ["N", spec.Outputs], $"output activations ({Activations.Name(spec.OutputActivation)}), one row per sample"),
                new OnnxValueInfo(LabelName, OnnxDataType.Int64, ["N"], $"predicted class index; names in metadata '{ClassesKey}': {classes}"),
            ]);
    }

    private static OnnxNode ActivationNode(Activation activation, string name, string input, string output) => activation switch
    {
        Activation.Sigmoid => new OnnxNode("Sigmoid", name, [input], [output]),
        Activation.Tanh => new OnnxNode("Tanh", name, [input], [output]),
        Activation.Relu => new OnnxNode("Relu", name, [input], [output]),
        Activation.Identity => new OnnxNode("Identity", name, [input], [output]),
        Activation.Softmax => new OnnxNode("Softmax", name, [input], [output], new OnnxAttribute("axis", Int: -1)),
        _ => throw new NotSupportedException($"Activation {activation} has no ONNX export."),
    };

    /// <summary>A constant of the graph's element type; refuses values that are not finite or that float32 cannot hold.</summary>
    private static OnnxTensor Tensor(string name, OnnxElementType elementType, long[] dims, ReadOnlySpan<double> values, string? doc = null)
    {
        if (elementType == OnnxElementType.Float32)
        {
            var raw = new byte[values.Length * 4];
            for (int i = 0; i < values.Length; i++)
            {
                float f = (float)values[i];
                if (!float.IsFinite(f)) throw NotFinite(name, i, values[i], "float32");
                BinaryPrimitives.WriteSingleLittleEndian(raw.AsSpan(i * 4), f);
            }
            return new OnnxTensor(name, OnnxDataType.Float, dims, raw, doc);
        }
        var bytes = new byte[values.Length * 8];
        for (int i = 0; i < values.Length; i++)
        {
            if (!double.IsFinite(values[i])) throw NotFinite(name, i, values[i], "float64");
            BinaryPrimitives.WriteDoubleLittleEndian(bytes.AsSpan(i * 8), values[i]);
        }
        return new OnnxTensor(name, OnnxDataType.Double, dims, bytes, doc);
    }

    private static InvalidDataException NotFinite(string tensor, int index, double value, string type) =>
        double.IsFinite(value)
            ? new InvalidDataException($"Cannot export to ONNX: {tensor}[{index}] = {value.ToString("R", CultureInfo.InvariantCulture)} overflows {type}; export as float64 instead.")
            : new InvalidDataException($"Cannot export to ONNX: {tensor}[{index}] is {value.ToString(CultureInfo.InvariantCulture)} (the model's parameters are not finite — did training diverge?).");

    private static List<KeyValuePair<string, string>> Metadata(Model model, OnnxElementType elementType)
    {
        var spec = model.Spec;
        var list = new List<KeyValuePair<string, string>>
        {
            new(ClassesKey, JsonSerializer.Serialize(model.ClassNames)),
            new("network", spec.ToString()),
            new("preprocessing", model.Preprocessor is null ? "none" : $"{model.Preprocessor} (in the graph: input is raw features)"),
            new("label_rule", spec.Outputs > 1 ? "argmax of probabilities" : "1 when probability > 0.5, else 0"),
            new("source_precision", model.Precision == Precision.Float32 ? "float32" : "float64"),
            new("export_precision", elementType == OnnxElementType.Float32 ? "float32" : "float64"),
        };
        if (model.Image is { } im)
            list.Add(new("image", string.Create(CultureInfo.InvariantCulture,
                $"{im.Height}x{im.Width}x{im.Channels} {(im.ColumnMajor ? "column-major" : "row-major")}")));
        foreach (var (key, value) in model.Metadata) list.Add(new($"metadata.{key}", value));
        return list;
    }

    private static string Describe(Model model, OnnxElementType elementType)
    {
        var spec = model.Spec;
        string t = elementType == OnnxElementType.Float32 ? "float" : "double";
        return $"Backprop {spec} classifier. Input '{InputName}' {t} [N, {spec.Inputs}]: raw features (scaling is in the graph). "
            + $"Outputs '{ProbabilitiesName}' {t} [N, {spec.Outputs}] and '{LabelName}' int64 [N] (class index; class names in metadata '{ClassesKey}').";
    }
}
