using Backprop.Data;
using Backprop.Data.Formats;

namespace Backprop.Tests.Data.Formats;

public class DataFilesTests
{
    [Theory]
    [InlineData("npy/f8_le.npy", "npy")]
    [InlineData("npy/stored.npz", "npz")]
    [InlineData("npy/compressed.npz", "npz")]
    [InlineData("csv/header_comma.csv", "csv")]
    [InlineData("csv/header_comma.csv.gz", "csv")]
    [InlineData("csv/tab_named.tsv", "csv")]
    [InlineData("csv/whitespace.txt", "csv")]
    public void DetectsByContentAndExtension(string file, string format)
        => Assert.Equal(format, DataFiles.Detect(ReaderFixtures.Path_(file.Split('/'))));

    [Fact]
    public void DetectsByContentWhateverTheName()
    {
        string dir = ReaderFixtures.TempDir();
        try
        {
            string npy = Path.Combine(dir, "weights.bin");
            File.Copy(ReaderFixtures.Path_("npy", "f8_le.npy"), npy);
            Assert.Equal("npy", DataFiles.Detect(npy));
            Assert.Equal("f8_le", NpyFile.Read(ReaderFixtures.Path_("npy", "f8_le.npy")).Name);

            string mat = Path.Combine(dir, "ex4data1.bin");
            File.WriteAllText(mat, "MATLAB 5.0 MAT-file, Platform: GLNXA64");
            Assert.Equal("mat", DataFiles.Detect(mat));
            // A header alone is a truncated file: the .mat reader says so, naming the file.
            var e = Assert.Throws<InvalidDataException>(() => DataFiles.Read(mat));
            Assert.Contains("ex4data1.bin", e.Message);
            Assert.Equal("ex4weights.mat", Path.GetFileName(DataFiles.Read(Fixture.Path("mat", "corpus", "ex4weights.mat")).File));

            string idx = Path.Combine(dir, "images.raw");
            File.WriteAllBytes(idx, [0, 0, 8, 3, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 7]);
            Assert.Equal("idx", DataFiles.Detect(idx));
            string mnist = Path.Combine(dir, "train-images-idx3-ubyte.gz");
            File.WriteAllBytes(mnist, [0x1f, 0x8b, 8, 0]);
            Assert.Equal("idx", DataFiles.Detect(mnist));

            string unknown = Path.Combine(dir, "mystery.bin");
            File.WriteAllBytes(unknown, [1, 2, 3]);
            var u = Assert.Throws<InvalidDataException>(() => DataFiles.Detect(unknown));
            Assert.Contains("mystery.bin: unknown data file format", u.Message);
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void ReadsEachBuiltInFormat()
    {
        var npy = DataFiles.Read(ReaderFixtures.Path_("npy", "cube_3d.npy"));
        ReaderFixtures.AssertMatches("cube_3d", Assert.Single(npy.Variables));
        var npz = DataFiles.Read(ReaderFixtures.Path_("npy", "compressed.npz"));
        ReaderFixtures.AssertMatches("npz:X", npz.Get("X"));
        var csv = DataFiles.Read(ReaderFixtures.Path_("csv", "header_comma.csv.gz"));
        Assert.Equal(new[] { 6, 4 }, csv.Get("header_comma").Shape);
    }

    [Fact]
    public void OtherFormatsPlugInThroughTheRegistry()
    {
        string format = "test-" + Guid.NewGuid().ToString("N");
        string ext = "." + format;
        DataFiles.Register(format, (p, _) => p.EndsWith(ext, StringComparison.Ordinal),
            DataFiles.SingleArray(p => new NDArray("seven", "double", [1], new[] { 7.0 })));
        Assert.Contains(format, DataFiles.Formats);
        string dir = ReaderFixtures.TempDir();
        try
        {
            string path = Path.Combine(dir, "x" + ext);
            File.WriteAllText(path, "anything");
            Assert.Equal(format, DataFiles.Detect(path));
            Assert.Equal(7.0, DataFiles.Read(path).Get("seven").GetDouble(0));

            // Replacing the reader keeps the detector.
            DataFiles.Register(format, null, DataFiles.SingleArray(p => new NDArray("eight", "double", [1], new[] { 8.0 })));
            Assert.Equal(8.0, DataFiles.Read(path).Get("eight").GetDouble(0));
        }
        finally { Directory.Delete(dir, true); }
        Assert.Throws<ArgumentNullException>(() => DataFiles.Register("brand-new-" + Guid.NewGuid(), null, p => throw new InvalidOperationException()));
    }
}
