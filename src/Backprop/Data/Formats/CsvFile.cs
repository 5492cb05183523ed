using System.Globalization;
using System.IO.Compression;
using Backprop.Data.Preprocessing;

namespace Backprop.Data.Formats;

/// <summary>
/// Reads numeric tables from CSV and similar delimited text files (also gzip-compressed, e.g. <c>.csv.gz</c>).
/// Numbers use the invariant culture; "nan", "inf" and "-inf" are accepted in <see cref="Read"/> but not as
/// data set features. Blank lines and lines starting with '#' are skipped. Errors name the file, the row
/// (its line number in the file), the column (1-based, with its header name) and the offending text.
/// </summary>
public static class CsvFile
{
    /// <summary>Reads every column as float64; the array is named after the file (without .csv/.txt/.gz) and has shape [rows, columns].</summary>
    public static NDArray Read(string path, CsvOptions? options = null)
    {
        options ??= CsvOptions.Default;
        var table = Parse(path, options, labelColumn: null);
        return new NDArray(Stem(path), "double", [table.Rows, table.Columns], table.Values.ToArray());
    }

    /// <summary>
    /// Reads a labelled data set: the label column (<see cref="CsvOptions.LabelColumn"/>, last by default) becomes
    /// <see cref="Dataset.Labels"/>, all other columns the features. Labels are mapped to 0..K-1 as
    /// <see cref="CsvOptions.Labels"/> describes. Features must be finite numbers.
    /// </summary>
    public static Dataset ReadDataset(string path, CsvOptions? options = null)
    {
        options ??= CsvOptions.Default;
        var table = Parse(path, options, options.LabelColumn);
        if (table.Rows == 0)
            throw new InvalidDataException($"{table.File}: the file has no data rows.");
        var features = table.Values.ToArray();
        for (int i = 0; i < features.Length; i++)
            if (!double.IsFinite(features[i]))
            {
                int row = i / table.Columns, col = table.FeatureColumnIndex[i % table.Columns];
                throw new InvalidDataException($"{table.File}: row {table.LineNumbers[row]}, column {col + 1}{table.ColumnLabel(col)}: {features[i].ToString(CultureInfo.InvariantCulture)} is not a finite number; data set features must be.");
            }
        int[] labels;
        string[] classNames;
        if (table.Labels is null)
        {
            labels = new int[table.Rows];
            classNames = ["all"];
        }
        else
            (labels, classNames) = MapLabels(table, options.Labels);
        return new Dataset(Stem(path), features, table.Rows, table.Columns, labels, classNames.Length, classNames);
    }

    private static (int[] Labels, string[] ClassNames) MapLabels(CsvTable table, LabelConvention? convention)
    {
        var texts = table.Labels!;
        var numbers = new double[texts.Count];
        bool numeric = true;
        for (int i = 0; i < texts.Count && numeric; i++)
            numeric = TryParseNumber(texts[i], out numbers[i]) && double.IsFinite(numbers[i]);
        string where(int i) => $"{table.File}: row {table.LineNumbers[i]}, column {table.LabelColumnIndex + 1}{table.ColumnLabel(table.LabelColumnIndex)}";
        if (convention is { } c)
        {
            for (int i = 0; i < texts.Count; i++)
                if (!TryParseNumber(texts[i], out numbers[i]))
                    throw new InvalidDataException($"{where(i)}: label '{texts[i]}' is not a number, but the {c} label convention was asked for.");
            for (int i = 0; i < numbers.Length; i++)
                if (numbers[i] > ReadLimits.Current.MaxClasses)
                    throw new InvalidDataException($"{where(i)}: label {numbers[i].ToString("R", CultureInfo.InvariantCulture)} would make more than {ReadLimits.Current.MaxClasses} classes, the limit; raise it with --max-classes (ReadLimits.MaxClasses) if the labels are right.");
            try
            {
                var idx = LabelMapping.ToIndices(numbers, c, out var names);
                return (idx, names);
            }
            catch (InvalidDataException e)
            {
                // Re-word "at position i" as the file row.
                int bad = FirstBad(numbers, c);
                throw new InvalidDataException($"{where(bad)}: {e.Message}", e);
            }
        }
        int maxClasses = ReadLimits.Current.MaxClasses;
        if (numeric)
        {
            CheckClassCount(numbers, maxClasses, where, i => $"label {numbers[i].ToString("R", CultureInfo.InvariantCulture)}");
            var distinct = numbers.Distinct().Order().ToArray();
            bool zeroBased = distinct.Length > 0 && distinct[0] == 0 && distinct[^1] == distinct.Length - 1 && distinct.All(v => Math.Floor(v) == v);
            if (zeroBased)
                return (numbers.Select(v => (int)v).ToArray(), distinct.Select(v => ((int)v).ToString(CultureInfo.InvariantCulture)).ToArray());
            var index = distinct.Select((v, k) => (v, k)).ToDictionary(p => p.v, p => p.k);
            return (numbers.Select(v => index[v]).ToArray(), distinct.Select(v => v.ToString("R", CultureInfo.InvariantCulture)).ToArray());
        }
        CheckClassCount(texts, maxClasses, where, i => $"label '{texts[i]}'");
        var names2 = texts.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        var map = names2.Select((v, k) => (v, k)).ToDictionary(p => p.v, p => p.k, StringComparer.Ordinal);
        return (texts.Select(t => map[t]).ToArray(), names2);
    }

