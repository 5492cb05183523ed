using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Backprop.Data;
using Backprop.Data.Preprocessing;
using Backprop.Layers;
using Backprop.Losses;
using Backprop.Networks;

namespace Backprop.Models;

/// <summary>
/// The model file format (docs/model-format.md): one UTF-8 JSON object, versioned, with the parameters as
/// base64 little-endian IEEE numbers of the model's precision and their SHA-256, and the SHA-256 of everything that
/// changes a prediction (<see cref="PredictionHash"/>). Saves are atomic. Loading refuses NaN or infinite parameters.
/// </summary>
public static class ModelFile
{
    public const string FormatName = "backprop-model";
    public const int Version = 1;

    /// <summary>
    /// The most parameter bytes a file holds: System.Text.Json writes strings of at most 166,666,666 characters, and base64
    /// takes 4 per 3 bytes: 31,249,999 float32 or 15,624,999 float64 parameters.
    /// </summary>
    public const long MaxParameterBytes = 166_666_666 / 4 * 3;

    /// <summary>Why a model of <paramref name="spec"/> in <paramref name="precision"/> cannot be saved (too many parameters), or null.</summary>
    public static string? TooLarge(NetworkSpec spec, Precision precision)
    {
        ArgumentNullException.ThrowIfNull(spec);
        int width = precision == Precision.Float32 ? 4 : 8;
        if ((long)spec.ParameterCount * width <= MaxParameterBytes) return null;
        string name = Precisions.Name(precision);
        return string.Create(CultureInfo.InvariantCulture,
            $"the network {spec} has {spec.ParameterCount:N0} {name} parameters; a model file holds at most {MaxParameterBytes / width:N0} {name} parameters: use fewer units");
    }

