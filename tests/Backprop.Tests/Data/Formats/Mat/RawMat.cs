using System.IO.Compression;
using System.Text;

namespace Backprop.Tests.Data.Formats.Mat;

/// <summary>Builds little-endian level-5 MAT bytes by hand, for files no real writer would produce.</summary>
internal static class RawMat
{
    public static byte[] Header(ushort version = 0x0100, string text = "MATLAB 5.0 MAT-file, hand-made for tests")
    {
        var h = new byte[128];
        h.AsSpan(0, 116).Fill((byte)' ');
        Encoding.ASCII.GetBytes(text).CopyTo(h, 0);
        BitConverter.GetBytes(version).CopyTo(h, 124);
        h[126] = (byte)'I';
        h[127] = (byte)'M';
        return h;
    }

    public static byte[] Element(int type, byte[] data, uint? declaredSize = null)
    {
        int pad = (8 - data.Length % 8) % 8;
        var e = new byte[8 + data.Length + pad];
        BitConverter.GetBytes(type).CopyTo(e, 0);
        BitConverter.GetBytes(declaredSize ?? (uint)data.Length).CopyTo(e, 4);
        data.CopyTo(e, 8);
        return e;
    }

    /// <summary>A miMATRIX element: flags (class | flag bits), dimensions, name, then the given sub-elements.</summary>
    public static byte[] Matrix(int cls, int[] dims, string name, params byte[][] parts) => Matrix(cls, 0, dims, name, 0, parts);

    public static byte[] Matrix(int cls, uint flagBits, int[] dims, string name, uint nzmax, params byte[][] parts)
    {
        var body = new List<byte>();
        body.AddRange(Element(6, [.. BitConverter.GetBytes((uint)cls | flagBits), .. BitConverter.GetBytes(nzmax)]));
        body.AddRange(Element(5, dims.SelectMany(BitConverter.GetBytes).ToArray()));
        body.AddRange(Element(1, Encoding.ASCII.GetBytes(name)));
        foreach (var p in parts) body.AddRange(p);
        return Element(14, [.. body]);
    }

    public static byte[] Doubles(params double[] v) => Element(9, v.SelectMany(BitConverter.GetBytes).ToArray());

    public static byte[] Compressed(byte[] inner)
    {
        using var ms = new MemoryStream();
        using (var z = new ZLibStream(ms, CompressionLevel.Optimal, leaveOpen: true)) z.Write(inner);
        var packed = ms.ToArray();
        return [.. BitConverter.GetBytes(15), .. BitConverter.GetBytes(packed.Length), .. packed];
    }

    public static byte[] File(params byte[][] elements) => [.. Header(), .. elements.SelectMany(e => e)];
}