    /// <summary>Each distinct label is a class: refuses the row whose label would be class number <paramref name="maxClasses"/> + 1.</summary>
    private static void CheckClassCount<T>(IReadOnlyList<T> labels, int maxClasses, Func<int, string> where, Func<int, string> label) where T : notnull
    {
        var seen = new HashSet<T>();
        for (int i = 0; i < labels.Count; i++)
            if (seen.Add(labels[i]) && seen.Count > maxClasses)
                throw new InvalidDataException($"{where(i)}: {label(i)} is distinct label number {seen.Count}, more classes than the limit of {maxClasses}; raise it with --max-classes (ReadLimits.MaxClasses) if the labels are right.");
    }

    private static int FirstBad(double[] numbers, LabelConvention c)
    {
        for (int i = 0; i < numbers.Length; i++)
        {
            try { LabelMapping.ToIndices(numbers.AsSpan(i, 1), c, out _); }
            catch (InvalidDataException) { return i; }
        }
        return 0;
    }

    /// <summary>The file name without its directory and its .gz / .csv / .txt / .tsv extensions.</summary>
    internal static string Stem(string path)
    {
        string name = Path.GetFileName(path);
        if (name.EndsWith(".gz", StringComparison.OrdinalIgnoreCase)) name = name[..^3];
        foreach (var ext in new[] { ".csv", ".txt", ".tsv", ".dat" })
            if (name.EndsWith(ext, StringComparison.OrdinalIgnoreCase)) return name[..^ext.Length];
        return Path.GetFileNameWithoutExtension(name);
    }

