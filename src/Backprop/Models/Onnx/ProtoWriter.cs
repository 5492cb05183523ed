using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace Backprop.Models.Onnx;

/// <summary>
/// A minimal Protocol Buffers wire-format encoder, enough for the ONNX messages <see cref="OnnxExport"/> writes:
/// varints (wire type 0), 32-bit fixed (5) and length-delimited fields (2: strings, bytes, nested messages).
/// Each field is written as its tag (field number &lt;&lt; 3 | wire type, a varint) followed by its payload; a nested
/// message is encoded on its own writer first and embedded as bytes, so lengths are always known.
/// Fields are written in the order the caller gives them; repeated scalars are written unpacked (one tag per value),
/// the canonical encoding of onnx.proto's proto2 fields, which every protobuf parser accepts.
/// </summary>
internal sealed class ProtoWriter
{
    private enum WireType { Varint = 0, LengthDelimited = 2, Fixed32 = 5 }

    private readonly ArrayBufferWriter<byte> buffer;

    public ProtoWriter(int initialCapacity = 256) => buffer = new ArrayBufferWriter<byte>(Math.Max(initialCapacity, 16));

    public int Length => buffer.WrittenCount;

    public ReadOnlySpan<byte> WrittenSpan => buffer.WrittenSpan;

    public byte[] ToArray() => buffer.WrittenSpan.ToArray();

    /// <summary>An int64/int32/enum/bool field (wire type 0). Negative values take ten bytes (two's complement), as protobuf specifies for int64 and int32.</summary>
    public ProtoWriter Int64(int field, long value)
    {
        Tag(field, WireType.Varint);
        Varint(unchecked((ulong)value));
        return this;
    }

    /// <summary>An int32 field: sign-extended to 64 bits on the wire.</summary>
    public ProtoWriter Int32(int field, int value) => Int64(field, value);

    /// <summary>A float field (wire type 5, little-endian IEEE 754 single).</summary>
    public ProtoWriter Float(int field, float value)
    {
        Tag(field, WireType.Fixed32);
        BinaryPrimitives.WriteSingleLittleEndian(buffer.GetSpan(4), value);
        buffer.Advance(4);
        return this;
    }

    /// <summary>A string field: UTF-8 bytes, length-delimited.</summary>
    public ProtoWriter String(int field, string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return Bytes(field, Encoding.UTF8.GetBytes(value));
    }

    /// <summary>A bytes field (wire type 2): the length as a varint, then the bytes.</summary>
    public ProtoWriter Bytes(int field, ReadOnlySpan<byte> bytes)
    {
        Tag(field, WireType.LengthDelimited);
        Varint((ulong)bytes.Length);
        bytes.CopyTo(buffer.GetSpan(bytes.Length));
        buffer.Advance(bytes.Length);
        return this;
    }

    /// <summary>An embedded message field: <paramref name="message"/>'s bytes, length-delimited.</summary>
    public ProtoWriter Message(int field, ProtoWriter message)
    {
        ArgumentNullException.ThrowIfNull(message);
        return Bytes(field, message.WrittenSpan);
    }

    private void Tag(int field, WireType type)
    {
        if (field < 1 || field > (1 << 29) - 1) throw new ArgumentOutOfRangeException(nameof(field), field, "Protobuf field numbers are 1 .. 2^29 - 1.");
        Varint(((ulong)(uint)field << 3) | (uint)type);
    }

    /// <summary>Base-128 varint: seven bits per byte, least significant group first, high bit set on all but the last byte.</summary>
    private void Varint(ulong value)
    {
        var span = buffer.GetSpan(10);
        int n = 0;
        while (value >= 0x80)
        {
            span[n++] = (byte)(value | 0x80);
            value >>= 7;
        }
        span[n++] = (byte)value;
        buffer.Advance(n);
    }
}
