using Backprop.Data.Formats.Mat;

namespace Backprop.Tests.Data.Formats.Mat;

/// <summary>Files written by scipy.io.savemat (and one byte-swapped to big-endian) read exactly as scipy.io.loadmat reads them.</summary>
public class MatScipyFixtureTests
{
    public static TheoryData<string> Files() => ["scipy_v5_compressed.mat", "scipy_v5_uncompressed.mat", "scipy_v5_bigendian.mat"];

    [Theory]
    [MemberData(nameof(Files))]
    public void MatchesLoadmat(string file)
    {
        var expected = MatFixtures.Json("scipy", "expected.json").GetProperty("files").GetProperty(file);
        var contents = MatFile.Read(Path.Combine(MatFixtures.Scipy, file));

        var names = expected.GetProperty("variables").EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal);
        Assert.Equal(names, contents.Variables.Select(v => v.Name).Order(StringComparer.Ordinal));
        foreach (var p in expected.GetProperty("variables").EnumerateObject())
        {
            var actual = contents.Get(p.Name);
            MatFixtures.AssertSame(MatFixtures.ToNDArray(p.Name, p.Value), actual, $"{file}: {p.Name}");
            string note = p.Value.TryGetProperty("note", out var n) ? n.GetString()! : "";
            Assert.True(note.Contains("sparse") == (actual.Note?.Contains("sparse") ?? false), $"{file}: {p.Name}: note '{actual.Note}' vs scipy '{note}'");
            Assert.True(note.Contains("complex") == (actual.Note?.Contains("complex") ?? false), $"{file}: {p.Name}: note '{actual.Note}' vs scipy '{note}'");
        }

        var skipped = expected.GetProperty("skipped").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString());
        Assert.Equal(skipped.Keys.Order(StringComparer.Ordinal), contents.Skipped.Select(s => s.Name).Order(StringComparer.Ordinal));
        foreach (var s in contents.Skipped) Assert.Equal(skipped[s.Name], s.ClassName);
    }

    [Fact]
    public void CharArraysReadAsText()
    {
        var contents = MatFile.Read(Path.Combine(MatFixtures.Scipy, "scipy_v5_compressed.mat"));
        Assert.Equal("hello\nworld", contents.Get("ch_rows").AsString());
        Assert.Equal("h\u00e9llo \u20ac\u03a9", contents.Get("ch_unicode").AsString());
        Assert.Equal("", contents.Get("ch_empty").AsString());
        Assert.Throws<InvalidOperationException>(() => contents.Get("m_2d").AsString());
    }

    [Fact]
    public void ReadsFromNonSeekableStream()
    {
        var bytes = File.ReadAllBytes(Path.Combine(MatFixtures.Scipy, "scipy_v5_bigendian.mat"));
        using var stream = new NonSeekableStream(bytes);
        var contents = MatFile.Read(stream, "piped.mat");
        Assert.Equal("piped.mat", contents.File);
        Assert.Equal([2, 3, 4], contents.Get("m_3d").Shape);
    }

    private sealed class NonSeekableStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;
        public override long Length => throw new NotSupportedException();
    }
}
