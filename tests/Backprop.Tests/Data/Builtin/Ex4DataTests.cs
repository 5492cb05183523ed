using System.Buffers.Binary;
using System.IO.Compression;
using Backprop.Data;
using Backprop.Data.Builtin;
using Backprop.Data.Formats.Mat;
using Backprop.Experiments;

namespace Backprop.Tests.Data.Builtin;

/// <summary>
/// The rebuilt ex4data1 against the real file: a truncated upload of ex3data1.mat (the same X) whose zlib stream
/// still inflates to the first 157 columns of X for all 5000 rows; and, with the course's ex4weights.mat, the costs and
/// accuracy the exercise publishes.
/// </summary>
public class Ex4DataTests
{
    private static readonly Lazy<(double[] X, double[] Y)> Rebuilt = new(() => Ex4Data.Build(BuiltinData.FindDataDirectory()));

    /// <summary>
    /// The columns of the real X that survive in the truncated file, as [row, column] → value: the file's single
    /// compressed element inflated as far as its stream goes (a test helper: readers must reject truncated files).
    /// </summary>
    private static (double[] Values, int Rows, int Columns) SurvivingColumns()
    {
        var file = File.ReadAllBytes(Fixture.Path("mat", "corpus", "matlab-corpus", "ex3data1_truncated.mat"));
        Assert.Equal(15u, BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(128)));   // miCOMPRESSED
        var inflated = new MemoryStream();
        using (var zlib = new ZLibStream(new MemoryStream(file, 136, file.Length - 136), CompressionMode.Decompress))
        {
            var buffer = new byte[1 << 16];
            try { int n; while ((n = zlib.Read(buffer)) > 0) inflated.Write(buffer, 0, n); }
            catch (InvalidDataException) { }   // the upload ends mid-stream
        }
        var d = inflated.ToArray();
        // miMATRIX tag, then array flags (16 bytes), dimensions (8 + 8), name 'X' (small element, 8), data tag (8).
        Assert.Equal(14u, BinaryPrimitives.ReadUInt32LittleEndian(d));
        int rows = BinaryPrimitives.ReadInt32LittleEndian(d.AsSpan(32)), cols = BinaryPrimitives.ReadInt32LittleEndian(d.AsSpan(36));
        Assert.Equal((5000, 400), (rows, cols));
        Assert.Equal((byte)'X', d[44]);
        int data = 56;
        Assert.Equal(9u, BinaryPrimitives.ReadUInt32LittleEndian(d.AsSpan(48)));   // miDOUBLE
        int columns = (d.Length - data) / 8 / rows;
        var values = new double[rows * columns];   // column-major, as stored
        for (int i = 0; i < values.Length; i++) values[i] = BinaryPrimitives.ReadDoubleLittleEndian(d.AsSpan(data + 8 * i));
        return (values, rows, columns);
    }

    [Fact]
    public void RebuiltXEqualsEverySurvivingValueOfTheRealFile()
    {
        var (real, rows, columns) = SurvivingColumns();
        Assert.Equal(157, columns);
        var x = Rebuilt.Value.X;
        double worst = 0;
        for (int c = 0; c < columns; c++)
            for (int r = 0; r < rows; r++)
                worst = Math.Max(worst, Math.Abs(x[r * 400 + c] - real[c * rows + r]));
        Assert.True(worst <= 1e-12, $"largest difference {worst:E3} over {rows * columns} values");
    }

    [Fact]
    public void LabelsAreTheCourseConvention()
    {
        var y = Rebuilt.Value.Y;
        Assert.Equal(5000, y.Length);
        for (int i = 0; i < 5000; i++) Assert.Equal(i < 500 ? 10.0 : i / 500, y[i]);
    }

    [Fact]
    public void TheCoursesWeightsGiveThePublishedFigures()
    {
        var contents = new DataFileContents("ex4data1", [new NDArray("X", "double", [5000, 400], Rebuilt.Value.X), new NDArray("y", "double", [5000, 1], Rebuilt.Value.Y)], []);
        var weights = MatFile.Read(BuiltinData.WeightsPath("ex4weights"));
        var e0 = CourseFiles.Evaluate(contents, weights, 0);
        var e1 = CourseFiles.Evaluate(contents, weights, 1);
        Assert.Equal(0.287629165, e0.Cost, 1e-6);
        Assert.Equal(0.383769859, e1.Cost, 1e-6);
        Assert.Equal(0.9752, e0.Accuracy, 1e-12);
        Assert.All(CourseCheckpoints.Files(contents, weights), k => Assert.True(k.Passed, $"{k.Name}: {k.Actual} vs {k.Expected}"));
    }

    [Fact]
    public void BuiltinSetIsTheFileAsReadingItWouldGive()
    {
        var set = BuiltinData.Load("ex3data1");
        Assert.Equal("ex4data1", set.Name);
        Assert.Null(set.Test);
        var d = set.Train;
        Assert.Equal((5000, 400, 10), (d.Count, d.FeatureCount, d.Classes));
        Assert.Equal(new ImageShape(20, 20, 1, ColumnMajor: true), d.Image);
        Assert.Equal(0, d.Labels[0]);
        Assert.Equal(9, d.Labels[4999]);
        Assert.Equal(Rebuilt.Value.X, d.Features);
    }
}
