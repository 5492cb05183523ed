using System.Text.Json;
using Backprop.Data;
using Backprop.Data.Formats.Mat;

namespace Backprop.Tests.Data.Formats.Mat;

/// <summary>The course's MAT files (copied from ../shared/data/coursera) read as SciPy read them (MANIFEST.json, classes.json).</summary>
public class MatCorpusTests
{
    public static TheoryData<string> CorpusFiles()
    {
        var data = new TheoryData<string>();
        foreach (var f in MatFixtures.Json("corpus", "MANIFEST.json").EnumerateObject()) data.Add(f.Name);
        return data;
    }

    [Theory]
    [MemberData(nameof(CorpusFiles))]
    public void ReadsLikeScipy(string file)
    {
        var manifest = MatFixtures.Json("corpus", "MANIFEST.json").GetProperty(file);
        var classes = MatFixtures.Json("corpus", "classes.json").GetProperty(file);
        var path = Path.Combine(MatFixtures.Corpus, file);
        Assert.True(File.Exists(path), $"{path} is missing (copied from ../shared/data/coursera)");

        if (manifest.TryGetProperty("scipy_error", out _))
        {
            var ex = Assert.Throws<InvalidDataException>(() => MatFile.Read(path));
            Assert.Contains(Path.GetFileName(file), ex.Message);
            Assert.Contains("truncated", ex.Message);
            return;
        }

        var contents = MatFile.Read(path);
        var expectedVars = manifest.GetProperty("variables").EnumerateObject().ToList();
        foreach (var v in expectedVars)
        {
            var where = $"{file}: {v.Name}";
            var m = v.Value;
            if (m.TryGetProperty("note", out _))
            {
                var skipped = contents.Skipped.SingleOrDefault(s => s.Name == v.Name);
                Assert.True(skipped is not null, $"{where}: should be listed as skipped");
                Assert.Equal(ScipyClassName(classes.GetProperty(v.Name).GetProperty("class").GetString()!), skipped.ClassName);
                Assert.False(string.IsNullOrWhiteSpace(skipped.Reason));
                continue;
            }
            var a = contents.Get(v.Name);
            Assert.Equal(m.GetProperty("shape").EnumerateArray().Select(e => e.GetInt32()), a.Shape);
            Assert.True(classes.GetProperty(v.Name).GetProperty("class").GetString() == a.ClassName, $"{where}: class {a.ClassName}");
            AssertStorageTypeFits(m.GetProperty("dtype").GetString()!, a, where);
            Assert.True(m.GetProperty("first").GetDouble() == a.GetDoubleColumnMajor(0), $"{where}: first element");
            Assert.True(m.GetProperty("last").GetDouble() == a.GetDoubleColumnMajor(a.Length - 1), $"{where}: last element");
            double sum = m.GetProperty("sum").GetDouble();
            Assert.True(Math.Abs(sum - a.Sum()!.Value) <= 1e-12 * Math.Max(1, Math.Abs(sum)) + 1e-9, $"{where}: sum {a.Sum()} expected {sum}");
        }
        Assert.Equal(expectedVars.Count(v => !v.Value.TryGetProperty("note", out _)), contents.Variables.Count);
    }

    /// <summary>
    /// MANIFEST.json records the dtype SciPy returns by default: the type the values are stored in, which MATLAB
    /// may narrow (a double array of small integers is stored as uint8). Our arrays have the class's type, so the
    /// stored type must be that type or one whose values all convert exactly.
    /// </summary>
    private static void AssertStorageTypeFits(string dtype, NDArray a, string where)
    {
        var ours = a.Data.GetType();
        if (ours == typeof(bool[])) { Assert.Equal("uint8", dtype); return; }
        var stored = dtype switch
        {
            "float64" => typeof(double[]), "float32" => typeof(float[]),
            "uint8" => typeof(byte[]), "int8" => typeof(sbyte[]), "uint16" => typeof(ushort[]), "int16" => typeof(short[]),
            "uint32" => typeof(uint[]), "int32" => typeof(int[]), "uint64" => typeof(ulong[]), "int64" => typeof(long[]),
            _ => throw new InvalidDataException($"{where}: unexpected dtype {dtype}"),
        };
        if (stored == ours) return;
        Assert.True(ours == typeof(double[]) && stored != typeof(ulong[]) && stored != typeof(long[]), $"{where}: stored as {dtype}, loaded as {ours.Name}");
        for (long i = 0; i < a.Length; i++)
            Assert.True(a.GetDouble(i) == Math.Round(a.GetDouble(i)), $"{where}: value {a.GetDouble(i)} at {i} cannot come from {dtype} storage");
    }

    private static string ScipyClassName(string whosmatClass) => whosmatClass switch
    {
        "function" => "function_handle",
        _ => whosmatClass,
    };

    [Fact]
    public void TruncatedFileNamesFileVariableAndOffset()
    {
        var path = Path.Combine(MatFixtures.Corpus, "matlab-corpus", "ex3data1_truncated.mat");
        var ex = Assert.Throws<InvalidDataException>(() => MatFile.Read(path));
        Assert.Contains("ex3data1_truncated.mat", ex.Message);
        Assert.Contains("variable 'X'", ex.Message);
        Assert.Contains("file is truncated", ex.Message);
        Assert.Contains("offset 128", ex.Message);
        Assert.Contains("declares 7511543 bytes but only 2291664 remain", ex.Message);
    }

    [Fact]
    public void WorkspaceListsStructFunctionHandleAndSubsystemAsSkipped()
    {
        var contents = MatFile.Read(Path.Combine(MatFixtures.Corpus, "matlab-corpus", "heart_workspace.mat"));
        Assert.Equal(31, contents.Variables.Count);
        var skipped = contents.Skipped.ToDictionary(s => s.Name);
        Assert.Equal(["__function_workspace__", "costFunction", "options"], skipped.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("struct", skipped["options"].ClassName);
        Assert.Equal("function_handle", skipped["costFunction"].ClassName);
        Assert.Equal("opaque", skipped["__function_workspace__"].ClassName);
        var theta1 = contents.Get("Theta1");
        Assert.Equal([23, 14], theta1.Shape);
    }

    [Fact]
    public void Ex4WeightsMapsColumnMajorToCOrder()
    {
        var theta1 = MatFile.Read(Path.Combine(MatFixtures.Corpus, "ex4weights.mat")).Get("Theta1");
        Assert.Equal([25, 401], theta1.Shape);
        var data = (double[])theta1.Data;
        // Theta1(i+1, j+1) is at C index i*401 + j and MATLAB (column-major) index j*25 + i.
        for (int i = 0; i < 25; i += 7)
            for (int j = 0; j < 401; j += 37)
                Assert.Equal(theta1.GetDoubleColumnMajor(j * 25L + i), data[i * 401 + j]);
        Assert.Equal(-0.022562389859934213, data[0]);
        Assert.Equal(8.794545314425748e-09, data[^1]);
    }

    [Fact]
    public void BirdSmallIsThreeDimensionalDoubleStoredAsUInt8()
    {
        // MATLAB class double (whosmat), values stored as miUINT8: loaded as exact doubles.
        var a = MatFile.Read(Path.Combine(MatFixtures.Corpus, "matlab-corpus", "bird_small.mat")).Get("A");
        Assert.Equal("double", a.ClassName);
        Assert.IsType<double[]>(a.Data);
        Assert.Equal([128, 128, 3], a.Shape);
    }
}
