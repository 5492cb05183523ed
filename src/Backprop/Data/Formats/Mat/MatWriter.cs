using System.IO.Compression;
using System.Runtime.InteropServices;
using System.Text;

namespace Backprop.Data.Formats.Mat;

/// <summary>
/// Writes level-5 MAT files (readable by MATLAB -v6/-v7, SciPy's loadmat and Octave) in the host's byte order.
/// Each variable is written in its own class's type (no narrowing), optionally zlib-compressed (miCOMPRESSED).
/// The header text carries no date, so the same variables always give the same bytes.
/// </summary>
internal static class MatWriter
{
    public const string HeaderText = "MATLAB 5.0 MAT-file, written by Backprop (level 5)";

    public static void Write(Stream stream, IEnumerable<NDArray> variables, bool compress)
    {
        var list = variables.ToList();
        Validate(list);
        stream.Write(Header());
        foreach (var v in list)
        {
            byte[] matrix = MatrixElement(v);
            if (!compress)
            {
                stream.Write(matrix);
                continue;
            }
            using var packed = new MemoryStream();
            using (var z = new ZLibStream(packed, CompressionLevel.Optimal, leaveOpen: true)) z.Write(matrix);
            if (packed.Length > uint.MaxValue)
                throw new ArgumentException($"Variable '{v.Name}' compresses to {packed.Length} bytes; a level-5 MAT element holds at most {uint.MaxValue}.");
            stream.Write(Tag(MiType.Compressed, (uint)packed.Length));
            packed.Position = 0;
            packed.CopyTo(stream);
        }
    }

