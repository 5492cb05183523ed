using System.Buffers.Binary;
using System.IO.Compression;
using System.Runtime.InteropServices;

namespace Backprop.Data.Formats;

/// <summary>
/// Reads and writes the idx format of the MNIST files (LeCun et al.), raw or gzip-compressed.
/// </summary>
/// <remarks>
/// Layout: two zero bytes, an element-type byte (0x08 uint8, 0x09 int8, 0x0B int16, 0x0C int32,
/// 0x0D float32, 0x0E float64), the number of dimensions, each dimension as a big-endian int32,
/// then the elements in C order, big-endian. A gzip file is recognised by its magic bytes 1f 8b.
/// A header that promises more data than the file holds is reported as an
/// <see cref="InvalidDataException"/> naming the file and offset; memory use is bounded by the data
/// actually present, never by what a damaged header claims.
/// </remarks>
public static class IdxFile
{
    private const int HeaderBytesMax = 4 + 255 * 4;
    private const int InitialBuffer = 64 << 20;

    /// <summary>Reads an idx file (raw or gzipped). The array is named after the file, without ".gz".</summary>
    public static NDArray Read(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        return Read(stream, path);
    }

    /// <summary>
    /// Reads an idx array from <paramref name="stream"/> (raw or gzipped); <paramref name="name"/> is
    /// the file name used in messages, and (without directory and ".gz") the array's name.
    /// </summary>
    public static NDArray Read(Stream stream, string name)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(name);
        Span<byte> magic = stackalloc byte[2];
        int got = ReadFully(stream, magic, name, compressed: false);
        bool gzip = got == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
        var prefixed = new PrefixedStream(magic[..got].ToArray(), stream);
        var budget = ReadBudget.For(name);
        if (!gzip) return ReadIdx(prefixed, name, compressed: false, knownLength: stream.CanSeek ? stream.Length - stream.Position + got : -1, budget);
        // A file (seekable) gets its gzip trailer checked at the end; a pipe cannot be.
        if (stream.CanSeek) stream.Seek(-got, SeekOrigin.Current);
        using Stream unzip = stream.CanSeek ? new CheckedGzipStream(new NonClosing(stream), name) : new GZipStream(prefixed, CompressionMode.Decompress, leaveOpen: true);
        using var buffered = new BufferedStream(unzip, 1 << 20);
        return ReadIdx(buffered, name, compressed: true, knownLength: -1, budget);
    }

    private static NDArray ReadIdx(Stream s, string file, bool compressed, long knownLength, ReadBudget budget)
    {
        string where = compressed ? "decompressed offset" : "offset";
        var head = new byte[4];
        int n = ReadFully(s, head, file, compressed);
        if (n < 4)
            throw new InvalidDataException($"{file}: {(n == 0 ? "empty file" : $"only {n} bytes")}; an idx header of at least 4 bytes (00 00 type ndims) was expected.");
        if (head[0] != 0 || head[1] != 0)
            throw new InvalidDataException($"{file}: {where} 0: bytes {head[0]:x2} {head[1]:x2}; an idx file starts with 00 00 (or 1f 8b when gzipped).");
        var (elementSize, className) = head[2] switch
        {
            0x08 => (1, "uint8"),
            0x09 => (1, "int8"),
            0x0B => (2, "int16"),
            0x0C => (4, "int32"),
            0x0D => (4, "single"),
            0x0E => (8, "double"),
            _ => throw new InvalidDataException($"{file}: {where} 2: element type 0x{head[2]:x2}; expected 0x08 (uint8), 0x09 (int8), 0x0B (int16), 0x0C (int32), 0x0D (float32) or 0x0E (float64)."),
        };
        int ndims = head[3];
        var dimBytes = new byte[4 * ndims];
        n = ReadFully(s, dimBytes, file, compressed);
        if (n < dimBytes.Length)
            throw new InvalidDataException($"{file}: {where} {4 + n}: the header declares {ndims} dimensions ({4 * ndims} bytes) but the file ends after {n} of them.");
        var shape = new int[ndims];
        long count = 1;
        for (int d = 0; d < ndims; d++)
        {
            uint v = BinaryPrimitives.ReadUInt32BigEndian(dimBytes.AsSpan(4 * d));
            if (v > int.MaxValue)
                throw new InvalidDataException($"{file}: {where} {4 + 4 * d}: dimension {d} is {v}; at most {int.MaxValue} is supported.");
            shape[d] = (int)v;
            count = count > 0 && v > long.MaxValue / count ? long.MaxValue : count * v;
        }
        long headerSize = 4 + 4L * ndims;
        long maxElements = Array.MaxLength / elementSize;
        if (count > maxElements)
            throw new InvalidDataException($"{file}: {where} 4: dimensions {string.Join("x", shape)} declare {(count == long.MaxValue ? "more than 2^63" : count.ToString())} elements of {elementSize} bytes; at most {maxElements} fit in one array, so the header is damaged or the file too large.");
        long dataBytes = count * elementSize;
        if (knownLength >= 0 && knownLength - headerSize < dataBytes)
            throw new InvalidDataException($"{file}: {where} {headerSize}: dimensions {string.Join("x", shape)} need {dataBytes} bytes of {className} data but only {Math.Max(0, knownLength - headerSize)} remain; the file is truncated or its header is damaged.");

        budget.Charge(count, $"dimensions {string.Join("x", shape)} of {className}");
        var data = ReadBounded(s, (int)dataBytes, file, compressed, headerSize, shape, className);
        Array typed = Decode(data, head[2], (int)count);
        string? note = null;
        if (knownLength > headerSize + dataBytes)
            note = $"{knownLength - headerSize - dataBytes} trailing bytes after the data were ignored";
        else if (compressed && s.ReadByte() >= 0)
            note = "trailing bytes after the data were ignored";
        return new NDArray(ArrayName(file), className, shape, typed, note);
    }

    /// <summary>Reads exactly <paramref name="size"/> bytes, allocating in step with what actually arrives.</summary>
    private static byte[] ReadBounded(Stream s, int size, string file, bool compressed, long headerSize, int[] shape, string className)
    {
        var buffer = new byte[Math.Min(size, InitialBuffer)];
        int filled = 0;
        while (true)
        {
            int n = ReadFully(s, buffer.AsSpan(filled), file, compressed);
            filled += n;
            if (filled == size) return buffer;
            if (filled < buffer.Length)
                throw new InvalidDataException($"{file}: {(compressed ? "decompressed offset" : "offset")} {headerSize + filled}: dimensions {string.Join("x", shape)} need {size} bytes of {className} data but the {(compressed ? "compressed stream" : "file")} ends after {filled}; the file is truncated or its header is damaged.");
            Array.Resize(ref buffer, (int)Math.Min(size, (long)buffer.Length * 2));
        }
    }

    private static Array Decode(byte[] data, byte type, int count)
    {
        switch (type)
        {
            case 0x08: return data;
            case 0x09: return MemoryMarshal.Cast<byte, sbyte>(data).ToArray();
            case 0x0B:
            {
                var r = new short[count];
                BinaryPrimitives.ReverseEndianness(MemoryMarshal.Cast<byte, short>(data), r);
                return r;
            }
            case 0x0C:
            {
                var r = new int[count];
                BinaryPrimitives.ReverseEndianness(MemoryMarshal.Cast<byte, int>(data), r);
                return r;
            }
            case 0x0D:
            {
                var r = new float[count];
                BinaryPrimitives.ReverseEndianness(MemoryMarshal.Cast<byte, int>(data), MemoryMarshal.Cast<float, int>(r.AsSpan()));
                return r;
            }
            default:
            {
                var r = new double[count];
                BinaryPrimitives.ReverseEndianness(MemoryMarshal.Cast<byte, long>(data), MemoryMarshal.Cast<double, long>(r.AsSpan()));
                return r;
            }
        }
    }

    private static int ReadFully(Stream s, Span<byte> buffer, string file, bool compressed)
    {
        int total = 0;
        try
        {
            while (total < buffer.Length)
            {
                int n = s.Read(buffer[total..]);
                if (n == 0) break;
                total += n;
            }
        }
        catch (Exception e) when (compressed && e is InvalidDataException or IOException)
        {
            throw new InvalidDataException($"{file}: the gzip stream is damaged after {total} more decompressed bytes: {e.Message}", e);
        }
        return total;
    }

    private static string ArrayName(string file)
    {
        var name = Path.GetFileName(file);
        return name.EndsWith(".gz", StringComparison.OrdinalIgnoreCase) ? name[..^3] : name;
    }

    /// <summary>
    /// Writes <paramref name="array"/> as an idx file, gzip-compressed when <paramref name="gzip"/> is true.
    /// The file is written to a temporary name beside <paramref name="path"/> and then moved into place,
    /// so a reader never sees a half-written file. Supported element types: byte, sbyte, short, int,
    /// float, double; at most 255 dimensions.
    /// </summary>
    public static void Write(string path, NDArray array, bool gzip = false)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(array);
        var t = array.Data.GetType();
        byte type = t == typeof(byte[]) ? (byte)0x08
            : t == typeof(sbyte[]) ? (byte)0x09
            : t == typeof(short[]) ? (byte)0x0B
            : t == typeof(int[]) ? (byte)0x0C
            : t == typeof(float[]) ? (byte)0x0D
            : t == typeof(double[]) ? (byte)0x0E
            : throw new ArgumentException($"Array '{array.Name}' is {array.ClassName} ({t.Name}); idx holds only uint8, int8, int16, int32, single and double.", nameof(array));
        if (array.Shape.Length > 255)
            throw new ArgumentException($"Array '{array.Name}' has {array.Shape.Length} dimensions; idx allows at most 255.", nameof(array));

        var full = Path.GetFullPath(path);
        var temp = full + "." + Guid.NewGuid().ToString("N")[..8] + ".tmp";
        try
        {
            using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                Stream output = gzip ? new GZipStream(file, CompressionLevel.Optimal, leaveOpen: true) : file;
                try { WriteIdx(output, array, type); }
                finally { if (gzip) output.Dispose(); }
                file.Flush(flushToDisk: true);
            }
            File.Move(temp, full, overwrite: true);
        }
        catch
        {
            try { File.Delete(temp); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            throw;
        }
    }

    private static void WriteIdx(Stream output, NDArray array, byte type)
    {
        var header = new byte[4 + 4 * array.Shape.Length];
        header[2] = type;
        header[3] = (byte)array.Shape.Length;
        for (int d = 0; d < array.Shape.Length; d++)
            BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4 + 4 * d), array.Shape[d]);
        output.Write(header);
        const int chunk = 1 << 16;
        var buf = new byte[chunk * 8];
        int size = type switch { 0x08 or 0x09 => 1, 0x0B => 2, 0x0C or 0x0D => 4, _ => 8 };
        int length = (int)array.Length;
        for (int start = 0; start < length; start += chunk)
        {
            int n = Math.Min(chunk, length - start);
            var dst = buf.AsSpan(0, n * size);
            switch (type)
            {
                case 0x08: ((byte[])array.Data).AsSpan(start, n).CopyTo(dst); break;
                case 0x09: MemoryMarshal.Cast<sbyte, byte>(((sbyte[])array.Data).AsSpan(start, n)).CopyTo(dst); break;
                case 0x0B: BinaryPrimitives.ReverseEndianness(((short[])array.Data).AsSpan(start, n), MemoryMarshal.Cast<byte, short>(dst)); break;
                case 0x0C: BinaryPrimitives.ReverseEndianness(((int[])array.Data).AsSpan(start, n), MemoryMarshal.Cast<byte, int>(dst)); break;
                case 0x0D: BinaryPrimitives.ReverseEndianness(MemoryMarshal.Cast<float, int>(((float[])array.Data).AsSpan(start, n)), MemoryMarshal.Cast<byte, int>(dst)); break;
                default: BinaryPrimitives.ReverseEndianness(MemoryMarshal.Cast<double, long>(((double[])array.Data).AsSpan(start, n)), MemoryMarshal.Cast<byte, long>(dst)); break;
            }
            output.Write(dst);
        }
    }

    /// <summary>Leaves the caller's stream open when the gzip reader is disposed.</summary>
    private sealed class NonClosing(Stream inner) : Stream
    {
        public override bool CanRead => true;
        public override bool CanSeek => inner.CanSeek;
        public override bool CanWrite => false;
        public override long Length => inner.Length;
        public override long Position { get => inner.Position; set => inner.Position = value; }
        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);
        public override int Read(Span<byte> buffer) => inner.Read(buffer);
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => inner.Seek(offset, origin);
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    /// <summary>Replays a few already-read bytes, then continues with the inner stream (which it does not own).</summary>
    private sealed class PrefixedStream(byte[] prefix, Stream inner) : ForwardReadStream
    {
        private int _pos;

        public override int Read(Span<byte> buffer)
        {
            if (_pos < prefix.Length && buffer.Length > 0)
            {
                int n = Math.Min(buffer.Length, prefix.Length - _pos);
                prefix.AsSpan(_pos, n).CopyTo(buffer);
                _pos += n;
                return n;
            }
            return inner.Read(buffer);
        }
    }
}
