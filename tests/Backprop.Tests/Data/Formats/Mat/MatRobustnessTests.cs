using Backprop.Data.Formats.Mat;

namespace Backprop.Tests.Data.Formats.Mat;

/// <summary>Damaged and hostile files fail with InvalidDataException (or NotSupportedException), never a crash, hang or huge allocation.</summary>
public class MatRobustnessTests
{
    private static Backprop.Data.DataFileContents ReadBytes(byte[] bytes, string name = "crafted.mat", MatReadOptions? options = null) =>
        MatFile.Read(new MemoryStream(bytes), name, options);

    /// <summary>Runs the reader; success, InvalidDataException and NotSupportedException are fine, anything else fails the test.</summary>
    private static void ReadSafely(byte[] bytes, string name, string what)
    {
        try
        {
            ReadBytes(bytes, name);
        }
        catch (InvalidDataException ex)
        {
            Assert.True(ex.Message.StartsWith(name + ":", StringComparison.Ordinal), $"{what}: message does not name the file: {ex.Message}");
        }
        catch (NotSupportedException ex)
        {
            Assert.Contains(name, ex.Message);
        }
        catch (Exception ex)
        {
            Assert.Fail($"{what}: {ex.GetType().Name}: {ex.Message}\n{ex.StackTrace}");
        }
    }

    public static TheoryData<string> SweepFiles() =>
    [
        "corpus/matlab-corpus/ex5data1.mat",
        "corpus/matlab-corpus/ex6data1.mat",
        "scipy/scipy_v5_uncompressed.mat",
        "scipy/scipy_v5_bigendian.mat",
        "scipy/scipy_v5_compressed.mat",
        "ours/ours_uncompressed.mat",
    ];

    [Theory]
    [MemberData(nameof(SweepFiles))]
    public void TruncationAtEveryByte(string file)
    {
        var bytes = File.ReadAllBytes(MatFixtures.PathOf(file.Split('/')));
        int failures = 0;
        for (int cut = 0; cut < bytes.Length; cut++)
        {
            var part = bytes[..cut];
            try { ReadBytes(part, "cut.mat"); }
            catch (InvalidDataException ex)
            {
                failures++;
                Assert.StartsWith("cut.mat:", ex.Message);
                if (cut >= 128) Assert.Matches("offset \\d+", ex.Message);
            }
            catch (Exception ex)
            {
                Assert.Fail($"{file} cut at {cut}: {ex.GetType().Name}: {ex.Message}\n{ex.StackTrace}");
            }
        }
        Assert.True(failures > bytes.Length / 2, $"{file}: only {failures} of {bytes.Length} truncations were reported");
    }

    public static TheoryData<string> FlipFiles() =>
    [
        "corpus/ex4weights.mat",
        "corpus/matlab-corpus/bird_small.mat",
        "corpus/matlab-corpus/heart_workspace.mat",
        "corpus/matlab-corpus/ex8data1.mat",
        "scipy/scipy_v5_uncompressed.mat",
        "scipy/scipy_v5_bigendian.mat",
        "scipy/scipy_v5_compressed.mat",
    ];

    [Theory]
    [MemberData(nameof(FlipFiles))]
    public void SeededRandomByteFlips(string file)
    {
        var original = File.ReadAllBytes(MatFixtures.PathOf(file.Split('/')));
        var random = new Random(20240611 + file.Length);
        for (int trial = 0; trial < 300; trial++)
        {
            var bytes = (byte[])original.Clone();
            int flips = random.Next(1, 5);
            var where = new List<int>();
            for (int f = 0; f < flips; f++)
            {
                // Half the flips hit the first 600 bytes, where headers, tags and dimensions are.
                int at = random.Next(2) == 0 ? random.Next(Math.Min(600, bytes.Length)) : random.Next(bytes.Length);
                bytes[at] ^= (byte)random.Next(1, 256);
                where.Add(at);
            }
            ReadSafely(bytes, "flipped.mat", $"{file} trial {trial} flips at [{string.Join(", ", where)}]");
        }
    }

