using Backprop.Data;
using Backprop.Data.Builtin;
using Backprop.Data.Formats;
using Backprop.Data.Preprocessing;

namespace Backprop.Cli;

/// <summary>Turns a --data value (a built-in name or a file) into labelled data sets.</summary>
internal static class DataLoader
{
    public static BuiltinSet Load(string data)
    {
        if (BuiltinData.Names.Contains(data.ToLowerInvariant()))
            return BuiltinData.Load(data.ToLowerInvariant());
        if (!File.Exists(data))
            throw new UsageException($"--data '{data}': neither a built-in data set ({string.Join(", ", BuiltinData.Names)}) nor an existing file.");
        return new BuiltinSet(Path.GetFileNameWithoutExtension(data), FromFile(data), null, data);
    }

    /// <summary>CSV: features and a label column (last by default). .mat / .npz: variables X (m x n) and y (m labels; 1..K with 10 = digit 0 is detected).</summary>
    public static Dataset FromFile(string path)
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
