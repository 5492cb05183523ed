using System.IO.Compression;

namespace Backprop.Data.Formats.Mat;

/// <summary>
/// Inflates a miCOMPRESSED element without trusting it: the inner element's declared size is checked against
/// <see cref="MatReadOptions.MaxElementBytes"/> and against what deflate could possibly produce from the compressed
/// bytes (at most 1032:1) before anything is allocated, and no more than that size is ever inflated.
/// </summary>
internal static class MatInflater
{
    /// <summary>Deflate's largest possible expansion ratio (a stream of maximal-length back references).</summary>
    public const long MaxDeflateRatio = 1032;

    /// <summary>Inflates the inner element (tag plus data) of a compressed element, or throws an <see cref="InvalidDataException"/> naming where.</summary>
    /// <param name="budgetBytes">The file's read budget (<see cref="ReadLimits.MaxBytes"/>): the inflated element may not pass it either.</param>
    public static byte[] Inflate(byte[] file, int dataOffset, int compressedSize, MatErrorContext ctx, bool bigEndian, long maxElementBytes, long budgetBytes)
    {
        long elementOffset = dataOffset - 8;
        using var zlib = new ZLibStream(new MemoryStream(file, dataOffset, compressedSize, writable: false), CompressionMode.Decompress);
        var tag = new byte[8];
        int got = ReadFully(zlib, tag, 0, 8, ctx, elementOffset);
        if (got < 8)
            throw ctx.Error($"the compressed element at offset {elementOffset} inflates to {got} bytes; expected at least an 8-byte element tag.");
        var tagReader = new MatElementReader(tag, 0, 8, bigEndian, ctx);
        uint type = tagReader.ReadUInt32(0);
        if ((type >> 16) != 0)
            throw ctx.Error($"the compressed element at offset {elementOffset} holds a small data element (type word 0x{type:X8}); expected a miMATRIX element.");
        uint declared = tagReader.ReadUInt32(4);
        long plausible = compressedSize * MaxDeflateRatio + 1024;
        long limit = Math.Min(Math.Min(Math.Min(maxElementBytes, budgetBytes), Array.MaxLength - 8L), plausible);
        if (declared > limit)
        {
            string why = declared > plausible
                ? $"{compressedSize} compressed bytes can inflate to at most {plausible}"
                : budgetBytes < maxElementBytes
                    ? $"more than the read budget of {ReadLimits.FormatSize(budgetBytes)}; raise it with --max-memory (ReadLimits.MaxBytes) if the file is right"
                    : $"the limit is {Math.Min(maxElementBytes, Array.MaxLength - 8L)} bytes (MatReadOptions.MaxElementBytes = {maxElementBytes})";
            throw ctx.Error($"the compressed element at offset {elementOffset} declares an inner {MatDataTypes.Name((MiType)type)} element of {declared} bytes; {why}.");
        }
        var inner = new byte[8 + declared];
        tag.CopyTo(inner, 0);
        got = ReadFully(zlib, inner, 8, (int)declared, ctx, elementOffset);
        if (got < declared)
            throw ctx.Error($"compressed data is truncated: the compressed element at offset {elementOffset} declares an inner element of {declared} bytes but inflates to only {got}.");
        return inner;
    }

    /// <summary>Inflates at most <paramref name="max"/> bytes, ignoring any error: used only to find a variable's name for an error message.</summary>
    public static byte[] InflatePrefix(byte[] file, int dataOffset, int compressedSize, int max)
    {
        var buffer = new byte[max];
        int total = 0;
        try
        {
            using var zlib = new ZLibStream(new MemoryStream(file, dataOffset, compressedSize, writable: false), CompressionMode.Decompress);
            int n;
            while (total < max && (n = zlib.Read(buffer, total, max - total)) > 0) total += n;
        }
        catch (Exception e) when (e is InvalidDataException or IOException) { }
        return buffer[..total];
    }

    private static int ReadFully(Stream s, byte[] buffer, int offset, int count, MatErrorContext ctx, long elementOffset)
    {
        int total = 0;
        try
        {
            int n;
            while (total < count && (n = s.Read(buffer, offset + total, count - total)) > 0) total += n;
        }
        catch (InvalidDataException ex)
        {
            throw ctx.Error($"the compressed element at offset {elementOffset} is damaged: its zlib data is corrupt after {total} inflated bytes.", ex);
        }
        catch (IOException ex)
        {
            // zlib reports a stream that asks for a preset dictionary (FDICT) as a ZLibException, an IOException:
            // MATLAB never writes one, so it is damage like any other.
            throw ctx.Error($"the compressed element at offset {elementOffset} cannot be inflated after {total} bytes ({ex.Message}); MATLAB's compressed elements are plain zlib streams without a preset dictionary.", ex);
        }
        return total;
    }
}
