using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using Backprop.Data;
using Backprop.Data.Formats;
using Backprop.Data.Formats.Mat;
using Backprop.Tests.Cli;
using Backprop.Tests.Data.Formats.Mat;

namespace Backprop.Tests.Data.Formats;

/// <summary>
/// The read budget (ReadLimits.MaxBytes, counted at 8 bytes a value) and the class limit, against bombs generated
/// here: each is refused with an InvalidDataException naming the file, before the memory is taken.
/// </summary>
public class ReadLimitsTests
{
    private const long AllocationCeiling = 16 << 20;

    private static InvalidDataException RefusedWithoutAllocating(Action read)
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<InvalidDataException>(read);
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < AllocationCeiling, "the reader allocated more than 16 MB");
        return e;
    }

    [Fact]
    public void SparseMatThatWouldBeTwoGibDenseIsRefused()
    {
        // 16384 x 16384 sparse, one non-zero: under 300 bytes on disk, 2 GiB once dense.
        var ir = RawMat.Element(5, BitConverter.GetBytes(0));
        var jc = RawMat.Element(5, new byte[4 * 16385]);
        var file = RawMat.File(RawMat.Compressed(RawMat.Matrix(5, 0, [16384, 16384], "S", 1, ir, jc, RawMat.Doubles(1.0))));
        Assert.True(file.Length < 400, $"{file.Length} bytes");
        var e = RefusedWithoutAllocating(() => MatFile.Read(new MemoryStream(file), "sparse-bomb.mat"));
        Assert.StartsWith("sparse-bomb.mat: ", e.Message);
        Assert.Contains("variable 'S'", e.Message);
        Assert.Contains("read budget of 2 GiB", e.Message);
    }

    [Fact]
    public void LogicalBombIsRefusedBeforeInflating()
    {
        // A logical 16384 x 32768 stored as miUINT8 zeros: about half a megabyte compressed, 512 MiB inflated, 4 GiB as float64.
        int rows = 16384, cols = 32768;
        var matrix = new MemoryStream();
        void Tag(int type, int size) { matrix.Write(BitConverter.GetBytes(type)); matrix.Write(BitConverter.GetBytes(size)); }
        long bodySize = 16 + 16 + 16 + 8 + (long)rows * cols;
        Tag(14, (int)bodySize);
        Tag(6, 8); matrix.Write(BitConverter.GetBytes(9u | MatDataTypes.LogicalFlag)); matrix.Write(new byte[4]);
        Tag(5, 8); matrix.Write(BitConverter.GetBytes(rows)); matrix.Write(BitConverter.GetBytes(cols));
        Tag(1, 4); matrix.Write("mask"u8); matrix.Write(new byte[4]);
        Tag(2, rows * cols);
        var packed = new MemoryStream();
        using (var z = new ZLibStream(packed, CompressionLevel.Optimal, leaveOpen: true))
        {
            z.Write(matrix.ToArray());
            var zeros = new byte[1 << 20];
            for (long left = (long)rows * cols; left > 0; left -= zeros.Length) z.Write(zeros, 0, (int)Math.Min(zeros.Length, left));
        }
        var file = RawMat.File([.. BitConverter.GetBytes(15), .. BitConverter.GetBytes((int)packed.Length), .. packed.ToArray()]);
        Assert.True(file.Length < 1 << 20, $"{file.Length} bytes");
        var e = RefusedWithoutAllocating(() => MatFile.Read(new MemoryStream(file), "logical-bomb.mat"));
        Assert.StartsWith("logical-bomb.mat: variable 'mask' (16384x32768, compressed at offset 128) needs 536870912 values (4 GiB as float64)", e.Message);
    }

    [Fact]
    public void NpzMemberThatWouldPassTheBudgetAsFloat64IsRefused()
    {
        // 300 MB of uint8 zeros: a few hundred KB deflated, 2.4 GB as float64.
        using var dir = new TempDir();
        var path = dir.File("bomb.npz");
        const int count = 300_000_000;
        using (var zip = new ZipArchive(File.Create(path), ZipArchiveMode.Create))
        {
            using var s = zip.CreateEntry("X.npy", CompressionLevel.Optimal).Open();
            s.Write(NpyHeader.Format("|u1", false, [count]));
            var zeros = new byte[1 << 20];
            for (long left = count; left > 0; left -= zeros.Length) s.Write(zeros, 0, (int)Math.Min(zeros.Length, left));
        }
        Assert.True(new FileInfo(path).Length < 2 << 20);
        var e = RefusedWithoutAllocating(() => NpzFile.Read(path));
        Assert.StartsWith("bomb.npz: member 'X.npy' (shape (300000000), '|u1') needs 300000000 values (2.235 GiB as float64), more than the read budget of 2 GiB", e.Message);
    }

    [Fact]
    public void GzippedIdxThatWouldPassTheBudgetAsFloat64IsRefused()
    {
        using var dir = new TempDir();
        var path = dir.File("bomb-idx1-ubyte.gz");
        const int count = 300_000_000;
        using (var gz = new GZipStream(File.Create(path), CompressionLevel.Optimal))
        {
            var header = new byte[8];
            header[2] = 0x08; header[3] = 1;
            BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), count);
            gz.Write(header);
            var zeros = new byte[1 << 20];
            for (long left = count; left > 0; left -= zeros.Length) gz.Write(zeros, 0, (int)Math.Min(zeros.Length, left));
        }
        Assert.True(new FileInfo(path).Length < 2 << 20);
        var e = RefusedWithoutAllocating(() => IdxFile.Read(path));
        Assert.Contains("bomb-idx1-ubyte.gz: dimensions 300000000 of uint8 needs 300000000 values (2.235 GiB as float64)", e.Message);
    }

    [Fact]
    public void TheBudgetCanBeRaisedAndLowered()
    {
        var file = RawMat.File(RawMat.Matrix(6, [100, 100], "A", RawMat.Doubles(new double[10_000])));
        using (ReadLimits.Use(new ReadLimits(MaxBytes: 79_999)))
        {
            var e = Assert.Throws<InvalidDataException>(() => MatFile.Read(new MemoryStream(file), "a.mat"));
            Assert.Contains("needs 10000 values (80000 bytes as float64), more than the read budget of 79999 bytes", e.Message);
        }
        using (ReadLimits.Use(new ReadLimits(MaxBytes: 80_000)))
            Assert.Equal([100, 100], MatFile.Read(new MemoryStream(file), "a.mat").Get("A").Shape);
        // Two variables share one file's budget.
        var two = RawMat.File(RawMat.Matrix(6, [100, 100], "A", RawMat.Doubles(new double[10_000])), RawMat.Matrix(6, [1, 1], "B", RawMat.Doubles(1)));
        using (ReadLimits.Use(new ReadLimits(MaxBytes: 80_000)))
            Assert.Contains("variable 'B'", Assert.Throws<InvalidDataException>(() => MatFile.Read(new MemoryStream(two), "two.mat")).Message);
    }

    [Theory]
    [InlineData("4G", 4L << 30)]
    [InlineData("512M", 512L << 20)]
    [InlineData("512MiB", 512L << 20)]
    [InlineData("1.5k", 1536L)]
    [InlineData("1073741824", 1L << 30)]
    [InlineData("x", null)]
    [InlineData("-1G", null)]
    [InlineData("0", null)]
    [InlineData("1e30T", null)]
    public void SizesParseInBinaryUnits(string text, long? bytes) => Assert.Equal(bytes, ReadLimits.ParseSize(text));

    [Fact]
    public void AHundredThousandVariablesReadInLinearTime()
    {
        // 100,000 variables (the last one a second 'v0'): the quadratic RemoveAll took 30 s here; linear takes well under one.
        var elements = Enumerable.Range(0, 100_000).Select(i => RawMat.Matrix(6, [1, 1], $"v{i}", RawMat.Doubles(i))).ToList();
        elements.Add(RawMat.Matrix(6, [1, 1], "v0", RawMat.Doubles(-1)));
        var file = RawMat.File([.. elements]);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var contents = MatFile.Read(new MemoryStream(file), "many.mat");
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"{clock.Elapsed}");
        Assert.Equal(100_000, contents.Variables.Count);
        Assert.Equal(-1, contents.Get("v0").GetDouble(0));
        Assert.Equal("v0", contents.Variables[^1].Name); // the last occurrence's place, as MATLAB's load keeps it
        Assert.Equal("v1", contents.Variables[0].Name);
    }

    [Fact]
    public void ZlibStreamAskingForAPresetDictionaryIsDamage()
    {
        // zlib header 78 BB: FDICT set (and a valid check), then a dictionary id: .NET's zlib throws ZLibException.
        byte[] packed = [0x78, 0xBB, 0, 0, 0, 1, 0x63, 0, 0, 0, 0, 0];
        var file = RawMat.File([.. BitConverter.GetBytes(15), .. BitConverter.GetBytes(packed.Length), .. packed]);
        var e = Assert.Throws<InvalidDataException>(() => MatFile.Read(new MemoryStream(file), "fdict.mat"));
        Assert.StartsWith("fdict.mat: the compressed element at offset 128 cannot be inflated", e.Message);
    }

    [Fact]
    public void LabelsBeyondTheClassLimitNameTheFileRowAndValue()
    {
        using var dir = new TempDir();
        var path = dir.File("big-label.mat");
        MatFile.Write(path, [new NDArray("X", "double", [3, 2], new double[6]), new NDArray("y", "double", [3, 1], new double[] { 1, 2e9, 3 })]);
        var e = Assert.Throws<InvalidDataException>(() => DataSource.ReadFile(path));
        Assert.Equal("big-label.mat: variable 'y', row 2: label 2000000000 would make more than 10000 classes, the limit; raise it with --max-classes (ReadLimits.MaxClasses) if the labels are right.", e.Message);
        var small = dir.File("three.mat");
        MatFile.Write(small, [new NDArray("X", "double", [3, 2], new double[6]), new NDArray("y", "double", [3, 1], new double[] { 1, 2, 3 })]);
        using (ReadLimits.Use(new ReadLimits(MaxClasses: 2)))
            Assert.Contains("three.mat: variable 'y', row 3: label 3 would make more than 2 classes", Assert.Throws<InvalidDataException>(() => DataSource.ReadFile(small)).Message);
        Assert.Equal(3, DataSource.ReadFile(small).Classes);
    }

    [Fact]
    public void CsvWithMoreDistinctLabelsThanTheLimitIsRefused()
    {
        using var dir = new TempDir();
        var path = dir.File("many.csv");
        File.WriteAllText(path, "a,label\n" + string.Concat(Enumerable.Range(0, 20).Select(i => $"{i},c{i}\n")));
        using (ReadLimits.Use(new ReadLimits(MaxClasses: 10)))
        {
            var e = Assert.Throws<InvalidDataException>(() => CsvFile.ReadDataset(path));
            Assert.StartsWith("many.csv: row 12, column 2 ('label'): label 'c10' is distinct label number 11, more classes than the limit of 10", e.Message);
        }
        Assert.Equal(20, CsvFile.ReadDataset(path).Classes);
    }
}