    public static void Save(Model model, string path)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (TooLarge(model.Spec, model.Precision) is { } reason) throw new ArgumentException(char.ToUpperInvariant(reason[0]) + reason[1..] + ".");
        var bytes = ParameterBytes(model);
        var json = Described(model);
        json.Insert(0, "format", FormatName);
        json.Insert(1, "version", Version);
        json["metadata"] = new JsonObject(model.Metadata.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)kv.Value)));
        json["parameters"] = new JsonObject
        {
            ["count"] = model.Spec.ParameterCount,
            ["layout"] = "per layer: W [out, in] row-major, then b [out]; little-endian",
            ["sha256"] = Convert.ToHexStringLower(SHA256.HashData(bytes)),
            ["base64"] = Convert.ToBase64String(bytes),
        };
        json["sha256"] = PredictionHash(model, bytes);
        AtomicFile.WriteAllText(path, json.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    }

    public static Model Load(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"Model file '{path}' does not exist.", path);
        string name = Path.GetFileName(path);
        JsonObject root;
        try { root = JsonNode.Parse(File.ReadAllText(path)) as JsonObject ?? throw new InvalidDataException($"{name}: not a JSON object."); }
        catch (JsonException e) { throw new InvalidDataException($"{name}: not a Backprop model (invalid JSON: {e.Message})."); }
        try
        {
            if ((string?)root["format"] != FormatName) throw new InvalidDataException($"{name}: not a Backprop model (\"format\" is not \"{FormatName}\").");
            int version = (int?)root["version"] ?? 0;
            if (version != Version) throw new InvalidDataException($"{name}: model format version {version}; this Backprop reads version {Version}.");
            var sizes = Array(root, "layers", n => (int)n!);
            var acts = Array(root, "activations", n => Activations.Parse((string)n!));
            var spec = new NetworkSpec(sizes, acts, LossFunctions.Parse((string?)root["loss"] ?? throw Missing(name, "loss")));
            var classes = Array(root, "classes", n => n is JsonValue v && v.TryGetValue(out string? c) ? c : throw new InvalidDataException("\"classes\" must hold one string per class"));
            ImageShape? image = root["image"] is JsonObject im
                ? new ImageShape((int)im["height"]!, (int)im["width"]!, (int?)im["channels"] ?? 1, (bool?)im["column_major"] ?? false) : null;
            var pre = root["preprocessing"] is JsonObject p ? Preprocessor.FromJson(p.ToJsonString()) : null;
            var metadata = root["metadata"] is JsonObject md ? md.ToDictionary(kv => kv.Key, kv => kv.Value?.ToString() ?? "") : null;
            var parameters = root["parameters"] as JsonObject ?? throw Missing(name, "parameters");
            var bytes = Convert.FromBase64String((string?)parameters["base64"] ?? throw Missing(name, "parameters.base64"));
            string sha = Convert.ToHexStringLower(SHA256.HashData(bytes));
            if (!string.Equals(sha, (string?)parameters["sha256"], StringComparison.OrdinalIgnoreCase))
                throw new InvalidDataException($"{name}: the parameters are damaged (SHA-256 {sha} does not match the recorded {(string?)parameters["sha256"]}).");
            string precision = (string?)root["precision"] ?? throw Missing(name, "precision");
            int width = precision switch { "float32" => 4, "float64" => 8, _ => throw new InvalidDataException($"{name}: unknown precision '{precision}' (float32 or float64).") };
            if (bytes.Length != (long)spec.ParameterCount * width)
                throw new InvalidDataException($"{name}: network {spec} needs {spec.ParameterCount} {precision} parameters ({(long)spec.ParameterCount * width} bytes); the file holds {bytes.Length} bytes.");
            if (NonFinite(bytes, width) is int bad)
                throw new InvalidDataException($"{name}: parameter {bad} ({Locate(spec, bad)}) is NaN or infinite (a diverged or damaged model); refusing to load it.");
            var model = width == 4
                ? Model.From(new Network<float>(spec, System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(bytes)), pre, classes, image, metadata)
                : Model.From(new Network<double>(spec, System.Runtime.InteropServices.MemoryMarshal.Cast<byte, double>(bytes)), pre, classes, image, metadata);
            // Files written before the whole-model hash carry only the parameters' one (checked above).
            if (root["sha256"] is { } recorded && !string.Equals(PredictionHash(model, bytes), (string?)recorded, StringComparison.OrdinalIgnoreCase))
                throw new InvalidDataException($"{name}: the model is damaged or was edited (its SHA-256 does not match the recorded {(string?)recorded}; it covers the network, classes, image shape, preprocessing and parameters).");
            return model;
        }
        catch (Exception e) when (e is ArgumentException or FormatException or InvalidOperationException or KeyNotFoundException or NullReferenceException or JsonException)
        {
            throw new InvalidDataException($"{name}: not a valid Backprop model: {e.Message}");
        }
        catch (InvalidDataException e) when (!e.Message.StartsWith(name + ":", StringComparison.Ordinal))
        {
            throw new InvalidDataException($"{name}: not a valid Backprop model: {e.Message}");
        }
    }

    /// <summary>What changes a prediction, as the file holds it: the network (layers, activations, loss), precision, class
    /// names, image shape and preprocessing.</summary>
    private static JsonObject Described(Model model) => new()
    {
            ["layers"] = new JsonArray(model.Spec.LayerSizes.Select(s => (JsonNode)s).ToArray()),
            ["activations"] = new JsonArray(model.Spec.Activations.Select(a => (JsonNode)Activations.Name(a)).ToArray()),
            ["loss"] = LossFunctions.Name(model.Spec.Loss),
            ["precision"] = Precisions.Name(model.Precision),
            ["classes"] = new JsonArray(model.ClassNames.Select(c => (JsonNode)c).ToArray()),
            ["image"] = model.Image is { } im ? new JsonObject { ["height"] = im.Height, ["width"] = im.Width, ["channels"] = im.Channels, ["column_major"] = im.ColumnMajor } : null,
            ["preprocessing"] = model.Preprocessor is null ? null : JsonNode.Parse(model.Preprocessor.ToJson()),
    };

    /// <summary>
    /// SHA-256 (hex) of everything that changes a prediction: the compact JSON of the network (layers, activations, loss),
    /// precision, class names, image shape and preprocessing as this class writes them, then the parameter bytes.
    /// </summary>
    public static string PredictionHash(Model model, ReadOnlySpan<byte> parameterBytes)
    {
        ArgumentNullException.ThrowIfNull(model);
        var described = Described(model);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(System.Text.Encoding.UTF8.GetBytes(described.ToJsonString()));
        hash.AppendData(parameterBytes);
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    /// <summary>Where flat parameter <paramref name="index"/> sits: <c>layerL.weight[i]</c> (row-major in W [out, in]) or <c>layerL.bias[i]</c>, L from 1.</summary>
    private static string Locate(NetworkSpec spec, int index)
    {
        for (int l = 1; l < spec.LayerSizes.Count; l++)
        {
            int weights = spec.LayerSizes[l] * spec.LayerSizes[l - 1];
            if (index < weights) return $"layer{l}.weight[{index}]";
            index -= weights;
            if (index < spec.LayerSizes[l]) return $"layer{l}.bias[{index}]";
            index -= spec.LayerSizes[l];
        }
        return "beyond the network";
    }

    /// <summary>The index of the first NaN or infinite number among little-endian floats of <paramref name="width"/> bytes, or null.</summary>
    private static int? NonFinite(byte[] bytes, int width)
    {
        if (width == 4)
        {
            var values = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(bytes);
            for (int i = 0; i < values.Length; i++) if (!float.IsFinite(values[i])) return i;
        }
        else
        {
            var values = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, double>(bytes);
            for (int i = 0; i < values.Length; i++) if (!double.IsFinite(values[i])) return i;
        }
        return null;
    }

    private static T[] Array<T>(JsonObject root, string key, Func<JsonNode?, T> convert) =>
        (root[key] as JsonArray ?? throw new InvalidDataException($"missing \"{key}\" (an array)")).Select(convert).ToArray();

    private static InvalidDataException Missing(string file, string key) => new($"{file}: missing \"{key}\".");

    private static byte[] ParameterBytes(Model model)
    {
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("Model files are little-endian; big-endian hosts are not supported.");
        if (model.Precision == Precision.Float32)
            return System.Runtime.InteropServices.MemoryMarshal.AsBytes(model.Network<float>().Parameters.AsSpan()).ToArray();
        return System.Runtime.InteropServices.MemoryMarshal.AsBytes(model.Network<double>().Parameters.AsSpan()).ToArray();
    }
}
