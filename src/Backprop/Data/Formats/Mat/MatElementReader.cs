using System.Buffers.Binary;

namespace Backprop.Data.Formats.Mat;

/// <summary>
/// Reads the sub-elements of one miMATRIX element (in the file, or inflated from a miCOMPRESSED element) in the
/// file's byte order, checking every declared size against the bytes the enclosing element really holds. (A file cut
/// short is caught earlier, at the top-level element, and reported as truncated.)
/// </summary>
internal sealed class MatElementReader(byte[] buffer, int start, int end, bool bigEndian, MatErrorContext context)
{
    public byte[] Buffer { get; } = buffer;
    public bool BigEndian { get; } = bigEndian;
    public MatErrorContext Context { get; } = context;
    private readonly int _start = start;
    public int Position { get; private set; } = start;
    public int End { get; } = end;
    public int Remaining => End - Position;

    public uint ReadUInt32(int offset) => BigEndian
        ? BinaryPrimitives.ReadUInt32BigEndian(Buffer.AsSpan(offset, 4))
        : BinaryPrimitives.ReadUInt32LittleEndian(Buffer.AsSpan(offset, 4));

    public int ReadInt32(int offset) => unchecked((int)ReadUInt32(offset));

    public ReadOnlySpan<byte> Data(MatElement e) => Buffer.AsSpan(e.DataOffset, e.Size);

    /// <summary>Reads the next element's tag (normal or 4-byte "small data element" form) and moves past its padded data.</summary>
    /// <param name="what">What the element should be, for error messages ("the array flags").</param>
    public MatElement Next(string what)
    {
        int tagOffset = Position;
        if (Remaining < 8)
            throw Context.Error($"{what} at {Context.Where(tagOffset)} needs an 8-byte tag but only {Math.Max(Remaining, 0)} bytes remain in the enclosing element; the data is damaged.");
        uint word = ReadUInt32(tagOffset);
        MatElement e;
        if ((word >> 16) != 0)
        {
            int size = (int)(word >> 16);
            if (size > 4)
                throw Context.Error($"{what} at {Context.Where(tagOffset)} is a small data element declaring {size} bytes; at most 4 fit.");
            e = new MatElement((MiType)(word & 0xFFFF), tagOffset, tagOffset + 4, size, IsSmall: true);
            Position = tagOffset + 8;
        }
        else
        {
            uint size = ReadUInt32(tagOffset + 4);
            int available = Remaining - 8;
            if (size > (uint)available)
                throw Context.Error($"{what} (element at {Context.Where(tagOffset)}, {MatDataTypes.Name((MiType)word)}) declares {size} bytes but only {available} remain in the enclosing element; the data is damaged.");
            e = new MatElement((MiType)word, tagOffset, tagOffset + 8, (int)size, IsSmall: false);
            // Data is padded to an 8-byte boundary counted from the start of the enclosing element's data.
            long used = tagOffset - _start + 8 + (long)size;
            used += (8 - used % 8) % 8;
            Position = (int)Math.Min(_start + used, End);
        }
        return e;
    }

    /// <summary>Reads the next element and checks that it has the given type.</summary>
    public MatElement Next(string what, MiType expected)
    {
        var e = Next(what);
        if (e.Type != expected)
            throw Context.Error($"{what} at {Context.Where(e.TagOffset)} should be a {MatDataTypes.Name(expected)} element but is {MatDataTypes.Name(e.Type)}.");
        return e;
    }
}
