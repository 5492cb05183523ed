using Backprop.Models.Onnx;

namespace Backprop.Tests.Models;

/// <summary>The wire encodings worked out in the Protocol Buffers encoding guide.</summary>
public class ProtoWriterTests
{
    [Fact]
    public void Varint_field_150_is_08_96_01() =>
        Assert.Equal(Convert.FromHexString("089601"), new ProtoWriter().Int64(1, 150).ToArray());

    [Fact]
    public void String_field_testing_is_length_delimited() =>
        Assert.Equal(Convert.FromHexString("120774657374696E67"), new ProtoWriter().String(2, "testing").ToArray());

    [Fact]
    public void Embedded_message_is_its_bytes_with_a_length() =>
        Assert.Equal(Convert.FromHexString("1A03089601"), new ProtoWriter().Message(3, new ProtoWriter().Int64(1, 150)).ToArray());

    [Fact]
    public void Negative_int64_takes_ten_bytes_twos_complement() =>
        Assert.Equal(Convert.FromHexString("18FFFFFFFFFFFFFFFFFF01"), new ProtoWriter().Int64(3, -1).ToArray());

    [Fact]
    public void Float_is_fixed32_little_endian() =>
        Assert.Equal(Convert.FromHexString("150000803F"), new ProtoWriter().Float(2, 1.0f).ToArray());

    [Fact]
    public void Large_field_numbers_and_lengths_use_multi_byte_varints()
    {
        var bytes = new ProtoWriter().Bytes(20, new byte[300]).ToArray();
        // tag 20 << 3 | 2 = 162 = A2 01; length 300 = AC 02
        Assert.Equal(Convert.FromHexString("A201AC02"), bytes[..4]);
        Assert.Equal(304, bytes.Length);
    }
}
