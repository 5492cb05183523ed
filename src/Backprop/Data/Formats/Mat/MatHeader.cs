using System.Buffers.Binary;
using System.Text;

namespace Backprop.Data.Formats.Mat;

/// <summary>The 128-byte header of a level-5 MAT file.</summary>
internal sealed record MatHeader(string Text, bool BigEndian, long SubsystemOffset)
{
    public const int Size = 128;
    private static readonly byte[] Hdf5Signature = [0x89, (byte)'H', (byte)'D', (byte)'F', 0x0D, 0x0A, 0x1A, 0x0A];

    /// <summary>Parses the header; throws <see cref="NotSupportedException"/> for v7.3 (HDF5) and level-4 files.</summary>
    public static MatHeader Parse(ReadOnlySpan<byte> file, string fileName)
    {
        if (StartsWith(file, 0, Hdf5Signature) || StartsWith(file, 512, Hdf5Signature))
            throw V73(fileName);
        if (file.Length < Size)
            throw new InvalidDataException($"{fileName}: file is truncated: a MAT file starts with a {Size}-byte header but the file holds only {file.Length} bytes.");

        var text = Encoding.ASCII.GetString(file[..116]).TrimEnd(' ', '\0');
        bool bigEndian;
        if (file[126] == (byte)'I' && file[127] == (byte)'M') bigEndian = false;
        else if (file[126] == (byte)'M' && file[127] == (byte)'I') bigEndian = true;
        else if (LooksLikeLevel4(file))
            throw new NotSupportedException($"{fileName} is a level-4 MAT file (MATLAB v4); only level-5 files (save -v6 or -v7) are supported.");
        else
            throw new InvalidDataException($"{fileName}: not a MAT file: expected the endian indicator 'IM' or 'MI' at offset 126, found bytes 0x{file[126]:X2} 0x{file[127]:X2}.");

        int version = bigEndian ? BinaryPrimitives.ReadUInt16BigEndian(file[124..]) : BinaryPrimitives.ReadUInt16LittleEndian(file[124..]);
        if (version == 0x0200)
            throw V73(fileName);
        if (version != 0x0100)
            throw new InvalidDataException($"{fileName}: unsupported MAT version 0x{version:X4} at offset 124; expected 0x0100 (level 5).");

        var subsys = file[116..124];
        long subsystemOffset = 0;
        if (subsys.IndexOfAnyExcept((byte)' ', (byte)0) >= 0)
        {
            ulong raw = bigEndian ? BinaryPrimitives.ReadUInt64BigEndian(subsys) : BinaryPrimitives.ReadUInt64LittleEndian(subsys);
            subsystemOffset = raw > long.MaxValue ? 0 : (long)raw;
        }
        return new MatHeader(text, bigEndian, subsystemOffset);
    }

    private static NotSupportedException V73(string fileName) =>
        new($"{fileName} is a MATLAB v7.3 (HDF5) file; save it with -v7 (or -v6) to read it here, e.g. save('{Path.GetFileName(fileName)}', '-v7').");

    private static bool StartsWith(ReadOnlySpan<byte> file, int offset, byte[] signature) =>
        file.Length >= offset + signature.Length && file.Slice(offset, signature.Length).SequenceEqual(signature);

    /// <summary>A level-4 file starts with a type word MOPT &lt; 5000 (little or big endian) and a name length.</summary>
    private static bool LooksLikeLevel4(ReadOnlySpan<byte> file)
    {
        if (file.Length < 20) return false;
        uint le = BinaryPrimitives.ReadUInt32LittleEndian(file), be = BinaryPrimitives.ReadUInt32BigEndian(file);
        return (le < 5000 && le % 10 < 5 && le / 1000 <= 4) || (be < 5000 && be % 10 < 5 && be / 1000 <= 4);
    }
}
