using System.IO.Compression;
using System.Text;
using Backprop.Data;
using Backprop.Data.Formats;
using Backprop.Data.Formats.Mat;
using Backprop.Tests.Data.Formats.Mat;

namespace Backprop.Tests.Cli;

/// <summary>
/// docs/robustness.md's table of bad input files: each ends in one line on stderr naming the file (and the variable,
/// row and value where there is one) and exit code 2, never a crash, an out-of-memory abort or a silent success.
/// </summary>
public class RobustnessCliTests
{
    private static void Npz(string path, params NDArray[] arrays) => NpzFile.Write(path, arrays);

    private static NDArray X(params double[] v) => new("X", "double", [v.Length / 2, 2], v);

    private static NDArray Y(params double[] v) => new("y", "double", [v.Length, 1], v);

    private static CliHarness.Result Train(string data) => CliHarness.Run("train", "--data", data, "--epochs", "1", "--out", data + ".model.json");

    private static void AssertBadInput(CliHarness.Result r, string expected)
    {
        Assert.Equal(2, r.ExitCode);
        Assert.Contains(expected, r.Stderr);
        Assert.Single(r.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public void HugeLabelIsRefusedNamingFileRowAndValue()
    {
        using var dir = new TempDir();
        var path = dir.File("huge-label.mat");
        MatFile.Write(path, [X(0, 1, 2, 3, 4, 5), Y(1, 2e9, 2)]);
        AssertBadInput(Train(path), "huge-label.mat: variable 'y', row 2: label 2000000000 would make more than 10000 classes");
        Assert.False(File.Exists(path + ".model.json"));
    }

    [Fact]
    public void MaxClassesRaisesTheLimit()
    {
        using var dir = new TempDir();
        var path = dir.File("labels.npz");
        var labels = Enumerable.Repeat(new double[] { 0, 1, 2, 11 }, 12).SelectMany(v => v).ToArray();
        Npz(path, X(Enumerable.Range(0, 2 * labels.Length).Select(i => (double)i).ToArray()), Y(labels));
        AssertBadInput(CliHarness.Run("train", "--data", path, "--epochs", "1", "--max-classes", "5", "--out", dir.File("m.json")),
            "labels.npz: variable 'y', row 4: label 11 would make more than 5 classes");
        var ok = CliHarness.Run("train", "--data", path, "--epochs", "1", "--layers", "2,3,12", "--max-classes", "12", "--out", dir.File("m.json"));
        Assert.True(ok.ExitCode == 0, ok.Stderr);
        AssertBadInput(CliHarness.Run("inspect", path, "--max-classes", "0"), "--max-classes 0: expected a positive number of classes");
    }

    [Theory]
    [InlineData("fraction.npz", 1.5, "fraction.npz: variable 'y', row 2: label 1.5 is not a whole number")]
    [InlineData("negative.npz", -1.0, "negative.npz: variable 'y', row 2: label -1 is negative")]
    [InlineData("nan-label.npz", double.NaN, "nan-label.npz: variable 'y', row 2: label NaN is not a whole number")]
    public void BadLabelsAreRefusedNamingFileRowAndValue(string name, double label, string expected)
    {
        using var dir = new TempDir();
        var path = dir.File(name);
        Npz(path, X(0, 1, 2, 3), Y(0, label));
        AssertBadInput(Train(path), expected);
    }

    [Theory]
    [InlineData("nan-x.mat")]
    [InlineData("nan-x.npz")]
    public void NaNInXIsRefusedNamingFileRowAndColumn(string name)
    {
        using var dir = new TempDir();
        var path = dir.File(name);
        NDArray[] arrays = [X(0, 1, 2, double.NaN), Y(0, 1)];
        if (name.EndsWith(".mat")) MatFile.Write(path, arrays); else Npz(path, arrays);
        AssertBadInput(Train(path), $"{name}: variable 'X', row 2, column 2: NaN is not a finite number");
    }

    [Fact]
    public void SparseBombIsRefusedByTheDefaultBudget()
    {
        using var dir = new TempDir();
        var path = dir.File("sparse-bomb.mat");
        var ir = RawMat.Element(5, BitConverter.GetBytes(0));
        var jc = RawMat.Element(5, new byte[4 * 16385]);
        File.WriteAllBytes(path, RawMat.File(RawMat.Compressed(RawMat.Matrix(5, 0, [16384, 16384], "X", 1, ir, jc, RawMat.Doubles(1.0)))));
        AssertBadInput(Train(path), "sparse-bomb.mat: variable 'X'");
        AssertBadInput(CliHarness.Run("inspect", path), "more than the read budget of 2 GiB; raise it with --max-memory");
    }

    [Fact]
    public void MaxMemorySetsTheBudget()
    {
        using var dir = new TempDir();
        var path = dir.File("a.npy");
        NpyFile.Write(path, new NDArray("a", "double", [200], new double[200]));
        AssertBadInput(CliHarness.Run("inspect", path, "--max-memory", "1K"), "a.npy: array 'a' (shape (200), '<f8') needs 200 values (1600 bytes as float64), more than the read budget of 1024 bytes");
        Assert.Equal(0, CliHarness.Run("inspect", path, "--max-memory", "2K").ExitCode);
        AssertBadInput(CliHarness.Run("inspect", path, "--max-memory", "lots"), "--max-memory 'lots': expected a positive size such as 4G, 512M or 1073741824 (bytes)");
    }

    [Fact]
    public void MatlabV73FileIsBadInputWithAdvice()
    {
        using var dir = new TempDir();
        var path = dir.File("v73.mat");
        var bytes = new byte[1024];
        Encoding.ASCII.GetBytes("MATLAB 7.3 MAT-file, Platform: GLNXA64, Created on: Fri Dec  4 2026 HDF5 schema 1.00 .").CopyTo(bytes, 0);
        new byte[] { 0x89, (byte)'H', (byte)'D', (byte)'F', 0x0D, 0x0A, 0x1A, 0x0A }.CopyTo(bytes, 512);
        File.WriteAllBytes(path, bytes);
        AssertBadInput(CliHarness.Run("inspect", path), "v73.mat is a MATLAB v7.3 (HDF5) file; save it with -v7");
        AssertBadInput(Train(path), "v73.mat is a MATLAB v7.3 (HDF5) file");
    }

    [Fact]
    public void UnreadableFileIsBadInputNamingIt()
    {
        // /proc/self/mem exists but reading its offset 0 fails (EIO), even for root: an unreadable file.
        AssertBadInput(CliHarness.Run("inspect", "/proc/self/mem"), "/proc/self/mem: cannot be read (");
    }

    [Fact]
    public void EscapeSequencesInVariableNamesAreShownEscaped()
    {
        using var dir = new TempDir();
        var path = dir.File("title.mat");
        File.WriteAllBytes(path, RawMat.File(RawMat.Matrix(6, [1, 1], "\u001b]0;pwned\u0007\u001b[31mX", RawMat.Doubles(1))));
        var r = CliHarness.Run("inspect", path);
        Assert.Equal(0, r.ExitCode);
        Assert.DoesNotContain('\u001b', r.Stdout);
        Assert.DoesNotContain('\u0007', r.Stdout);
        Assert.Contains(@"\x1B]0;pwned\x07\x1B[31mX", r.Stdout);
        // In an error message too.
        File.WriteAllBytes(path, RawMat.File(RawMat.Matrix(6, [3, 2], "\u001b[2JX", RawMat.Doubles(1, 2, 3))));
        r = CliHarness.Run("inspect", path);
        Assert.Equal(2, r.ExitCode);
        Assert.DoesNotContain('\u001b', r.Stderr);
        Assert.Contains(@"variable '\x1B[2JX'", r.Stderr);
    }

    [Fact]
    public void TruncatedGzipCsvIsRefused()
    {
        using var dir = new TempDir();
        var path = dir.File("cut.csv.gz");
        using (var ms = new MemoryStream())
        {
            using (var gz = new GZipStream(ms, CompressionLevel.Optimal, leaveOpen: true))
                gz.Write(Encoding.ASCII.GetBytes("a,b,label\n1,2,0\n3,4,1\n"));
            File.WriteAllBytes(path, ms.ToArray()[..^8]); // the CRC-32 and length trailer cut off, as Python's gzip refuses
        }
        AssertBadInput(CliHarness.Run("inspect", path), "cut.csv.gz: ");
        AssertBadInput(Train(path), "cut.csv.gz: ");
    }

    [Fact]
    public void NpzMemberWithABadCrcIsRefused()
    {
        using var dir = new TempDir();
        var path = dir.File("crc.npz");
        NpzFile.Write(path, [X(1, 2, 3, 4), Y(0, 1)], compress: false);
        var bytes = File.ReadAllBytes(path);
        int at = bytes.AsSpan().IndexOf(new byte[] { 0, 0, 0, 0, 0, 0, 0xF0, 0x3F }); // the stored 1.0 of X
        Assert.True(at > 0);
        bytes[at + 7] = 0x40; // 1.0 becomes 2.0: the member's CRC-32 no longer matches, as NumPy's zipfile refuses
        File.WriteAllBytes(path, bytes);
        AssertBadInput(CliHarness.Run("inspect", path), "crc.npz");
        Assert.Contains("CRC", CliHarness.Run("inspect", path).Stderr, StringComparison.OrdinalIgnoreCase);
    }
}