    [Fact]
    public void AbsurdDimensionsAreRejectedBeforeAllocating()
    {
        var file = RawMat.File(RawMat.Matrix(6, [int.MaxValue, int.MaxValue], "huge", RawMat.Doubles(1.0)));
        long before = GC.GetAllocatedBytesForCurrentThread();
        var ex = Assert.Throws<InvalidDataException>(() => ReadBytes(file, "absurd.mat"));
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 16 << 20, "the reader allocated more than 16 MB");
        Assert.Contains("absurd.mat: variable 'huge'", ex.Message);
        Assert.Contains("2147483647x2147483647", ex.Message);
    }

    [Fact]
    public void DimensionsThatOverflowInt64AreRejected()
    {
        var dims = Enumerable.Repeat(int.MaxValue, 8).ToArray();
        var ex = Assert.Throws<InvalidDataException>(() => ReadBytes(RawMat.File(RawMat.Matrix(6, dims, "big", RawMat.Doubles(1.0)))));
        Assert.Contains("more than 2^63", ex.Message);
    }

    [Fact]
    public void NegativeDimensionIsRejected()
    {
        var ex = Assert.Throws<InvalidDataException>(() => ReadBytes(RawMat.File(RawMat.Matrix(6, [unchecked((int)0x80000000), 1], "neg", RawMat.Doubles(1.0)))));
        Assert.Contains("variable 'neg'", ex.Message);
        Assert.Contains("negative size", ex.Message);
    }

    [Fact]
    public void HugeSparseArrayIsNotMadeDense()
    {
        var ir = RawMat.Element(5, BitConverter.GetBytes(0));
        var jc = RawMat.Element(5, new byte[4 * 3]);
        var file = RawMat.File(RawMat.Matrix(5, 0, [int.MaxValue, 2], "sp", 1, ir, jc, RawMat.Doubles(1.0)));
        var ex = Assert.Throws<InvalidDataException>(() => ReadBytes(file));
        Assert.Contains("variable 'sp'", ex.Message);
        Assert.Contains("dense values", ex.Message);
    }

    [Fact]
    public void DataThatDoesNotMatchTheDimensionsIsRejected()
    {
        var ex = Assert.Throws<InvalidDataException>(() => ReadBytes(RawMat.File(RawMat.Matrix(6, [3, 2], "X", RawMat.Doubles(1, 2, 3)))));
        Assert.Contains("variable 'X': the real part at offset", ex.Message);
        Assert.Contains("expected 6 values", ex.Message);
    }

    [Fact]
    public void ElementOverrunningTheFileIsTruncation()
    {
        var matrix = RawMat.Matrix(6, [1, 1], "v", RawMat.Doubles(1));
        BitConverter.GetBytes(0xFFFFFFF0u).CopyTo(matrix, 4);
        var ex = Assert.Throws<InvalidDataException>(() => ReadBytes(RawMat.File(matrix), "over.mat"));
        Assert.Equal($"over.mat: variable 'v': file is truncated: element at offset 128 declares {0xFFFFFFF0u} bytes but only {matrix.Length - 8} remain.", ex.Message);
    }

    [Fact]
    public void SubElementOverrunningItsMatrixIsReported()
    {
        var data = RawMat.Element(9, BitConverter.GetBytes(1.0), declaredSize: 4000);
        var ex = Assert.Throws<InvalidDataException>(() => ReadBytes(RawMat.File(RawMat.Matrix(6, [1, 1], "v", data))));
        Assert.Contains("variable 'v': the real part (element at offset 184, miDOUBLE) declares 4000 bytes but only 8 remain in the enclosing element", ex.Message);
    }

    [Fact]
    public void ZipBombDeclaringGigabytesIsRejectedWithoutInflating()
    {
        // The inner tag claims a 3 GB miMATRIX; 16 MB of zeros compress to a few KB, which cannot inflate to 3 GB.
        var inner = new byte[16 << 20];
        BitConverter.GetBytes(14).CopyTo(inner, 0);
        BitConverter.GetBytes(3_000_000_000u).CopyTo(inner, 4);
        var file = RawMat.File(RawMat.Compressed(inner));
        Assert.True(file.Length < 100_000);
        long before = GC.GetAllocatedBytesForCurrentThread();
        var ex = Assert.Throws<InvalidDataException>(() => ReadBytes(file, "bomb.mat"));
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 16 << 20, "the reader allocated more than 16 MB");
        Assert.Contains("bomb.mat: the compressed element at offset 128 declares an inner miMATRIX element of 3000000000 bytes", ex.Message);
        Assert.Contains("can inflate to at most", ex.Message);
    }

    [Fact]
    public void CompressedElementBeyondTheConfiguredLimitIsRejected()
    {
        var values = new double[1000 * 1000];
        var file = RawMat.File(RawMat.Compressed(RawMat.Matrix(6, [1000, 1000], "Z", RawMat.Doubles(values))));
        var options = new MatReadOptions { MaxElementBytes = 1 << 20 };
        long before = GC.GetAllocatedBytesForCurrentThread();
        var ex = Assert.Throws<InvalidDataException>(() => ReadBytes(file, "limit.mat", options));
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 4 << 20, "the reader allocated more than 4 MB");
        Assert.Contains("MatReadOptions.MaxElementBytes = 1048576", ex.Message);
        Assert.Equal([1000, 1000], ReadBytes(file).Get("Z").Shape); // fine with the default limit
    }

    [Fact]
    public void CompressedStreamLongerThanItsTagIsInflatedOnlyAsFarAsDeclared()
    {
        // A valid 1x1 variable followed, inside the same zlib stream, by 64 MB of zeros: only the declared bytes are inflated.
        var matrix = RawMat.Matrix(6, [1, 1], "small", RawMat.Doubles(2.5));
        var file = RawMat.File(RawMat.Compressed([.. matrix, .. new byte[64 << 20]]));
        long before = GC.GetAllocatedBytesForCurrentThread();
        var contents = ReadBytes(file);
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 8 << 20, "the reader allocated more than 8 MB");
        Assert.Equal(2.5, contents.Get("small").GetDouble(0));
    }

    [Fact]
    public void DamagedCompressedDataNamesTheElement()
    {
        var compressed = RawMat.Compressed(RawMat.Matrix(6, [1, 1], "v", RawMat.Doubles(1)));
        for (int i = 10; i < compressed.Length; i++) compressed[i] = 0xFF;
        var ex = Assert.Throws<InvalidDataException>(() => ReadBytes(RawMat.File(compressed), "bad.mat"));
        Assert.StartsWith("bad.mat: ", ex.Message);
        Assert.Contains("compressed element at offset 128 is damaged: its zlib data is corrupt", ex.Message);
    }

    [Fact]
    public void HdfFileIsNotSupportedWithAdvice()
    {
        var file = new byte[1024];
        RawMat.Header(0x0200, "MATLAB 7.3 MAT-file, Platform: GLNXA64, HDF5 schema 1.00").CopyTo(file, 0);
        new byte[] { 0x89, (byte)'H', (byte)'D', (byte)'F', 0x0D, 0x0A, 0x1A, 0x0A }.CopyTo(file, 512);
        var ex = Assert.Throws<NotSupportedException>(() => ReadBytes(file, "weights73.mat"));
        Assert.Contains("weights73.mat is a MATLAB v7.3 (HDF5) file; save it with -v7", ex.Message);
    }

    [Fact]
    public void LevelFourAndNonMatFilesAreReported()
    {
        var v4 = new byte[64];
        BitConverter.GetBytes(0).CopyTo(v4, 0); // type 0000: double, little-endian, full matrix
        BitConverter.GetBytes(1).CopyTo(v4, 4);
        Assert.Throws<NotSupportedException>(() => ReadBytes([.. v4, .. new byte[100]], "old.mat"));
        var ex = Assert.Throws<InvalidDataException>(() => ReadBytes(System.Text.Encoding.ASCII.GetBytes(new string('x', 300)), "text.mat"));
        Assert.Contains("text.mat: not a MAT file", ex.Message);
        Assert.Contains("offset 126", ex.Message);
        Assert.Throws<InvalidDataException>(() => ReadBytes(new byte[10], "tiny.mat"));
    }

    [Fact]
    public void NarrowStorageIsConvertedExactlyAndOverflowIsReported()
    {
        var int8Data = RawMat.Element(1, [0x80, 0x7F, 0x05]); // int8 -128, 127, 5
        var file = RawMat.File(
            RawMat.Matrix(12, [1, 3], "i32", int8Data),
            RawMat.Matrix(6, [1, 2], "d", RawMat.Element(3, [.. BitConverter.GetBytes((short)-300), .. BitConverter.GetBytes((short)7)])),
            RawMat.Matrix(14, [1, 1], "i64", RawMat.Element(13, BitConverter.GetBytes(ulong.MaxValue / 2))));
        var c = ReadBytes(file);
        Assert.Equal(new[] { -128, 127, 5 }, (int[])c.Get("i32").Data);
        Assert.Equal(new[] { -300.0, 7.0 }, (double[])c.Get("d").Data);
        Assert.Equal(long.MaxValue, ((long[])c.Get("i64").Data)[0]);

        var overflow = RawMat.File(RawMat.Matrix(8, [1, 1], "tooBig", RawMat.Element(3, BitConverter.GetBytes((short)300))));
        var ex = Assert.Throws<InvalidDataException>(() => ReadBytes(overflow));
        Assert.Contains("variable 'tooBig': a stored value does not fit the array's class int8", ex.Message);
    }

    [Fact]
    public void ObjectsAndOpaqueValuesAreSkippedAndTheRestIsRead()
    {
        var file = RawMat.File(
            RawMat.Matrix(3, [1, 1], "obj", RawMat.Element(1, "myclass"u8.ToArray())),
            RawMat.Matrix(17, [1, 1], "str", RawMat.Element(1, "string"u8.ToArray())),
            RawMat.Matrix(1, [1, 0], "cel"),
            RawMat.Matrix(6, [1, 1], "after", RawMat.Doubles(3)));
        var c = ReadBytes(file);
        Assert.Equal(3.0, c.Get("after").GetDouble(0));
        Assert.Equal(["obj:object", "str:opaque", "cel:cell"], c.Skipped.Select(s => $"{s.Name}:{s.ClassName}"));
    }
}
