using Backprop.Data;
using Backprop.Data.Formats;

namespace Backprop.Tests.Data.Formats;

public class NpyFileTests
{
    public static TheoryData<string> NumPyFiles()
    {
        var data = new TheoryData<string>();
        foreach (var key in ReaderFixtures.ExpectedKeys().Where(k => !k.Contains(':')))
            data.Add(key);
        return data;
    }

    [Theory]
    [MemberData(nameof(NumPyFiles))]
    public void ReadsNumPyFileExactly(string name)
    {
        var a = NpyFile.Read(ReaderFixtures.Path_("npy", name + ".npy"));
        Assert.Equal(name, a.Name);
        ReaderFixtures.AssertMatches(name, a);
    }

    [Fact]
    public void CoversEveryDtypeAndByteOrder()
    {
        var keys = ReaderFixtures.ExpectedKeys().ToHashSet();
        foreach (var code in new[] { "i2", "u2", "i4", "u4", "i8", "u8", "f2", "f4", "f8" })
        {
            Assert.Contains(code + "_le", keys);
            Assert.Contains(code + "_be", keys);
        }
        foreach (var code in new[] { "b1", "i1", "u1" }) Assert.Contains(code + "_na", keys);
    }

    [Fact]
    public void ElementTypesAreExact()
    {
        Assert.IsType<ulong[]>(NpyFile.Read(ReaderFixtures.Path_("npy", "u8_be.npy")).Data);
        Assert.IsType<sbyte[]>(NpyFile.Read(ReaderFixtures.Path_("npy", "i1_na.npy")).Data);
        Assert.IsType<byte[]>(NpyFile.Read(ReaderFixtures.Path_("npy", "u1_na.npy")).Data);
        Assert.IsType<bool[]>(NpyFile.Read(ReaderFixtures.Path_("npy", "b1_na.npy")).Data);
        var half = NpyFile.Read(ReaderFixtures.Path_("npy", "f2_le.npy"));
        Assert.IsType<float[]>(half.Data);
        Assert.Contains("float16", half.Note);
    }

    [Fact]
    public void FortranOrderBecomesCOrder()
    {
        var a = NpyFile.Read(ReaderFixtures.Path_("npy", "i4_be_fortran_3d.npy"));
        Assert.Equal(new[] { 2, 3, 4 }, a.Shape);
        // NumPy's arange(24).reshape(2,3,4) - 10: element [i,j,k] is (i*3 + j)*4 + k - 10.
        Assert.Equal(Enumerable.Range(-10, 24).ToArray(), (int[])a.Data);
    }

    [Theory]
    [InlineData("complex128.npy", "complex")]
    [InlineData("object.npy", "object")]
    [InlineData("structured.npy", "structured")]
    public void UnsupportedTypesAreNamed(string file, string word)
    {
        var e = Assert.Throws<InvalidDataException>(() => NpyFile.Read(ReaderFixtures.Path_("npy", file)));
        Assert.Contains(file, e.Message);
        Assert.Contains(word, e.Message);
        Assert.True(UnsupportedArrayType.Is(e));
    }

    [Theory]
    [MemberData(nameof(NumPyFiles))]
    public void WriteThenReadRoundTrips(string name)
    {
        string src = ReaderFixtures.Path_("npy", name + ".npy");
        var a = NpyFile.Read(src);
        string dir = ReaderFixtures.TempDir();
        try
        {
            string path = Path.Combine(dir, name + ".npy");
            NpyFile.Write(path, a);
            var b = NpyFile.Read(path);
            Assert.Equal(a.Shape, b.Shape);
            Assert.Equal(a.Data.GetType(), b.Data.GetType());
            ReaderFixtures.AssertMatches(name, b); // float16 files come back as float32 holding the same values
            Assert.Equal(0, (NpyHeaderLength(path)) % 64);
            Assert.Single(Directory.GetFiles(dir)); // no temporary file left behind
        }
        finally { Directory.Delete(dir, true); }
    }

    private static int NpyHeaderLength(string path)
    {
        var bytes = File.ReadAllBytes(path);
        return bytes[6] == 1 ? 10 + (bytes[8] | (bytes[9] << 8)) : 12 + BitConverter.ToInt32(bytes, 8);
    }

