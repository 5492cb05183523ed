using Backprop.Data.Builtin;
using Backprop.Data.Formats;
using Backprop.Data.Preprocessing;

namespace Backprop.Data;

/// <summary>
/// Turns a data name — a built-in set (<see cref="BuiltinData.Names"/>) or a file — into labelled data,
/// the way <c>--data</c> on the command line and <see cref="Experiments.Experiment"/> take it.
/// </summary>
public static class DataSource
{
    /// <summary>True when <paramref name="name"/> is a built-in set (case-insensitive).</summary>
    public static bool IsBuiltin(string name) => BuiltinData.Names.Contains(name.Trim().ToLowerInvariant());

    /// <summary>A built-in set by name, or a file read with <see cref="ReadFile"/> (no test part).</summary>
    /// <exception cref="FileNotFoundException">Neither a built-in name nor an existing file.</exception>
    public static BuiltinSet Load(string nameOrPath)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(nameOrPath);
        if (IsBuiltin(nameOrPath)) return BuiltinData.Load(nameOrPath.Trim().ToLowerInvariant());
        if (Directory.Exists(nameOrPath))
            throw new FileNotFoundException($"'{nameOrPath}' is a directory; expected a built-in data set ({string.Join(", ", BuiltinData.Names)}) or a data file.", nameOrPath);
        if (!File.Exists(nameOrPath))
            throw new FileNotFoundException($"'{nameOrPath}': neither a built-in data set ({string.Join(", ", BuiltinData.Names)}) nor an existing file.", nameOrPath);
        return new BuiltinSet(Path.GetFileNameWithoutExtension(nameOrPath), ReadFile(nameOrPath), null, nameOrPath);
    }

    /// <summary>
    /// A labelled data file. CSV: features and a label column (last by default). .mat / .npz: variables X
    /// (m x n, one sample per row) and y (m labels; MATLAB's 1..K, with 10 meaning the digit 0, is detected).
    /// Square feature counts of at least 16 from .mat/.npz are taken as column-major images (MATLAB's order).
    /// </summary>
    public static Dataset ReadFile(string path)
    {
        var format = DataFiles.Detect(path);
        if (format == "csv") return CsvFile.ReadDataset(path);
        var contents = DataFiles.Read(path);
        var x = contents.Find("X") ?? contents.Find("x")
            ?? throw new InvalidDataException($"{Path.GetFileName(path)}: no variable 'X' (found: {string.Join(", ", contents.Variables.Select(v => v.Name))}); a data file needs X (one sample per row) and y.");
        var y = contents.Find("y") ?? contents.Find("Y")
            ?? throw new InvalidDataException($"{Path.GetFileName(path)}: no variable 'y' with the labels (found: {string.Join(", ", contents.Variables.Select(v => v.Name))}).");
        if (x.Shape.Length != 2 || !x.IsNumeric)
            throw new InvalidDataException($"{Path.GetFileName(path)}: variable 'X' is {x.ClassName} {x.ShapeText}; an m x n numeric matrix was expected.");
        int m = x.Shape[0], n = x.Shape[1];
        if (y.Length != m)
            throw new InvalidDataException($"{Path.GetFileName(path)}: variable 'y' has {y.Length} elements; X has {m} rows.");
        var raw = y.ToDoubles();
        var convention = LabelMapping.Detect(raw);
        var labels = LabelMapping.ToIndices(raw, convention, out var names);
        ImageShape? image = null;
        int side = (int)Math.Round(Math.Sqrt(n));
        if (side * side == n && n >= 16) image = new ImageShape(side, side, 1, ColumnMajor: true); // MATLAB's images are stored column-major
        return new Dataset(Path.GetFileNameWithoutExtension(path), x.ToDoubles(), m, n, labels, names.Length, names, image);
    }
}
