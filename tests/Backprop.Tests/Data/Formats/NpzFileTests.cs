using System.IO.Compression;
using Backprop.Data;
using Backprop.Data.Formats;

namespace Backprop.Tests.Data.Formats;

public class NpzFileTests
{
    [Theory]
    [InlineData("stored.npz")]
    [InlineData("compressed.npz")]
    public void ReadsNumPyArchivesExactly(string file)
    {
        var contents = NpzFile.Read(ReaderFixtures.Path_("npy", file));
        Assert.Equal(new[] { "X", "mask", "pixels", "y" }, contents.Variables.Select(v => v.Name).Order(StringComparer.Ordinal));
        foreach (var v in contents.Variables) ReaderFixtures.AssertMatches("npz:" + v.Name, v);
        Assert.Empty(contents.Skipped);
    }

    [Fact]
    public void UnsupportedMembersAreSkippedNotFatal()
    {
        var contents = NpzFile.Read(ReaderFixtures.Path_("npy", "with_complex.npz"));
        Assert.Equal("X", Assert.Single(contents.Variables).Name);
        var skipped = Assert.Single(contents.Skipped);
        Assert.Equal("z", skipped.Name);
        Assert.Contains("complex", skipped.Reason);

        var withReadme = NpzFile.Read(ReaderFixtures.Path_("npy", "with_readme.npz"));
        Assert.Equal("a", Assert.Single(withReadme.Variables).Name);
        Assert.Equal("README.txt", Assert.Single(withReadme.Skipped).Name);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void WriteThenReadRoundTrips(bool compress)
    {
        var source = NpzFile.Read(ReaderFixtures.Path_("npy", "stored.npz"));
        string dir = ReaderFixtures.TempDir();
        try
        {
            string path = Path.Combine(dir, "out.npz");
            NpzFile.Write(path, source.Variables, compress);
            var back = NpzFile.Read(path);
            foreach (var v in back.Variables) ReaderFixtures.AssertMatches("npz:" + v.Name, v);
            using var zip = ZipFile.OpenRead(path);
            Assert.All(zip.Entries, e => Assert.Equal(compress, e.CompressedLength < e.Length));
            Assert.Single(Directory.GetFiles(dir));
        }
        finally { Directory.Delete(dir, true); }
    }

    [Theory]
    [InlineData("stored.npz")]
    [InlineData("compressed.npz")]
    public void TruncationAtEveryByteGivesInvalidDataException(string file)
    {
        byte[] whole = File.ReadAllBytes(ReaderFixtures.Path_("npy", file));
        string dir = ReaderFixtures.TempDir();
        try
        {
            string path = Path.Combine(dir, "cut.npz");
            for (int n = 0; n < whole.Length; n++)
            {
                File.WriteAllBytes(path, whole.AsSpan(0, n).ToArray());
                var e = Assert.Throws<InvalidDataException>(() => NpzFile.Read(path));
                Assert.Contains("cut.npz", e.Message);
            }
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void CorruptingAnyByteNeverCrashes()
    {
        byte[] whole = File.ReadAllBytes(ReaderFixtures.Path_("npy", "compressed.npz"));
        string dir = ReaderFixtures.TempDir();
        try
        {
            string path = Path.Combine(dir, "bad.npz");
            for (int i = 0; i < whole.Length; i++)
            {
                var bytes = (byte[])whole.Clone();
                bytes[i] ^= 0xA5;
                File.WriteAllBytes(path, bytes);
                try { NpzFile.Read(path); }
                catch (InvalidDataException) { }
            }
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void ZipBombIsRefusedBeforeAllocating()
    {
        // A member whose .npy header declares 8 GB of zeros: deflate packs that small, but the limits refuse it.
        string dir = ReaderFixtures.TempDir();
        try
        {
            string path = Path.Combine(dir, "bomb.npz");
            using (var zip = ZipFile.Open(path, ZipArchiveMode.Create))
            {
                using var s = zip.CreateEntry("big.npy", CompressionLevel.SmallestSize).Open();
                var header = System.Text.Encoding.Latin1.GetBytes("{'descr': '<f8', 'fortran_order': False, 'shape': (1000000000,), }".PadRight(117) + "\n");
                s.Write([0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0, (byte)header.Length, 0]);
                s.Write(header);
                var zeros = new byte[1 << 20];
                for (int i = 0; i < 64; i++) s.Write(zeros); // 64 MB of data, far less than declared
            }
            var e = Assert.Throws<InvalidDataException>(() => NpzFile.Read(path));
            Assert.Contains("bomb.npz/big.npy", e.Message);

            var small = new NpyReadLimits(MaxArrayBytes: 1 << 20);
            var e2 = Assert.Throws<InvalidDataException>(() => NpzFile.Read(path, small));
            Assert.Contains("limit", e2.Message);
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void DuplicateNamesAreRefusedOnWrite()
    {
        var a = new NDArray("a", "double", [1], new[] { 1.0 });
        Assert.Throws<ArgumentException>(() => NpzFile.Write(Path.Combine(Path.GetTempPath(), "never.npz"), [a, a]));
    }
}