    /// <summary>Parses a number in the invariant culture, also accepting nan / inf / -inf / infinity in any case.</summary>
    internal static bool TryParseNumber(string s, out double value)
    {
        if (double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out value)) return true;
        switch (s.ToLowerInvariant())
        {
            case "nan": case "+nan": case "-nan": value = double.NaN; return true;
            case "inf": case "+inf": case "infinity": case "+infinity": value = double.PositiveInfinity; return true;
            case "-inf": case "-infinity": value = double.NegativeInfinity; return true;
            default: value = 0; return false;
        }
    }

    internal static Stream OpenMaybeGzip(string path)
    {
        var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        Span<byte> magic = stackalloc byte[2];
        int n = fs.Read(magic);
        fs.Position = 0;
        if (n == 2 && magic[0] == 0x1f && magic[1] == 0x8b)
            return new CheckedGzipStream(fs, Path.GetFileName(path));
        return fs;
    }

    private static CsvTable Parse(string path, CsvOptions options, CsvLabelColumn? labelColumn)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string file = Path.GetFileName(path);
        try
        {
            using var stream = OpenMaybeGzip(path);
            using var text = new StreamReader(stream, System.Text.Encoding.UTF8, detectEncodingFromByteOrderMarks: true, bufferSize: 1 << 16);
            return Parse(new CsvLineReader(text, file, options.MaxLineLength), file, options, labelColumn);
        }
        catch (InvalidDataException e) when (!e.Message.StartsWith(file, StringComparison.Ordinal))
        {
            throw new InvalidDataException($"{file}: not a readable text table ({e.Message}).", e);
        }
    }

    private static CsvTable Parse(CsvLineReader reader, string file, CsvOptions options, CsvLabelColumn? labelColumn)
    {
        var sample = new List<(int LineNumber, string Text)>();
        for (int i = 0; i < 10 && reader.Next() is { } l; i++) sample.Add(l);
        char delimiter = options.Delimiter ?? CsvLineReader.Detect(sample.Select(s => s.Text).ToList());
        int next = 0;
        (int LineNumber, string Text)? Line() => next < sample.Count ? sample[next++] : reader.Next();

        string[]? header = null;
        var first = Line();
        if (first is null)
            throw new InvalidDataException($"{file}: the file holds no rows.");
        var firstCells = CsvLineReader.Split(first.Value.Text, delimiter);
        bool hasHeader = options.HasHeader ?? LooksLikeHeader(firstCells, sample.Count > 1 ? CsvLineReader.Split(sample[1].Text, delimiter) : null);
        int columns = firstCells.Length;
        if (hasHeader) header = firstCells;

        int labelIndex = -1;
        if (labelColumn is { IsNone: false })
        {
            if (labelColumn.Name is { } name)
            {
                if (header is null)
                    throw new InvalidDataException($"{file}: the label column is named '{name}' but the file has no header row.");
                labelIndex = Array.IndexOf(header, name);
                if (labelIndex < 0)
                    throw new InvalidDataException($"{file}: no column named '{name}'; the header has {string.Join(", ", header.Select(h => $"'{h}'"))}.");
            }
            else
            {
                int at = labelColumn.Index!.Value;
                labelIndex = at < 0 ? columns + at : at;
                if (labelIndex < 0 || labelIndex >= columns)
                    throw new InvalidDataException($"{file}: label column {at} does not exist; the rows have {columns} columns (0..{columns - 1}, or -1..-{columns} from the end).");
            }
            if (columns < 2)
                throw new InvalidDataException($"{file}: the rows have a single column, so there is nothing left for features after taking the labels.");
        }

        var table = new CsvTable(file, header, labelIndex, columns);
        if (!hasHeader) table.Add(first.Value.LineNumber, firstCells, options.MaxCells);
        while (Line() is { } row)
            table.Add(row.LineNumber, CsvLineReader.Split(row.Text, delimiter), options.MaxCells);
        return table;
    }

    private static bool LooksLikeHeader(string[] first, string[]? second)
    {
        for (int c = 0; c < first.Length; c++)
        {
            if (TryParseNumber(first[c], out _)) continue;
            if (second is null || (c < second.Length && TryParseNumber(second[c], out _))) return true;
        }
        return false;
    }

    /// <summary>The cells read so far: numeric features row-major, label texts, and where each row came from.</summary>
    private sealed class CsvTable
    {
        private readonly string[]? _header;
        private readonly int _fileColumns;
        private readonly ReadBudget _budget;

        public CsvTable(string file, string[]? header, int labelColumnIndex, int fileColumns)
        {
            File = file;
            _budget = ReadBudget.For(file);
            _header = header;
            _fileColumns = fileColumns;
            LabelColumnIndex = labelColumnIndex;
            FeatureColumnIndex = Enumerable.Range(0, fileColumns).Where(c => c != labelColumnIndex).ToArray();
            Columns = FeatureColumnIndex.Length;
            Labels = labelColumnIndex >= 0 ? [] : null;
        }

        public string File { get; }
        public int LabelColumnIndex { get; }
        public int[] FeatureColumnIndex { get; }
        public int Columns { get; }
        public int Rows => LineNumbers.Count;
        public List<double> Values { get; } = [];
        public List<string>? Labels { get; }
        public List<int> LineNumbers { get; } = [];

        public string ColumnLabel(int col) => _header is not null && col < _header.Length ? $" ('{_header[col]}')" : "";

        public void Add(int lineNumber, string[] cells, long maxCells)
        {
            if (cells.Length != _fileColumns)
                throw new InvalidDataException($"{File}: row {lineNumber} has {cells.Length} columns; {(_header is null ? "the first row has" : "the header has")} {_fileColumns}.");
            if ((long)(Rows + 1) * _fileColumns > maxCells)
                throw new InvalidDataException($"{File}: more than {maxCells} cells; the table is larger than the reader's limit.");
            long cellCount = (long)(Rows + 1) * _fileColumns;
            if (cellCount * 8 > _budget.MaxBytes)
                throw new InvalidDataException($"{File}: row {lineNumber}: the table passes the read budget of {ReadLimits.FormatSize(_budget.MaxBytes)} ({cellCount} cells, 8 bytes each as float64); raise it with --max-memory (ReadLimits.MaxBytes) if the file is right.");
            for (int c = 0; c < cells.Length; c++)
            {
                if (c == LabelColumnIndex)
                {
                    if (cells[c].Length == 0)
                        throw new InvalidDataException($"{File}: row {lineNumber}, column {c + 1}{ColumnLabel(c)}: the label cell is empty.");
                    Labels!.Add(cells[c]);
                    continue;
                }
                if (!TryParseNumber(cells[c], out double v))
                    throw new InvalidDataException($"{File}: row {lineNumber}, column {c + 1}{ColumnLabel(c)}: '{Shorten(cells[c])}' is not a number{(cells[c].Length == 0 ? " (the cell is empty)" : "")}.");
                Values.Add(v);
            }
            LineNumbers.Add(lineNumber);
        }

        private static string Shorten(string s) => s.Length > 40 ? s[..40] + "…" : s;
    }
}
