using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Backprop.Data.Formats;

/// <summary>The tensors and the string metadata of a .safetensors file.</summary>
public sealed record SafeTensorsContents(IReadOnlyList<NDArray> Tensors, IReadOnlyDictionary<string, string> Metadata)
{
    public NDArray? Find(string name) => Tensors.FirstOrDefault(t => t.Name == name);
}

/// <summary>
/// Reads and writes Hugging Face's safetensors format (https://huggingface.co/docs/safetensors): an 8-byte
/// little-endian header length N, N bytes of UTF-8 JSON (<c>{"name": {"dtype": "F32", "shape": [..],
/// "data_offsets": [begin, end]}, …, "__metadata__": {string: string}}</c>, padded with spaces), then the tensors'
/// little-endian bytes, row-major, back to back. No .NET package for it is served, and the format is this small.
/// The reader checks every bound before it trusts it: the header length against the file, each tensor's offsets
/// against the data and its byte count against its dtype and shape, and that the tensors tile the data without gaps.
/// </summary>
public static class SafeTensorsFile
{
    /// <summary>The reference implementation's limit on the header (100 MB).</summary>
    public const long MaxHeaderBytes = 100_000_000;

    public static SafeTensorsContents Read(string path)
    {
        using var stream = File.OpenRead(path);
        return Read(stream, Path.GetFileName(path));
    }

    public static SafeTensorsContents Read(Stream stream, string name)
    {
        ArgumentNullException.ThrowIfNull(stream);
        Span<byte> prefix = stackalloc byte[8];
        if (ReadFully(stream, prefix) < 8) throw new InvalidDataException($"{name}: not a safetensors file (shorter than its 8-byte header length).");
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(prefix);
        long available = stream.CanSeek ? stream.Length - 8 : long.MaxValue;
        if (headerLength > (ulong)Math.Min(MaxHeaderBytes, available))
            throw new InvalidDataException($"{name}: not a safetensors file (header length {headerLength} exceeds {(available < MaxHeaderBytes ? $"the {available} bytes after it" : $"the {MaxHeaderBytes}-byte limit")}).");
        var header = new byte[(int)headerLength];
        if (ReadFully(stream, header) < header.Length) throw new InvalidDataException($"{name}: truncated header.");
        JsonObject root;
        try
        {
            root = JsonNode.Parse(Encoding.UTF8.GetString(header).TrimEnd(' ')) as JsonObject
                ?? throw new InvalidDataException($"{name}: the safetensors header is not a JSON object.");
        }
        catch (JsonException e) { throw new InvalidDataException($"{name}: the safetensors header is not valid JSON ({e.Message}).", e); }

        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        var entries = new List<(string Name, string DType, int[] Shape, long Begin, long End)>();
        foreach (var (key, value) in root)
        {
            if (key == "__metadata__")
            {
                if (value is not JsonObject meta) throw new InvalidDataException($"{name}: \"__metadata__\" is not an object of strings.");
                foreach (var (k, v) in meta)
                    metadata[k] = v is JsonValue s && s.TryGetValue<string>(out var text) ? text : throw new InvalidDataException($"{name}: metadata \"{k}\" is not a string.");
                continue;
            }
            entries.Add(Entry(name, key, value));
        }

        long dataLength = entries.Count == 0 ? 0 : entries.Max(e => e.End);
        if (stream.CanSeek && stream.Length - 8 - (long)headerLength < dataLength)
            throw new InvalidDataException($"{name}: truncated: the header places tensor data up to byte {dataLength}, the file holds {stream.Length - 8 - (long)headerLength}.");
        // The tensors must tile [0, dataLength) exactly: sorted by offset, each starts where the previous ended.
        long expected = 0;
        foreach (var e in entries.OrderBy(e => e.Begin).ThenBy(e => e.End))
        {
            if (e.Begin != expected)
                throw new InvalidDataException($"{name}: tensor \"{e.Name}\" starts at data byte {e.Begin}; {(e.Begin < expected ? "it overlaps the previous tensor" : $"bytes {expected}..{e.Begin} belong to no tensor")}.");
            expected = e.End;
        }
        var data = new byte[dataLength];
        if (ReadFully(stream, data) < data.Length) throw new InvalidDataException($"{name}: truncated tensor data.");

        var tensors = entries.Select(e => ToArray(e.Name, e.DType, e.Shape, data.AsSpan((int)e.Begin, (int)(e.End - e.Begin)))).ToArray();
        return new SafeTensorsContents(tensors, metadata);
    }

    /// <summary>Writes float32/float64 tensors in the given order with optional string metadata, atomically.</summary>
    public static void Write(string path, IEnumerable<NDArray> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var list = tensors.ToArray();
        AtomicFile.Write(path, s => Write(s, list, metadata));
    }

