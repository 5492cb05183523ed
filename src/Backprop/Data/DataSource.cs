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
    /// Damage is an <see cref="InvalidDataException"/> naming the file (and the variable, row and value where there is
    /// one): a non-finite X, a label that is not a whole number ≥ 0, more classes than <see cref="ReadLimits.MaxClasses"/>,
    /// arrays beyond <see cref="ReadLimits.MaxBytes"/>, a file that cannot be read. Running out of memory while reading
    /// is an <see cref="InsufficientMemoryException"/> naming the file.
    /// </summary>
    public static Dataset ReadFile(string path)
    {
        string file = Path.GetFileName(path);
        try
        {
            var format = DataFiles.Detect(path);
            if (format == "csv") return CsvFile.ReadDataset(path);
            return FromArrays(path, DataFiles.Read(path));
        }
        catch (Exception e) when (e is UnauthorizedAccessException || e is IOException and not (FileNotFoundException or DirectoryNotFoundException))
        {
            throw new InvalidDataException($"{file}: cannot be read ({e.Message}).", e);
        }
        catch (OutOfMemoryException e) when (e is not InsufficientMemoryException)
        {
            throw OutOfMemory(file, e);
        }
    }

    /// <summary>The error for a file whose data do not fit in the memory this process can get; names the file and the read budget.</summary>
    public static InsufficientMemoryException OutOfMemory(string file, Exception inner) =>
        new($"{file}: out of memory while reading it (the read budget is {ReadLimits.FormatSize(ReadLimits.Current.MaxBytes)}; lower it with --max-memory to be refused before memory runs out, or free memory).", inner);

    private static Dataset FromArrays(string path, DataFileContents contents)
    {
        string file = Path.GetFileName(path);
        var x = contents.Find("X") ?? contents.Find("x")
            ?? throw new InvalidDataException($"{file}: no variable 'X' (found: {string.Join(", ", contents.Variables.Select(v => v.Name))}); a data file needs X (one sample per row) and y.");
        var y = contents.Find("y") ?? contents.Find("Y")
            ?? throw new InvalidDataException($"{file}: no variable 'y' with the labels (found: {string.Join(", ", contents.Variables.Select(v => v.Name))}).");
        if (x.Shape.Length != 2 || !x.IsNumeric)
            throw new InvalidDataException($"{file}: variable '{x.Name}' is {x.ClassName} {x.ShapeText}; an m x n numeric matrix was expected.");
        int m = x.Shape[0], n = x.Shape[1];
        if (y.Length != m)
            throw new InvalidDataException($"{file}: variable '{y.Name}' has {y.Length} elements; X has {m} rows.");
        var features = x.ToDoubles();
        for (long i = 0; i < features.LongLength; i++)
            if (!double.IsFinite(features[i]))
                throw new InvalidDataException($"{file}: variable '{x.Name}', row {i / n + 1}, column {i % n + 1}: {features[i].ToString(System.Globalization.CultureInfo.InvariantCulture)} is not a finite number; data set features must be.");
        var raw = y.ToDoubles();
        CheckLabels(raw, $"{file}: variable '{y.Name}'", ReadLimits.Current.MaxClasses);
        var convention = LabelMapping.Detect(raw);
        var labels = LabelMapping.ToIndices(raw, convention, out var names);
        if (names.Length > ReadLimits.Current.MaxClasses)
        {
            int row = Array.FindIndex(labels, k => k >= ReadLimits.Current.MaxClasses);
            throw new InvalidDataException($"{file}: variable '{y.Name}', row {row + 1}: label {raw[row].ToString("R", System.Globalization.CultureInfo.InvariantCulture)} would make more than {ReadLimits.Current.MaxClasses} classes, the limit; raise it with --max-classes (ReadLimits.MaxClasses) if the labels are right.");
        }
        ImageShape? image = null;
        int side = (int)Math.Round(Math.Sqrt(n));
        if (side * side == n && n >= 16) image = new ImageShape(side, side, 1, ColumnMajor: true); // MATLAB's images are stored column-major
        return new Dataset(Path.GetFileNameWithoutExtension(path), features, m, n, labels, names.Length, names, image);
    }

    /// <summary>
    /// Labels must be class numbers: whole, ≥ 0 (0..K-1, or MATLAB's 1..K) and at most <paramref name="maxClasses"/>
    /// (a label of 2e9 would otherwise size a 2-billion-unit output layer). Names the row (1-based) and the value.
    /// </summary>
    internal static void CheckLabels(ReadOnlySpan<double> raw, string where, int maxClasses)
    {
        var c = System.Globalization.CultureInfo.InvariantCulture;
        for (int i = 0; i < raw.Length; i++)
        {
            double v = raw[i];
            if (!double.IsFinite(v) || Math.Floor(v) != v)
                throw new InvalidDataException($"{where}, row {i + 1}: label {v.ToString("R", c)} is not a whole number; labels must be class numbers (0..K-1 or 1..K).");
            if (v < 0)
                throw new InvalidDataException($"{where}, row {i + 1}: label {v.ToString("R", c)} is negative; labels must be class numbers (0..K-1 or 1..K).");
            if (v > maxClasses)
                throw new InvalidDataException($"{where}, row {i + 1}: label {v.ToString("R", c)} would make more than {maxClasses.ToString(c)} classes, the limit; raise it with --max-classes (ReadLimits.MaxClasses) if the labels are right.");
        }
    }
}
