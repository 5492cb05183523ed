using System.Diagnostics;
using System.IO.Compression;
using Backprop.Data;
using Backprop.Data.Formats;

namespace Backprop.Tests.Data.Formats;

public sealed class IdxFileTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("idx-tests-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static string Mnist(string file) => Path.Combine(AppContext.BaseDirectory, "data", "mnist", file);

    public static TheoryData<string, bool> Arrays() => new()
    {
        { "uint8", false }, { "int8", true }, { "int16", false }, { "int32", true }, { "single", false }, { "double", true },
    };

    private static NDArray Sample(string cls) => cls switch
    {
        "uint8" => new NDArray("a", cls, [2, 3], new byte[] { 0, 1, 2, 127, 128, 255 }),
        "int8" => new NDArray("a", cls, [3], new sbyte[] { -128, 0, 127 }),
        "int16" => new NDArray("a", cls, [2, 2], new short[] { short.MinValue, -1, 258, short.MaxValue }),
        "int32" => new NDArray("a", cls, [1, 2, 2], new[] { int.MinValue, -2, 0x01020304, int.MaxValue }),
        "single" => new NDArray("a", cls, [3], new[] { -1.5f, float.Epsilon, 3.25e30f }),
        _ => new NDArray("a", cls, [2, 1], new[] { Math.PI, -0.0 }),
    };

    [Theory, MemberData(nameof(Arrays))]
    public void WriteThenReadRoundTripsEveryElementType(string cls, bool gzip)
    {
        var a = Sample(cls);
        var path = Path.Combine(_dir, "x.idx" + (gzip ? ".gz" : ""));
        IdxFile.Write(path, a, gzip);
        var b = IdxFile.Read(path);
        Assert.Equal(cls, b.ClassName);
        Assert.Equal(a.Shape, b.Shape);
        Assert.Equal(a.Data.GetType(), b.Data.GetType());
        Assert.Equal(a.Data, b.Data);
        Assert.Equal("x.idx", b.Name);
        Assert.Equal(gzip, File.ReadAllBytes(path)[0] == 0x1f);
        Assert.Single(Directory.GetFiles(_dir)); // no temp file left behind
    }

    [Fact]
    public void BigEndianLayoutIsTheStandardOne()
    {
        var path = Path.Combine(_dir, "s.idx");
        IdxFile.Write(path, new NDArray("s", "int16", [2], new short[] { 0x0102, -2 }));
        Assert.Equal(new byte[] { 0, 0, 0x0B, 1, 0, 0, 0, 2, 1, 2, 0xff, 0xfe }, File.ReadAllBytes(path));
    }

    [Fact]
    public void ReadsMnistCompletely()
    {
        // Speed is measured by `backprop bench` / docs/benchmarks.md, never by a timed unit test.
        var images = IdxFile.Read(Mnist("train-images-idx3-ubyte.gz"));
        Assert.Equal(new[] { 60000, 28, 28 }, images.Shape);
        Assert.Equal("uint8", images.ClassName);
        Assert.Equal("train-images-idx3-ubyte", images.Name);
        var labels = IdxFile.Read(Mnist("train-labels-idx1-ubyte.gz"));
        Assert.Equal(new[] { 60000 }, labels.Shape);
    }

    [Fact]
    public void ReadsFromANonSeekableStream()
    {
        var bytes = File.ReadAllBytes(Mnist("t10k-labels-idx1-ubyte.gz"));
        using var s = new NonSeekable(new MemoryStream(bytes));
        var a = IdxFile.Read(s, "labels.gz");
        Assert.Equal(new[] { 10000 }, a.Shape);
        Assert.Equal(7.0, a.GetDouble(0));
    }

    private void WriteRaw(string name, byte[] bytes) => File.WriteAllBytes(Path.Combine(_dir, name), bytes);

    private static byte[] Gzip(byte[] raw)
    {
        var ms = new MemoryStream();
        using (var gz = new GZipStream(ms, CompressionLevel.Fastest, leaveOpen: true)) gz.Write(raw);
        return ms.ToArray();
    }

    private InvalidDataException Fails(string name, byte[] bytes)
    {
        WriteRaw(name, bytes);
        var e = Assert.Throws<InvalidDataException>(() => IdxFile.Read(Path.Combine(_dir, name)));
        Assert.Contains(name, e.Message);
        return e;
    }

    [Fact]
    public void DamagedFilesGiveClearErrors()
    {
        Assert.Contains("empty", Fails("empty.idx", []).Message);
        Assert.Contains("00 00", Fails("magic.idx", [1, 2, 8, 1, 0, 0, 0, 1, 5]).Message);
        Assert.Contains("0x07", Fails("type.idx", [0, 0, 7, 1, 0, 0, 0, 1, 5]).Message);
        Assert.Contains("declares 2 dimensions", Fails("dims.idx", [0, 0, 8, 2, 0, 0, 0, 1]).Message);
        Assert.Contains("at most 2147483647", Fails("neg.idx", [0, 0, 8, 1, 0xff, 0xff, 0xff, 0xff]).Message);
        // data shorter than the dims promise
        var e = Fails("short.idx", [0, 0, 8, 2, 0, 0, 0, 3, 0, 0, 0, 3, 1, 2, 3, 4]);
        Assert.Contains("offset 12", e.Message);
        Assert.Contains("9 bytes", e.Message);
        // absurd dims: more elements than any array can hold, raw and gzipped
        byte[] absurd = [0, 0, 0x0E, 3, 0x7f, 0xff, 0xff, 0xff, 0x7f, 0xff, 0xff, 0xff, 0x7f, 0xff, 0xff, 0xff, 1, 2, 3];
        Assert.Contains("header is damaged", Fails("absurd.idx", absurd).Message);
        Assert.Contains("header is damaged", Fails("absurd.idx.gz", Gzip(absurd)).Message);
    }

    [Fact]
    public void GzipThatEndsEarlyOrIsCorruptIsReportedWithoutHugeAllocations()
    {
        // header claims 64 MiB of uint8 (512 MiB as float64, within the read budget) but only 10 bytes follow
        byte[] lying = [0, 0, 8, 1, 0x04, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
        var before = GC.GetAllocatedBytesForCurrentThread(); // per thread: other tests run in parallel
        var e = Fails("lying.idx.gz", Gzip(lying));
        Assert.Contains("compressed stream ends after 10", e.Message);
        Assert.Contains("decompressed offset 18", e.Message);
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 200L << 20);

        var good = Gzip([0, 0, 8, 1, 0, 0, 0, 4, 1, 2, 3, 4]);
        var cut = good[..(good.Length - 12)];
        Fails("cut.idx.gz", cut);
        var corrupt = (byte[])good.Clone();
        for (int i = 10; i < corrupt.Length - 8; i++) corrupt[i] ^= 0x5a;
        Fails("corrupt.idx.gz", corrupt);
    }

    [Fact]
    public void WriteRejectsUnsupportedTypes()
    {
        var a = new NDArray("b", "logical", [2], new[] { true, false });
        Assert.Throws<ArgumentException>(() => IdxFile.Write(Path.Combine(_dir, "b.idx"), a));
        Assert.Empty(Directory.GetFiles(_dir));
    }

    private sealed class NonSeekable(Stream inner) : Stream
    {
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, Math.Min(count, 7));
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