    private static void Validate(List<NDArray> variables)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var v in variables)
        {
            ArgumentNullException.ThrowIfNull(v, nameof(variables));
            if (!IsValidName(v.Name))
                throw new ArgumentException($"Variable name '{v.Name}' is not a valid MATLAB name: expected 1 to 63 ASCII letters, digits or underscores, starting with a letter.", nameof(variables));
            if (!seen.Add(v.Name))
                throw new ArgumentException($"Variable '{v.Name}' appears twice; MAT variable names must be unique.", nameof(variables));
            _ = ClassOf(v);
        }
    }

    private static bool IsValidName(string name) =>
        name.Length is >= 1 and <= 63 && char.IsAsciiLetter(name[0]) && name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_');

    private static byte[] Header()
    {
        var header = new byte[MatHeader.Size];
        header.AsSpan(0, 116).Fill((byte)' ');
        Encoding.ASCII.GetBytes(HeaderText).CopyTo(header, 0);
        // Bytes 116..123: subsystem data offset, none. Then version 0x0100 and the endian indicator, in host order.
        MemoryMarshal.Write(header.AsSpan(124), (ushort)0x0100);
        MemoryMarshal.Write(header.AsSpan(126), (ushort)(('M' << 8) | 'I'));
        return header;
    }

    private static (MxClass Class, MiType Type, bool Logical) ClassOf(NDArray v)
    {
        var t = v.Data.GetType();
        if (t == typeof(double[])) return (MxClass.Double, MiType.Double, false);
        if (t == typeof(float[])) return (MxClass.Single, MiType.Single, false);
        if (t == typeof(sbyte[])) return (MxClass.Int8, MiType.Int8, false);
        if (t == typeof(byte[])) return (MxClass.UInt8, MiType.UInt8, false);
        if (t == typeof(short[])) return (MxClass.Int16, MiType.Int16, false);
        if (t == typeof(ushort[])) return (MxClass.UInt16, MiType.UInt16, false);
        if (t == typeof(int[])) return (MxClass.Int32, MiType.Int32, false);
        if (t == typeof(uint[])) return (MxClass.UInt32, MiType.UInt32, false);
        if (t == typeof(long[])) return (MxClass.Int64, MiType.Int64, false);
        if (t == typeof(ulong[])) return (MxClass.UInt64, MiType.UInt64, false);
        if (t == typeof(bool[])) return (MxClass.UInt8, MiType.UInt8, true);
        if (t == typeof(char[])) return (MxClass.Char, ((char[])v.Data).Any(char.IsSurrogate) ? MiType.Utf16 : MiType.Utf8, false);
        throw new ArgumentException($"Variable '{v.Name}' holds {t.Name}; a MAT file can store double[], float[], sbyte[]…ulong[], bool[] or char[].");
    }

    /// <summary>MATLAB needs at least two dimensions: a scalar is 1x1 and a 1-D array of n values a 1xn row (as SciPy's savemat does).</summary>
    private static int[] MatlabShape(int[] shape) => shape.Length switch
    {
        0 => [1, 1],
        1 => [1, shape[0]],
        _ => shape,
    };

    private static byte[] MatrixElement(NDArray v)
    {
        var (cls, type, logical) = ClassOf(v);
        int[] shape = MatlabShape(v.Shape);
        byte[] data = ColumnMajorBytes(v.Data, shape, logical);

        using var body = new MemoryStream();
        var flags = new byte[8];
        MemoryMarshal.Write(flags, (uint)cls | (logical ? MatDataTypes.LogicalFlag : 0));
        WriteElement(body, MiType.UInt32, flags);
        WriteElement(body, MiType.Int32, MemoryMarshal.AsBytes(shape.AsSpan()));
        WriteElement(body, MiType.Int8, Encoding.ASCII.GetBytes(v.Name));
        WriteElement(body, type, data);
        if (body.Length > uint.MaxValue)
            throw new ArgumentException($"Variable '{v.Name}' needs {body.Length} bytes; a level-5 MAT element holds at most {uint.MaxValue} (MATLAB needs -v7.3 for larger variables).");

        var element = new byte[8 + body.Length];
        Tag(MiType.Matrix, (uint)body.Length).CopyTo(element, 0);
        body.GetBuffer().AsSpan(0, (int)body.Length).CopyTo(element.AsSpan(8));
        return element;
    }

    private static byte[] ColumnMajorBytes(Array data, int[] shape, bool logical)
    {
        // Char data goes as UTF-8, as SciPy writes it (SciPy decodes miUINT16 chars through a byte codec), unless it
        // holds surrogates: then UTF-16, so that the stored units still match the dimensions.
        if (data.GetType() == typeof(char[]))
        {
            var text = ColumnMajor.ToColumnMajor((char[])data, shape);
            return text.Any(char.IsSurrogate) ? AsBytes(text) : Encoding.UTF8.GetBytes(text);
        }
        if (logical)
        {
            var bytes = Array.ConvertAll((bool[])data, b => b ? (byte)1 : (byte)0);
            return ColumnMajor.ToColumnMajor(bytes, shape);
        }
        return data switch
        {
            double[] a when data.GetType() == typeof(double[]) => AsBytes(ColumnMajor.ToColumnMajor(a, shape)),
            float[] a when data.GetType() == typeof(float[]) => AsBytes(ColumnMajor.ToColumnMajor(a, shape)),
            _ when data.GetType() == typeof(sbyte[]) => AsBytes(ColumnMajor.ToColumnMajor((sbyte[])data, shape)),
            _ when data.GetType() == typeof(byte[]) => ColumnMajor.ToColumnMajor((byte[])data, shape),
            _ when data.GetType() == typeof(short[]) => AsBytes(ColumnMajor.ToColumnMajor((short[])data, shape)),
            _ when data.GetType() == typeof(ushort[]) => AsBytes(ColumnMajor.ToColumnMajor((ushort[])data, shape)),
            _ when data.GetType() == typeof(int[]) => AsBytes(ColumnMajor.ToColumnMajor((int[])data, shape)),
            _ when data.GetType() == typeof(uint[]) => AsBytes(ColumnMajor.ToColumnMajor((uint[])data, shape)),
            _ when data.GetType() == typeof(long[]) => AsBytes(ColumnMajor.ToColumnMajor((long[])data, shape)),
            _ when data.GetType() == typeof(ulong[]) => AsBytes(ColumnMajor.ToColumnMajor((ulong[])data, shape)),
            _ => throw new ArgumentException($"unsupported element type {data.GetType().Name}", nameof(data)),
        };
    }

    private static byte[] AsBytes<T>(T[] values) where T : unmanaged => MemoryMarshal.AsBytes(values.AsSpan()).ToArray();

    private static byte[] Tag(MiType type, uint size)
    {
        var tag = new byte[8];
        MemoryMarshal.Write(tag, (uint)type);
        MemoryMarshal.Write(tag.AsSpan(4), size);
        return tag;
    }

    /// <summary>Writes one sub-element, using the 4-byte small data element form when the data fits (as MATLAB and SciPy do).</summary>
    private static void WriteElement(Stream s, MiType type, ReadOnlySpan<byte> data)
    {
        if (data.Length is > 0 and <= 4)
        {
            Span<byte> small = stackalloc byte[8];
            small.Clear();
            MemoryMarshal.Write(small, ((uint)data.Length << 16) | (uint)type);
            data.CopyTo(small[4..]);
            s.Write(small);
            return;
        }
        s.Write(Tag(type, (uint)data.Length));
        s.Write(data);
        int pad = (8 - data.Length % 8) % 8;
        if (pad > 0) s.Write(stackalloc byte[pad]);
    }
}