    public static void Write(Stream stream, IEnumerable<NDArray> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("safetensors files are little-endian; big-endian hosts are not supported.");
        var header = new JsonObject();
        if (metadata is { Count: > 0 })
            header["__metadata__"] = new JsonObject(metadata.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)kv.Value)));
        var blobs = new List<byte[]>();
        long offset = 0;
        foreach (var t in tensors)
        {
            if (t.Name == "__metadata__") throw new ArgumentException("A tensor cannot be named \"__metadata__\".");
            if (header.ContainsKey(t.Name)) throw new ArgumentException($"Two tensors are named \"{t.Name}\".");
            var (dtype, bytes) = t.Data switch
            {
                float[] f => ("F32", System.Runtime.InteropServices.MemoryMarshal.AsBytes(f.AsSpan()).ToArray()),
                double[] d => ("F64", System.Runtime.InteropServices.MemoryMarshal.AsBytes(d.AsSpan()).ToArray()),
                _ => throw new ArgumentException($"Tensor \"{t.Name}\": only float32 and float64 tensors are written, not {t.ClassName}."),
            };
            header[t.Name] = new JsonObject
            {
                ["dtype"] = dtype,
                ["shape"] = new JsonArray(t.Shape.Select(d => (JsonNode?)d).ToArray()),
                ["data_offsets"] = new JsonArray(offset, offset + bytes.Length),
            };
            blobs.Add(bytes);
            offset += bytes.Length;
        }
        var json = Encoding.UTF8.GetBytes(header.ToJsonString());
        int padded = (json.Length + 7) / 8 * 8; // the reference writer pads the header with spaces to a multiple of 8
        Span<byte> prefix = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(prefix, (ulong)padded);
        stream.Write(prefix);
        stream.Write(json);
        for (int i = json.Length; i < padded; i++) stream.WriteByte((byte)' ');
        foreach (var b in blobs) stream.Write(b);
    }

    private static (string, string, int[], long, long) Entry(string file, string key, JsonNode? value)
    {
        string where = $"{file}: tensor \"{key}\"";
        if (value is not JsonObject o) throw new InvalidDataException($"{where}: expected an object with dtype, shape and data_offsets.");
        try
        {
            string dtype = (string?)o["dtype"] ?? throw new InvalidDataException($"{where}: no dtype.");
            var shape = (o["shape"] as JsonArray ?? throw new InvalidDataException($"{where}: no shape.")).Select(d => (long)d!).ToArray();
            var offsets = (o["data_offsets"] as JsonArray ?? throw new InvalidDataException($"{where}: no data_offsets.")).Select(d => (long)d!).ToArray();
            int size = ElementSize(dtype) ?? throw new InvalidDataException($"{where}: dtype {dtype} is not read (F64, F32, F16, BF16, I64, I32, I16, I8, U8, BOOL are).");
            if (offsets.Length != 2 || offsets[0] < 0 || offsets[1] < offsets[0])
                throw new InvalidDataException($"{where}: data_offsets [{string.Join(", ", offsets)}] are not [begin, end] with 0 ≤ begin ≤ end.");
            long count = 1;
            foreach (var d in shape)
            {
                if (d < 0 || d > int.MaxValue) throw new InvalidDataException($"{where}: shape [{string.Join(", ", shape)}] has an invalid dimension.");
                count = checked(count * d);
            }
            if (count > int.MaxValue / size) throw new InvalidDataException($"{where}: {count} elements are more than one array holds.");
            if (count * size != offsets[1] - offsets[0])
                throw new InvalidDataException($"{where}: shape [{string.Join(", ", shape)}] of {dtype} needs {count * size} bytes; data_offsets span {offsets[1] - offsets[0]}.");
            return (key, dtype, shape.Select(d => (int)d).ToArray(), offsets[0], offsets[1]);
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException or OverflowException)
        {
            throw new InvalidDataException($"{where}: malformed entry ({e.Message}).", e);
        }
    }

    private static int? ElementSize(string dtype) => dtype switch
    {
        "F64" or "I64" => 8,
        "F32" or "I32" => 4,
        "F16" or "BF16" or "I16" => 2,
        "I8" or "U8" or "BOOL" => 1,
        _ => null,
    };

    private static NDArray ToArray(string name, string dtype, int[] shape, ReadOnlySpan<byte> bytes)
    {
        static T[] Cast<T>(ReadOnlySpan<byte> b) where T : struct => System.Runtime.InteropServices.MemoryMarshal.Cast<byte, T>(b).ToArray();
        return dtype switch
        {
            "F64" => new NDArray(name, "double", shape, Cast<double>(bytes)),
            "F32" => new NDArray(name, "single", shape, Cast<float>(bytes)),
            "F16" => new NDArray(name, "single", shape, Cast<Half>(bytes).Select(h => (float)h).ToArray(), "float16, widened to float32"),
            // bfloat16 is the upper half of a float32.
            "BF16" => new NDArray(name, "single", shape, Cast<ushort>(bytes).Select(u => BitConverter.Int32BitsToSingle(u << 16)).ToArray(), "bfloat16, widened to float32"),
            "I64" => new NDArray(name, "int64", shape, Cast<long>(bytes)),
            "I32" => new NDArray(name, "int32", shape, Cast<int>(bytes)),
            "I16" => new NDArray(name, "int16", shape, Cast<short>(bytes)),
            "I8" => new NDArray(name, "int8", shape, Cast<sbyte>(bytes)),
            "U8" => new NDArray(name, "uint8", shape, bytes.ToArray()),
            _ => new NDArray(name, "logical", shape, bytes.ToArray().Select(b => b != 0).ToArray()),
        };
    }

    private static int ReadFully(Stream stream, Span<byte> buffer)
    {
        int total = 0, n;
        while (total < buffer.Length && (n = stream.Read(buffer[total..])) > 0) total += n;
        return total;
    }
}
