using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace Backprop.Data.Formats;

/// <summary>The element kinds an .npy file can hold that this library reads.</summary>
internal enum NpyKind { Bool, Int8, UInt8, Int16, UInt16, Int32, UInt32, Int64, UInt64, Float16, Float32, Float64, Unicode1 }

/// <summary>A parsed NumPy type descriptor such as "&lt;f8", "|u1" or "&gt;i4".</summary>
internal readonly record struct NpyDType(NpyKind Kind, int ItemSize, bool BigEndian, string Descr)
{
    /// <summary>MATLAB-style class name of the array this dtype becomes.</summary>
    public string ClassName => Kind switch
    {
        NpyKind.Bool => "logical",
        NpyKind.Int8 => "int8",
        NpyKind.UInt8 => "uint8",
        NpyKind.Int16 => "int16",
        NpyKind.UInt16 => "uint16",
        NpyKind.Int32 => "int32",
        NpyKind.UInt32 => "uint32",
        NpyKind.Int64 => "int64",
        NpyKind.UInt64 => "uint64",
        NpyKind.Float16 or NpyKind.Float32 => "single",
        NpyKind.Float64 => "double",
        NpyKind.Unicode1 => "char",
        _ => throw new InvalidOperationException(Kind.ToString()),
    };

    /// <summary>Whether the bytes must be swapped to read them on this machine.</summary>
    public bool NeedsSwap => ItemSize > 1 && BigEndian == BitConverter.IsLittleEndian;

    /// <summary>Parses a descr string; <paramref name="where"/> names the file/array for error messages.</summary>
    public static NpyDType Parse(string descr, string where)
    {
        if (descr.Length == 0)
            throw new InvalidDataException($"{where}: the header's 'descr' is empty; a NumPy type such as '<f8' was expected.");
        char order = descr[0];
        string body = descr;
        bool big = !BitConverter.IsLittleEndian;
        if (order is '<' or '>' or '|' or '=')
        {
            body = descr[1..];
            if (order == '<') big = false;
            else if (order == '>') big = true;
        }
        if (body.Length < 1)
            throw new InvalidDataException($"{where}: type '{descr}' has no type code.");
        char code = body[0];
        string sizeText = body[1..];
        int size = 0;
        if (sizeText.Length > 0 && !int.TryParse(sizeText, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out size))
        {
            if (code is 'M' or 'm')
                throw UnsupportedArrayType.Error($"{where}: type '{descr}' is a date/time type; only numeric and boolean arrays can be read.", descr);
            throw new InvalidDataException($"{where}: type '{descr}' is not a NumPy type descriptor.");
        }
        NpyKind? kind = (code, size) switch
        {
            ('b', 1) => NpyKind.Bool,
            ('?', 1) => NpyKind.Bool,
            ('i', 1) => NpyKind.Int8,
            ('u', 1) => NpyKind.UInt8,
            ('i', 2) => NpyKind.Int16,
            ('u', 2) => NpyKind.UInt16,
            ('i', 4) => NpyKind.Int32,
            ('u', 4) => NpyKind.UInt32,
            ('i', 8) => NpyKind.Int64,
            ('u', 8) => NpyKind.UInt64,
            ('f', 2) => NpyKind.Float16,
            ('f', 4) => NpyKind.Float32,
            ('f', 8) => NpyKind.Float64,
            ('U', 1) => NpyKind.Unicode1,
            _ => null,
        };
        if (kind is { } k)
            return new NpyDType(k, k == NpyKind.Unicode1 ? 4 : size, big, descr);
        string what = code switch
        {
            'c' => "a complex type",
            'O' => "an object (pickled Python) type",
            'V' => "a void/structured type",
            'S' or 'a' => "a byte-string type",
            'U' => "a string type (only single-character strings are read)",
            'M' or 'm' => "a date/time type",
            'f' => "a floating-point size this library does not read (float16, float32 and float64 are)",
            'i' or 'u' or 'b' => "an integer size NumPy does not define",
            _ => "an unknown type",
        };
        if (code is 'c' or 'O' or 'V' or 'S' or 'a' or 'U' or 'M' or 'm' or 'f')
            throw UnsupportedArrayType.Error($"{where}: type '{descr}' is {what}; only boolean, integer and float16/32/64 arrays can be read.", descr);
        throw new InvalidDataException($"{where}: type '{descr}' is {what}.");
    }

    /// <summary>The descriptor NumPy would write for an array of this .NET element type (little-endian).</summary>
    public static string DescrFor(Array data) => Type.GetTypeCode(data.GetType().GetElementType()) switch
    {
        TypeCode.Double => "<f8",
        TypeCode.Single => "<f4",
        TypeCode.SByte => "|i1",
        TypeCode.Byte => "|u1",
        TypeCode.Int16 => "<i2",
        TypeCode.UInt16 => "<u2",
        TypeCode.Int32 => "<i4",
        TypeCode.UInt32 => "<u4",
        TypeCode.Int64 => "<i8",
        TypeCode.UInt64 => "<u8",
        TypeCode.Boolean => "|b1",
        TypeCode.Char => "<U1",
        _ => throw new NotSupportedException($"Arrays of {data.GetType().GetElementType()?.Name} cannot be written to .npy."),
    };

    /// <summary>Allocates the typed array for <paramref name="count"/> elements and fills it from <paramref name="stream"/>.</summary>
    public Array ReadData(Stream stream, int count, string where)
    {
        switch (Kind)
        {
            case NpyKind.Bool:
                {
                    var raw = new byte[count];
                    ReadExactly(stream, raw, where);
                    var result = new bool[count];
                    for (int i = 0; i < count; i++) result[i] = raw[i] != 0;
                    return result;
                }
            case NpyKind.Int8: return Fill<sbyte>(stream, count, where);
            case NpyKind.UInt8: return Fill<byte>(stream, count, where);
            case NpyKind.Int16: return Swap(Fill<short>(stream, count, where));
            case NpyKind.UInt16: return Swap(Fill<ushort>(stream, count, where));
            case NpyKind.Int32: return Swap(Fill<int>(stream, count, where));
            case NpyKind.UInt32: return Swap(Fill<uint>(stream, count, where));
            case NpyKind.Int64: return Swap(Fill<long>(stream, count, where));
            case NpyKind.UInt64: return Swap(Fill<ulong>(stream, count, where));
            case NpyKind.Float32:
                {
                    var a = Fill<float>(stream, count, where);
                    if (NeedsSwap) { var u = MemoryMarshal.Cast<float, uint>(a.AsSpan()); BinaryPrimitives.ReverseEndianness(u, u); }
                    return a;
                }
            case NpyKind.Float64:
                {
                    var a = Fill<double>(stream, count, where);
                    if (NeedsSwap) { var u = MemoryMarshal.Cast<double, ulong>(a.AsSpan()); BinaryPrimitives.ReverseEndianness(u, u); }
                    return a;
                }
            case NpyKind.Float16:
                {
                    var bits = Swap(Fill<ushort>(stream, count, where));
                    var result = new float[count];
                    for (int i = 0; i < count; i++) result[i] = (float)BitConverter.UInt16BitsToHalf(bits[i]);
                    return result;
                }
            case NpyKind.Unicode1:
                {
                    var cps = Swap(Fill<uint>(stream, count, where));
                    var result = new char[count];
                    for (int i = 0; i < count; i++)
                    {
                        if (cps[i] > char.MaxValue)
                            throw UnsupportedArrayType.Error($"{where}: character {i} is U+{cps[i]:X}, outside the range a .NET char holds.", Descr);
                        result[i] = (char)cps[i];
                    }
                    return result;
                }
            default:
                throw new InvalidOperationException(Kind.ToString());
        }
    }

    private T[] Swap<T>(T[] a) where T : unmanaged
    {
        if (!NeedsSwap) return a;
        var span = a.AsSpan();
        if (typeof(T) == typeof(short)) { var s = MemoryMarshal.Cast<T, short>(span); BinaryPrimitives.ReverseEndianness(s, s); }
        else if (typeof(T) == typeof(ushort)) { var s = MemoryMarshal.Cast<T, ushort>(span); BinaryPrimitives.ReverseEndianness(s, s); }
        else if (typeof(T) == typeof(int)) { var s = MemoryMarshal.Cast<T, int>(span); BinaryPrimitives.ReverseEndianness(s, s); }
        else if (typeof(T) == typeof(uint)) { var s = MemoryMarshal.Cast<T, uint>(span); BinaryPrimitives.ReverseEndianness(s, s); }
        else if (typeof(T) == typeof(long)) { var s = MemoryMarshal.Cast<T, long>(span); BinaryPrimitives.ReverseEndianness(s, s); }
        else if (typeof(T) == typeof(ulong)) { var s = MemoryMarshal.Cast<T, ulong>(span); BinaryPrimitives.ReverseEndianness(s, s); }
        return a;
    }

    private static T[] Fill<T>(Stream stream, int count, string where) where T : unmanaged
    {
        var a = new T[count];
        ReadExactly(stream, MemoryMarshal.AsBytes(a.AsSpan()), where);
        return a;
    }

    private static void ReadExactly(Stream stream, Span<byte> buffer, string where)
    {
        int total = 0;
        while (total < buffer.Length)
        {
            int n = stream.Read(buffer[total..]);
            if (n == 0)
                throw new InvalidDataException($"{where}: the data ends after {total} of {buffer.Length} bytes; the file is truncated.");
            total += n;
        }
    }
}
