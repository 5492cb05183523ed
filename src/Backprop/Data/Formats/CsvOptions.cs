using Backprop.Data.Preprocessing;

namespace Backprop.Data.Formats;

/// <summary>Which column of a CSV file holds the labels (for <see cref="CsvFile.ReadDataset"/>).</summary>
public sealed record CsvLabelColumn
{
    private CsvLabelColumn(int? index, string? name, bool none) { Index = index; Name = name; IsNone = none; }

    /// <summary>0-based column index; negative counts from the end (-1 = last). Null when chosen by name or none.</summary>
    public int? Index { get; }
    /// <summary>Header name of the column, when chosen by name.</summary>
    public string? Name { get; }
    /// <summary>No label column: every column is a feature and every sample gets class 0 (of 1 class).</summary>
    public bool IsNone { get; }

    /// <summary>The last column (the default).</summary>
    public static CsvLabelColumn Last { get; } = new(-1, null, false);
    /// <summary>No label column.</summary>
    public static CsvLabelColumn None { get; } = new(null, null, true);
    /// <summary>The column at a 0-based <paramref name="index"/>; negative counts from the end.</summary>
    public static CsvLabelColumn At(int index) => new(index, null, false);
    /// <summary>The column whose header cell is <paramref name="name"/> (the file needs a header row).</summary>
    public static CsvLabelColumn Named(string name) => new(null, name ?? throw new ArgumentNullException(nameof(name)), false);

    public override string ToString() => IsNone ? "none" : Name is not null ? $"'{Name}'" : Index == -1 ? "last" : $"#{Index}";
}

/// <summary>How to read a CSV (or other delimited text) file. Numbers are parsed with the invariant culture ('.' decimal point).</summary>
public sealed record CsvOptions
{
    /// <summary>The <see cref="Delimiter"/> value meaning "one or more spaces/tabs".</summary>
    public const char Whitespace = ' ';

    /// <summary>Cell separator: ',', ';', '\t', <see cref="Whitespace"/>, or null to detect from the first lines (the default).</summary>
    public char? Delimiter { get; init; }
    /// <summary>Whether the first row is a header; null detects it (the default): the first row is a header when it has
    /// a non-numeric cell in a column whose next-row cell is numeric (or, with a single row, any non-numeric cell).</summary>
    public bool? HasHeader { get; init; }
    /// <summary>The label column for <see cref="CsvFile.ReadDataset"/> (default: the last column).</summary>
    public CsvLabelColumn LabelColumn { get; init; } = CsvLabelColumn.Last;
    /// <summary>
    /// How <see cref="CsvFile.ReadDataset"/> turns label values into class indices. Null (the default): labels whose distinct
    /// values are exactly the integers 0..K-1 are kept; any other labels (1..K, gaps, text) are mapped in sorted order
    /// (numeric order for numbers, ordinal order for text) to 0..K-1 and <see cref="Dataset.ClassNames"/> records the originals.
    /// </summary>
    public LabelConvention? Labels { get; init; }
    /// <summary>Most cells read before giving up (guards against decompression bombs); default 250 million.</summary>
    public long MaxCells { get; init; } = 250_000_000;
    /// <summary>Longest line accepted, in characters; default 16 Mi.</summary>
    public int MaxLineLength { get; init; } = 16 << 20;

    /// <summary>The defaults.</summary>
    public static CsvOptions Default { get; } = new();
}
