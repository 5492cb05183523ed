using System.Globalization;
using System.Text.Json;
using Backprop.Data.Formats;
using Backprop.Data.Preprocessing;

namespace Backprop.Tests.Data.Formats;

public class CsvFileTests
{
    private static string Csv(string name) => ReaderFixtures.Path_("csv", name);

    private static double[] ExpectedValues(string key, out int[] shape)
    {
        var e = JsonDocument.Parse(File.ReadAllText(ReaderFixtures.Path_("csv_expected.json"))).RootElement.GetProperty(key);
        shape = e.GetProperty("shape").EnumerateArray().Select(x => x.GetInt32()).ToArray();
        return e.GetProperty("values").EnumerateArray().Select(x => double.Parse(x.GetString()!, CultureInfo.InvariantCulture)).ToArray();
    }

    [Theory]
    [InlineData("header_comma.csv", "header_comma")]
    [InlineData("header_comma.csv.gz", "header_comma")]
    [InlineData("labels_first_semicolon.csv", "labels_first_semicolon")]
    [InlineData("whitespace.txt", "whitespace")]
    public void ReadsWhatNumPyReads(string file, string key)
    {
        var a = CsvFile.Read(Csv(file));
        var want = ExpectedValues(key, out var shape);
        Assert.Equal(shape, a.Shape);
        Assert.Equal(want, (double[])a.Data);
        Assert.Equal(file.StartsWith("header") ? "header_comma" : key, a.Name);
    }

    [Fact]
    public void TabFileWithHeaderAndNamedLabelColumn()
    {
        var all = CsvFile.Read(Csv("tab_named.tsv"));
        Assert.Equal(ExpectedValues("tab_named", out var shape), (double[])all.Data);
        Assert.Equal(shape, all.Shape);

        var ds = CsvFile.ReadDataset(Csv("tab_named.tsv"), new CsvOptions { LabelColumn = CsvLabelColumn.Named("class") });
        Assert.Equal(4, ds.Count);
        Assert.Equal(3, ds.FeatureCount);
        // Labels 5,7,5,9 are not 0..K-1: mapped in sorted order, originals kept as class names.
        Assert.Equal(new[] { 0, 1, 0, 2 }, ds.Labels);
        Assert.Equal(new[] { "5", "7", "9" }, ds.ClassNames);
        // Features are columns a, b, c (NumPy's columns 0, 2, 3).
        var full = (double[])all.Data;
        for (int r = 0; r < 4; r++)
            Assert.Equal(new[] { full[r * 4], full[r * 4 + 2], full[r * 4 + 3] }, ds.Sample(r).ToArray());
    }

    [Fact]
    public void LastColumnZeroBasedLabelsAreKept()
    {
        var ds = CsvFile.ReadDataset(Csv("header_comma.csv.gz"));
        Assert.Equal(new[] { 0, 1, 2, 2, 1, 0 }, ds.Labels);
        Assert.Equal(3, ds.Classes);
        Assert.Equal(3, ds.FeatureCount);
        Assert.Equal("header_comma", ds.Name);
        var want = ExpectedValues("header_comma", out _);
        Assert.Equal(want[4], ds.Features[3]); // row 1, feature 0
    }

    [Fact]
    public void LabelColumnByIndexAndOneBasedConvention()
    {
        var auto = CsvFile.ReadDataset(Csv("labels_first_semicolon.csv"), new CsvOptions { LabelColumn = CsvLabelColumn.At(0) });
        Assert.Equal(new[] { 0, 2, 1, 2, 0 }, auto.Labels);
        Assert.Equal(new[] { "1", "2", "3" }, auto.ClassNames);

        var oneBased = CsvFile.ReadDataset(Csv("labels_first_semicolon.csv"), new CsvOptions { LabelColumn = CsvLabelColumn.At(0), Labels = LabelConvention.OneBased });
        Assert.Equal(auto.Labels, oneBased.Labels);

        var digits = CsvFile.ReadDataset(Csv("labels_first_semicolon.csv"), new CsvOptions { LabelColumn = CsvLabelColumn.At(0), Labels = LabelConvention.MatlabDigits, Delimiter = ';' });
        Assert.Equal(new[] { 1, 3, 2, 3, 1 }, digits.Labels);
        Assert.Equal(10, digits.Classes);

        string dir = ReaderFixtures.TempDir();
        try
        {
            string p = Path.Combine(dir, "eleven.csv");
            File.WriteAllText(p, "0.5,10\n0.25,11\n");
            var e = Assert.Throws<InvalidDataException>(() => CsvFile.ReadDataset(p, new CsvOptions { Labels = LabelConvention.MatlabDigits }));
            Assert.StartsWith("eleven.csv: row 2, column 2: Label 11 at position 1 is outside the range 1..10", e.Message);
        }
        finally { Directory.Delete(dir, true); }
        Assert.Throws<InvalidDataException>(() => CsvFile.ReadDataset(Csv("labels_first_semicolon.csv"), new CsvOptions { LabelColumn = CsvLabelColumn.At(7) }));
    }