    /// <summary>
    /// Our writer's output for a fixed set of arrays, compared byte for byte with files under
    /// Fixtures/readers/ours/ that verify_ours.py loaded with NumPy (its output is in verify_ours.txt).
    /// Set BACKPROP_WRITE_OURS=1 to regenerate them.
    /// </summary>
    [Fact]
    public void WriterOutputMatchesNumPyVerifiedFiles()
    {
        string oursDir = ReaderFixtures.Path_("ours");
        bool regenerate = Environment.GetEnvironmentVariable("BACKPROP_WRITE_OURS") == "1";
        string sourceOurs = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "Fixtures", "readers", "ours"));
        foreach (var a in OursSamples.Arrays())
        {
            string dir = ReaderFixtures.TempDir();
            try
            {
                string path = Path.Combine(dir, a.Name + ".npy");
                NpyFile.Write(path, a);
                if (regenerate) { Directory.CreateDirectory(sourceOurs); File.Copy(path, Path.Combine(sourceOurs, a.Name + ".npy"), true); continue; }
                Assert.Equal(File.ReadAllBytes(Path.Combine(oursDir, a.Name + ".npy")), File.ReadAllBytes(path));
            }
            finally { Directory.Delete(dir, true); }
        }
        if (regenerate) NpzFile.Write(Path.Combine(sourceOurs, "ours.npz"), OursSamples.Arrays(), compress: true);
        else
        {
            var npz = NpzFile.Read(Path.Combine(oursDir, "ours.npz"));
            Assert.Equal(OursSamples.Arrays().Select(a => a.Name), npz.Variables.Select(v => v.Name));
        }
    }

    [Fact]
    public void TruncationAtEveryByteGivesInvalidDataException()
    {
        byte[] whole = File.ReadAllBytes(ReaderFixtures.Path_("npy", "i2_v3.npy"));
        string dir = ReaderFixtures.TempDir();
        try
        {
            string path = Path.Combine(dir, "cut.npy");
            for (int n = 0; n < whole.Length; n++)
            {
                File.WriteAllBytes(path, whole.AsSpan(0, n).ToArray());
                var e = Assert.Throws<InvalidDataException>(() => NpyFile.Read(path));
                Assert.Contains("cut.npy", e.Message);
            }
            File.WriteAllBytes(path, [.. whole, 0]);
            Assert.Throws<InvalidDataException>(() => NpyFile.Read(path));
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void CorruptingAnyByteNeverCrashes()
    {
        byte[] whole = File.ReadAllBytes(ReaderFixtures.Path_("npy", "f8_v1.npy"));
        for (int i = 0; i < whole.Length; i++)
            foreach (byte x in new byte[] { 0xFF, 0x01, 0x80 })
            {
                var bytes = (byte[])whole.Clone();
                bytes[i] ^= x;
                try { NpyFile.Read(new MemoryStream(bytes), "corrupt"); }
                catch (InvalidDataException) { }
            }
    }

    [Theory]
    [InlineData("{'descr': '<f8', 'fortran_order': False, 'shape': (100000000000, 100000000000), }", "exceeds")]
    [InlineData("{'descr': '<f8', 'fortran_order': False, 'shape': (2000000000, 2000000000), }", "more elements")]
    [InlineData("{'descr': '<f8', 'fortran_order': False, 'shape': (1000, 1000), }", "truncated")]
    [InlineData("{'descr': '<f8', 'fortran_order': False, 'shape': (-1,), }", "negative")]
    [InlineData("{'descr': '<f8', 'fortran_order': False, }", "'shape'")]
    [InlineData("{'descr': '<f3', 'fortran_order': False, 'shape': (1,), }", "<f3")]
    [InlineData("{'descr': '<f8', 'fortran_order': Maybe, 'shape': (1,), }", "fortran_order")]
    [InlineData("{'descr': '<f8', 'fortran_order': False, 'shape': (1,), 'extra': 1}", "extra")]
    public void LyingHeadersAreRejectedWithoutAllocating(string dict, string expected)
    {
        var header = new List<byte> { 0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0 };
        var text = System.Text.Encoding.Latin1.GetBytes(dict + "\n");
        header.Add((byte)text.Length);
        header.Add((byte)(text.Length >> 8));
        header.AddRange(text);
        header.AddRange(new byte[16]);
        var e = Assert.Throws<InvalidDataException>(() => NpyFile.Read(new MemoryStream(header.ToArray()), "liar"));
        Assert.Contains(expected, e.Message);
        Assert.StartsWith("liar:", e.Message);
    }

    [Fact]
    public void BadMagicIsReported()
    {
        var e = Assert.Throws<InvalidDataException>(() => NpyFile.Read(new MemoryStream("hello, world, this is text"u8.ToArray()), "text.npy"));
        Assert.Contains("magic", e.Message);
    }
}

/// <summary>The arrays whose .npy encoding by our writer is pinned under Fixtures/readers/ours/.</summary>
internal static class OursSamples
{
    public static IEnumerable<NDArray> Arrays()
    {
        yield return new NDArray("ours_f8", "double", [2, 3], new[] { 0.1, -2.5, double.MaxValue, double.Epsilon, -0.0, 1e300 });
        yield return new NDArray("ours_f4", "single", [3], new[] { 0.1f, float.MinValue, 7f });
        yield return new NDArray("ours_i1", "int8", [2, 2], new sbyte[] { -128, 127, 0, -1 });
        yield return new NDArray("ours_u1", "uint8", [4], new byte[] { 0, 255, 1, 128 });
        yield return new NDArray("ours_i2", "int16", [2], new short[] { short.MinValue, short.MaxValue });
        yield return new NDArray("ours_u2", "uint16", [2], new ushort[] { 0, ushort.MaxValue });
        yield return new NDArray("ours_i4", "int32", [1, 2, 2], new[] { int.MinValue, int.MaxValue, 0, -7 });
        yield return new NDArray("ours_u4", "uint32", [2], new uint[] { 0, uint.MaxValue });
        yield return new NDArray("ours_i8", "int64", [2], new long[] { long.MinValue, long.MaxValue });
        yield return new NDArray("ours_u8", "uint64", [2], new ulong[] { 0, ulong.MaxValue });
        yield return new NDArray("ours_b1", "logical", [3], new[] { true, false, true });
        yield return new NDArray("ours_scalar", "double", [], new[] { 3.25 });
        yield return new NDArray("ours_empty", "double", [0, 4], Array.Empty<double>());
        yield return new NDArray("ours_chars", "char", [2], new[] { 'h', 'i' });
    }
}
