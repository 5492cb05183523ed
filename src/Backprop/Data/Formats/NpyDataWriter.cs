using System.Runtime.InteropServices;

namespace Backprop.Data.Formats;

/// <summary>Writes a typed array's elements little-endian, as the descriptor from <see cref="NpyDType.DescrFor"/> says.</summary>
internal static class NpyDataWriter
{
    public static void Write(Stream stream, Array data)
    {
        // Exact type tests: the CLR lets a byte[] pass `is sbyte[]` (and similar), so patterns would misread.
        var t = data.GetType();
        if (t == typeof(bool[]))
        {
            var b = (bool[])data;
            var bytes = new byte[b.Length];
            for (int i = 0; i < b.Length; i++) bytes[i] = b[i] ? (byte)1 : (byte)0;
            stream.Write(bytes);
        }
        else if (t == typeof(char[]))
        {
            var c = (char[])data;
            var cps = new uint[c.Length];
            for (int i = 0; i < c.Length; i++) cps[i] = c[i];
            WriteLittle<uint>(stream, cps);
        }
        else if (t == typeof(double[])) WriteLittle<double>(stream, (double[])data);
        else if (t == typeof(float[])) WriteLittle<float>(stream, (float[])data);
        else if (t == typeof(sbyte[])) stream.Write(MemoryMarshal.AsBytes(((sbyte[])data).AsSpan()));
        else if (t == typeof(byte[])) stream.Write((byte[])data);
        else if (t == typeof(short[])) WriteLittle<short>(stream, (short[])data);
        else if (t == typeof(ushort[])) WriteLittle<ushort>(stream, (ushort[])data);
        else if (t == typeof(int[])) WriteLittle<int>(stream, (int[])data);
        else if (t == typeof(uint[])) WriteLittle<uint>(stream, (uint[])data);
        else if (t == typeof(long[])) WriteLittle<long>(stream, (long[])data);
        else if (t == typeof(ulong[])) WriteLittle<ulong>(stream, (ulong[])data);
        else throw new NotSupportedException($"Arrays of {t.GetElementType()?.Name} cannot be written to .npy.");
    }

    private static void WriteLittle<T>(Stream stream, T[] values) where T : unmanaged
    {
        if (BitConverter.IsLittleEndian)
        {
            stream.Write(MemoryMarshal.AsBytes(values.AsSpan()));
            return;
        }
        int size = System.Runtime.CompilerServices.Unsafe.SizeOf<T>();
        var bytes = MemoryMarshal.AsBytes(values.AsSpan()).ToArray();
        for (int i = 0; i < bytes.Length; i += size) bytes.AsSpan(i, size).Reverse();
        stream.Write(bytes);
    }
}
