using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.InteropServices;

namespace Backprop.Data.Formats.Mat;

/// <summary>
/// Turns the bytes of a numeric data element into a typed array of the array's MATLAB class. MATLAB may store
/// values in a smaller type than the class (a double array of small integers is stored as miUINT8); each value is
/// converted exactly, and a value the class cannot hold is reported as damage.
/// </summary>
internal static class MatNumericDecoder
{
    /// <summary>The element's values in file order, as an array of the storage type (sbyte[], byte[], … double[]), in host byte order.</summary>
    public static Array ReadStorage(ReadOnlySpan<byte> bytes, MiType type, bool bigEndian)
    {
        switch (type)
        {
            case MiType.Int8: return MemoryMarshal.Cast<byte, sbyte>(bytes).ToArray();
            case MiType.UInt8: return bytes.ToArray();
            case MiType.Int16: { var a = MemoryMarshal.Cast<byte, short>(bytes).ToArray(); if (bigEndian) BinaryPrimitives.ReverseEndianness(a, a); return a; }
            case MiType.UInt16: { var a = MemoryMarshal.Cast<byte, ushort>(bytes).ToArray(); if (bigEndian) BinaryPrimitives.ReverseEndianness(a, a); return a; }
            case MiType.Int32: { var a = MemoryMarshal.Cast<byte, int>(bytes).ToArray(); if (bigEndian) BinaryPrimitives.ReverseEndianness(a, a); return a; }
            case MiType.UInt32: { var a = MemoryMarshal.Cast<byte, uint>(bytes).ToArray(); if (bigEndian) BinaryPrimitives.ReverseEndianness(a, a); return a; }
            case MiType.Int64: { var a = MemoryMarshal.Cast<byte, long>(bytes).ToArray(); if (bigEndian) BinaryPrimitives.ReverseEndianness(a, a); return a; }
            case MiType.UInt64: { var a = MemoryMarshal.Cast<byte, ulong>(bytes).ToArray(); if (bigEndian) BinaryPrimitives.ReverseEndianness(a, a); return a; }
            case MiType.Single:
            {
                var a = MemoryMarshal.Cast<byte, float>(bytes).ToArray();
                if (bigEndian) { var u = MemoryMarshal.Cast<float, uint>(a.AsSpan()); BinaryPrimitives.ReverseEndianness(u, u); }
                return a;
            }
            case MiType.Double:
            {
                var a = MemoryMarshal.Cast<byte, double>(bytes).ToArray();
                if (bigEndian) { var u = MemoryMarshal.Cast<double, ulong>(a.AsSpan()); BinaryPrimitives.ReverseEndianness(u, u); }
                return a;
            }
            default: throw new ArgumentOutOfRangeException(nameof(type), type, "not a numeric MAT type");
        }
    }

    /// <summary>Converts column-major storage values to a C-order array of the class's element type.</summary>
    /// <exception cref="OverflowException">A stored value does not fit the class.</exception>
    public static Array ToClass(Array storage, MxClass cls, int[] shape) => cls switch
    {
        MxClass.Double => Convert<double>(storage, shape),
        MxClass.Single => Convert<float>(storage, shape),
        MxClass.Int8 => Convert<sbyte>(storage, shape),
        MxClass.UInt8 => Convert<byte>(storage, shape),
        MxClass.Int16 => Convert<short>(storage, shape),
        MxClass.UInt16 => Convert<ushort>(storage, shape),
        MxClass.Int32 => Convert<int>(storage, shape),
        MxClass.UInt32 => Convert<uint>(storage, shape),
        MxClass.Int64 => Convert<long>(storage, shape),
        MxClass.UInt64 => Convert<ulong>(storage, shape),
        _ => throw new ArgumentOutOfRangeException(nameof(cls), cls, "not a numeric class"),
    };

    /// <summary>Logical arrays: any non-zero stored value is true.</summary>
    public static bool[] ToLogical(Array storage, int[] shape)
    {
        // Test each stored value in its own type: no float64 copy of what may be a large array.
        var nonZero = new bool[storage.Length];
        for (int i = 0; i < nonZero.Length; i++) nonZero[i] = IsNonZero(storage, i);
        return ColumnMajor.ToRowMajor(nonZero, shape, static b => b);
    }

    private static bool IsNonZero(Array storage, int i) => storage switch
    {
        byte[] b when storage.GetType() == typeof(byte[]) => b[i] != 0,
        sbyte[] b => b[i] != 0,
        short[] b when storage.GetType() == typeof(short[]) => b[i] != 0,
        ushort[] b => b[i] != 0,
        int[] b when storage.GetType() == typeof(int[]) => b[i] != 0,
        uint[] b => b[i] != 0,
        long[] b when storage.GetType() == typeof(long[]) => b[i] != 0,
        ulong[] b => b[i] != 0,
        float[] b => b[i] != 0,
        double[] b => b[i] != 0,
        _ => throw new ArgumentException($"unexpected storage array {storage.GetType().Name}", nameof(storage)),
    };

    /// <summary>The storage values in file order as int64 (for sparse indices); fractional or out-of-range values throw.</summary>
    public static long[] ToInt64FileOrder(Array storage) => Convert<long>(storage, [storage.Length]);

    private static T[] Convert<T>(Array storage, int[] shape) where T : INumberBase<T> => storage switch
    {
        T[] same when storage.GetType() == typeof(T[]) => ColumnMajor.ToRowMajor(same, shape, static x => x),
        _ when storage.GetType() == typeof(sbyte[]) => ColumnMajor.ToRowMajor((sbyte[])storage, shape, T.CreateChecked),
        _ when storage.GetType() == typeof(byte[]) => ColumnMajor.ToRowMajor((byte[])storage, shape, T.CreateChecked),
        _ when storage.GetType() == typeof(short[]) => ColumnMajor.ToRowMajor((short[])storage, shape, T.CreateChecked),
        _ when storage.GetType() == typeof(ushort[]) => ColumnMajor.ToRowMajor((ushort[])storage, shape, T.CreateChecked),
        _ when storage.GetType() == typeof(int[]) => ColumnMajor.ToRowMajor((int[])storage, shape, T.CreateChecked),
        _ when storage.GetType() == typeof(uint[]) => ColumnMajor.ToRowMajor((uint[])storage, shape, T.CreateChecked),
        _ when storage.GetType() == typeof(long[]) => ColumnMajor.ToRowMajor((long[])storage, shape, T.CreateChecked),
        _ when storage.GetType() == typeof(ulong[]) => ColumnMajor.ToRowMajor((ulong[])storage, shape, T.CreateChecked),
        _ when storage.GetType() == typeof(float[]) => ColumnMajor.ToRowMajor((float[])storage, shape, ExactFromFloating<float, T>),
        _ when storage.GetType() == typeof(double[]) => ColumnMajor.ToRowMajor((double[])storage, shape, ExactFromFloating<double, T>),
        _ => throw new ArgumentException($"unexpected storage array {storage.GetType().Name}", nameof(storage)),
    };

    /// <summary>Floating storage into an integer class must hold whole numbers in range; into a floating class it converts as IEEE does.</summary>
    private static T ExactFromFloating<TSrc, T>(TSrc x) where TSrc : IFloatingPointIeee754<TSrc> where T : INumberBase<T>
    {
        if (typeof(T) == typeof(double) || typeof(T) == typeof(float)) return T.CreateTruncating(x);
        if (!TSrc.IsInteger(x)) throw new OverflowException($"stored value {x} is not a whole number");
        return T.CreateChecked(x);
    }
}