    [Fact]
    public void TextLabelsAreSortedIntoClasses()
    {
        var ds = CsvFile.ReadDataset(Csv("text_labels.csv"));
        Assert.Equal(new[] { "setosa", "versicolor", "virginica" }, ds.ClassNames);
        Assert.Equal(new[] { 1, 0, 2, 0, 1, 0 }, ds.Labels);
        Assert.Equal(ExpectedValues("text_labels", out _), ds.Features);
    }

    [Fact]
    public void HeaderDetection()
    {
        Assert.Equal(6, CsvFile.Read(Csv("header_comma.csv")).Shape[0]);
        Assert.Equal(5, CsvFile.Read(Csv("labels_first_semicolon.csv")).Shape[0]);
        // Forcing "no header" makes the header row a data row, which is not numeric.
        var e = Assert.Throws<InvalidDataException>(() => CsvFile.Read(Csv("header_comma.csv"), new CsvOptions { HasHeader = false }));
        Assert.Contains("row 1, column 1: 'x1' is not a number", e.Message);
        // Forcing a header drops the first data row.
        Assert.Equal(4, CsvFile.Read(Csv("labels_first_semicolon.csv"), new CsvOptions { HasHeader = true }).Shape[0]);
    }

    [Fact]
    public void NonNumericCellNamesRowColumnAndHeader()
    {
        var e = Assert.Throws<InvalidDataException>(() => CsvFile.Read(Csv("bad_cell.csv")));
        Assert.Equal("bad_cell.csv: row 12, column 3 ('x3'): 'abc' is not a number.", e.Message);
    }

    [Fact]
    public void RaggedRowsAndEmptyCellsAreClearErrors()
    {
        var e = Assert.Throws<InvalidDataException>(() => CsvFile.Read(Csv("ragged.csv")));
        Assert.Equal("ragged.csv: row 3 has 2 columns; the first row has 3.", e.Message);
        var e2 = Assert.Throws<InvalidDataException>(() => CsvFile.Read(Csv("empty_cell.csv")));
        Assert.Contains("row 2, column 2: '' is not a number (the cell is empty)", e2.Message);
    }

    [Fact]
    public void NamedLabelColumnMustExist()
    {
        var e = Assert.Throws<InvalidDataException>(() => CsvFile.ReadDataset(Csv("header_comma.csv"), new CsvOptions { LabelColumn = CsvLabelColumn.Named("target") }));
        Assert.Contains("no column named 'target'", e.Message);
        Assert.Contains("'x1', 'x2', 'x3', 'label'", e.Message);
    }

    [Fact]
    public void BinaryAndDamagedInputIsRejected()
    {
        string dir = ReaderFixtures.TempDir();
        try
        {
            string bin = Path.Combine(dir, "binary.csv");
            File.WriteAllBytes(bin, [1, 2, 0, 4, 10]);
            Assert.Throws<InvalidDataException>(() => CsvFile.Read(bin));

            // A truncated .csv.gz at every length: parsed, or an InvalidDataException naming the file.
            byte[] gz = File.ReadAllBytes(Csv("header_comma.csv.gz"));
            string cut = Path.Combine(dir, "cut.csv.gz");
            for (int n = 0; n < gz.Length; n++)
            {
                File.WriteAllBytes(cut, gz.AsSpan(0, n).ToArray());
                try { CsvFile.Read(cut); }
                catch (InvalidDataException e) { Assert.Contains("cut.csv.gz", e.Message); }
            }

            string empty = Path.Combine(dir, "empty.csv");
            File.WriteAllText(empty, "# only a comment\n\n");
            Assert.Contains("no rows", Assert.Throws<InvalidDataException>(() => CsvFile.Read(empty)).Message);

            string tooLong = Path.Combine(dir, "long.csv");
            File.WriteAllText(tooLong, new string('1', 5000));
            Assert.Contains("longer than", Assert.Throws<InvalidDataException>(() => CsvFile.Read(tooLong, new CsvOptions { MaxLineLength = 100 })).Message);
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void InvariantCultureAndSpecialValues()
    {
        string dir = ReaderFixtures.TempDir();
        try
        {
            string p = Path.Combine(dir, "v.csv");
            File.WriteAllText(p, "1.5,nan,-inf,1e3\r\n\"2.25\",Infinity,0,-0.5\r\n");
            var a = CsvFile.Read(p);
            var d = (double[])a.Data;
            Assert.Equal(1.5, d[0]);
            Assert.True(double.IsNaN(d[1]));
            Assert.Equal(double.NegativeInfinity, d[2]);
            Assert.Equal(1000, d[3]);
            Assert.Equal(2.25, d[4]);
            Assert.Equal(double.PositiveInfinity, d[5]);
            var e = Assert.Throws<InvalidDataException>(() => CsvFile.ReadDataset(p));
            Assert.Contains("not a finite number", e.Message);
        }
        finally { Directory.Delete(dir, true); }
    }
}
