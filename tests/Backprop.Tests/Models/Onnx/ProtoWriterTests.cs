using Backprop.Models.Onnx;

namespace Backprop.Tests.Models.Onnx;

/// <summary>The wire encodings worked out in the Protocol Buffers encoding guide.</summary>
public class ProtoWriterTests
{
    [Fact]
    public void VarintField150IsBytes08Then96Then01() =>
        Assert.Equal(Convert.FromHexString("089601"), new ProtoWriter().Int64(1, 150).ToArray());

    [Fact]
    public void StringFieldTestingIsLengthDelimited() =>
        Assert.Equal(Convert.FromHexString("120774657374696E67"), new ProtoWriter().String(2, "testing").ToArray());

    [Fact]
    public void EmbeddedMessageIsItsBytesWithALength() =>
        Assert.Equal(Convert.FromHexString("1A03089601"), new ProtoWriter().Message(3, new ProtoWriter().Int64(1, 150)).ToArray());

    [Fact]
    public void NegativeInt64TakesTenBytesTwosComplement() =>
        Assert.Equal(Convert.FromHexString("18FFFFFFFFFFFFFFFFFF01"), new ProtoWriter().Int64(3, -1).ToArray());

    [Fact]
    public void FloatIsFixed32LittleEndian() =>
        Assert.Equal(Convert.FromHexString("150000803F"), new ProtoWriter().Float(2, 1.0f).ToArray());

    [Fact]
    public void LargeFieldNumbersAndLengthsUseMultiByteVarints()
    {
        var bytes = new ProtoWriter().Bytes(20, new byte[300]).ToArray();
        // tag 20 << 3 | 2 = 162 = A2 01; length 300 = AC 02
        Assert.Equal(Convert.FromHexString("A201AC02"), bytes[..4]);
        Assert.Equal(304, bytes.Length);
    }
}
