using System.Buffers.Binary;
using System.Text;
using Backprop.Data;
using Backprop.Data.Formats;

namespace Backprop.Tests.Data.Formats;

public class SafeTensorsFileTests
{
    [Fact]
    public void WrittenTensorsAndMetadataReadBack()
    {
        var a = new NDArray("0.weight", "single", [2, 3], new float[] { 1, 2, 3, 4, 5, 6.5f });
        var b = new NDArray("0.bias", "double", [2], new double[] { -1e300, Math.PI });
        var stream = new MemoryStream();
        SafeTensorsFile.Write(stream, [a, b], new Dictionary<string, string> { ["format"] = "pt" });
        Assert.Equal(0UL, BinaryPrimitives.ReadUInt64LittleEndian(stream.ToArray()) % 8); // header padded to 8 bytes
        stream.Position = 0;
        var back = SafeTensorsFile.Read(stream, "t.safetensors");
        Assert.Equal("pt", back.Metadata["format"]);
        Assert.Equal(a.Data, back.Find("0.weight")!.Data);
        Assert.Equal([2, 3], back.Find("0.weight")!.Shape);
        Assert.Equal(b.Data, back.Find("0.bias")!.Data);
    }

    [Fact]
    public void TorchWrittenFileReads()
    {
        var c = SafeTensorsFile.Read(Fixture.Path("exchange", "torch_digits.safetensors"));
        Assert.Equal(["0.weight", "0.bias", "3.weight", "3.bias"], c.Tensors.Select(t => t.Name));
        Assert.Equal([20, 64], c.Find("0.weight")!.Shape);
        Assert.IsType<float[]>(c.Find("3.bias")!.Data);
    }

    private static byte[] File(string header, int dataBytes, ulong? claimedLength = null)
    {
        var json = Encoding.UTF8.GetBytes(header);
        var bytes = new byte[8 + json.Length + dataBytes];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, claimedLength ?? (ulong)json.Length);
        json.CopyTo(bytes, 8);
        return bytes;
    }

    [Theory]
    [InlineData("huge header length", "{}", 0, ulong.MaxValue, "header length")]
    [InlineData("header past the end", "{}", 0, 1000UL, "header length")]
    [InlineData("not json", "{nope", 0, null, "not valid JSON")]
    [InlineData("past the data", """{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}""", 4, null, "truncated")]
    [InlineData("size mismatch", """{"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}""", 8, null, "needs 12 bytes")]
    [InlineData("gap", """{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}""", 8, null, "belong to no tensor")]
    [InlineData("overlap", """{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}""", 8, null, "overlaps")]
    [InlineData("negative offset", """{"a":{"dtype":"F32","shape":[1],"data_offsets":[-4,0]}}""", 8, null, "0 ≤ begin ≤ end")]
    [InlineData("unknown dtype", """{"a":{"dtype":"C64","shape":[1],"data_offsets":[0,8]}}""", 8, null, "dtype C64")]
    [InlineData("bad metadata", """{"__metadata__":{"k":1}}""", 0, null, "metadata")]
    public void DamagedFilesAreRefusedWithTheReason(string what, string header, int dataBytes, ulong? claimed, string expected)
    {
        var e = Assert.Throws<InvalidDataException>(() => SafeTensorsFile.Read(new MemoryStream(File(header, dataBytes, claimed)), "bad.safetensors"));
        Assert.True(e.Message.Contains(expected, StringComparison.Ordinal), $"{what}: {e.Message}");
        Assert.StartsWith("bad.safetensors:", e.Message);
    }
}
