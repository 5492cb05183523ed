namespace Backprop.Data.Formats;

/// <summary>Decides whether a file is in a format, from its path and its first bytes (up to 512; fewer for short files).</summary>
public delegate bool FormatDetector(string path, ReadOnlySpan<byte> head);

/// <summary>
/// Reads any supported data file, choosing the reader by content (magic bytes) and extension.
/// Formats are kept in a registry: each has a name, a <see cref="FormatDetector"/> and a reader, and other
/// formats plug in with <see cref="Register"/> without editing this class. Detectors are tried in registration
/// order; registering an existing name replaces its reader (and its detector, when one is given) in place.
/// Built in: "npy", "npz", "mat" (level 5), "idx" (MNIST, optionally gzipped), "csv" (.csv, .tsv, .txt, .dat, optionally .gz).
/// </summary>
public static class DataFiles
{
    private sealed record Format(string Name, FormatDetector Detector, Func<string, DataFileContents> Reader);

    private static readonly object Gate = new();
    private static readonly List<Format> Registry = [];

    static DataFiles()
    {
        Register("npy", (_, h) => h.StartsWith(NpyHeader.Magic), p => new DataFileContents(p, [NpyFile.Read(p)], []));
        Register("npz", (p, h) => IsZip(h) && !HasExtension(p, ".mat"), p => NpzFile.Read(p));
        Register("mat", (p, h) => h.StartsWith("MATLAB 5.0 MAT-file"u8) || h.StartsWith("MATLAB 7.3 MAT-file"u8) || HasExtension(p, ".mat"),
            p => Mat.MatFile.Read(p));
        Register("idx", (p, h) => IsIdx(p, h),
            SingleArray(IdxFile.Read));
        Register("csv", (p, _) => IsCsvName(p), ReadCsv);
    }

    /// <summary>
    /// A CSV as one numeric table; one that is not all numbers (text class labels, as train accepts them) as the
    /// data set train reads from it: X (the features) and y (the labels, 0..K−1, the names in y's note).
    /// </summary>
    private static DataFileContents ReadCsv(string path)
    {
        try { return new DataFileContents(path, [CsvFile.Read(path)], []); }
        catch (InvalidDataException numeric)
        {
            Dataset d;
            try { d = CsvFile.ReadDataset(path); }
            catch (InvalidDataException) { throw numeric; }
            var x = new NDArray("X", "double", [d.Count, d.FeatureCount], d.Features, "features, as train reads them");
            var y = new NDArray("y", "double", [d.Count, 1], d.Labels.Select(l => (double)l).ToArray(),
                $"labels 0..{d.Classes - 1} from the label column: {string.Join(", ", d.ClassNames.Select((n, i) => $"{i} = {n}"))}");
            return new DataFileContents(path, [x, y], []);
        }
    }

    /// <summary>The registered format names, in detection order.</summary>
    public static IReadOnlyList<string> Formats
    {
        get { lock (Gate) return Registry.Select(f => f.Name).ToArray(); }
    }

    /// <summary>
    /// Adds a format, or replaces the reader of an existing one (keeping its place, and its detector when
    /// <paramref name="detector"/> is null). A new format needs a detector.
    /// </summary>
    public static void Register(string format, FormatDetector? detector, Func<string, DataFileContents> reader)
    {
        ArgumentException.ThrowIfNullOrEmpty(format);
        ArgumentNullException.ThrowIfNull(reader);
        lock (Gate)
        {
            int i = Registry.FindIndex(f => f.Name == format);
            if (i >= 0)
                Registry[i] = new Format(format, detector ?? Registry[i].Detector, reader);
            else
                Registry.Add(new Format(format, detector ?? throw new ArgumentNullException(nameof(detector), $"The new format '{format}' needs a detector."), reader));
        }
    }

    /// <summary>Adapts a reader of one array (e.g. an idx reader) to <see cref="Register"/>.</summary>
    public static Func<string, DataFileContents> SingleArray(Func<string, NDArray> reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        return p => new DataFileContents(p, [reader(p)], []);
    }

    /// <summary>The format name of <paramref name="path"/> ("npy", "npz", "csv", …); an <see cref="InvalidDataException"/> when none fits.</summary>
    public static string Detect(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var head = ReadHead(path);
        Format[] formats;
        lock (Gate) formats = Registry.ToArray();
        foreach (var f in formats)
            if (f.Detector(path, head)) return f.Name;
        throw new InvalidDataException($"{Path.GetFileName(path)}: unknown data file format; supported: {string.Join(", ", formats.Select(f => f.Name))} (.npy, .npz, .mat, idx, .csv/.tsv/.txt, optionally .gz).");
    }

    /// <summary>Reads <paramref name="path"/> with the reader of its <see cref="Detect">detected</see> format.</summary>
    public static DataFileContents Read(string path)
    {
        string name = Detect(path);
        Func<string, DataFileContents> reader;
        lock (Gate) reader = Registry.First(f => f.Name == name).Reader;
        return reader(path);
    }

    private static byte[] ReadHead(string path)
    {
        using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        var buffer = new byte[512];
        int total = 0, n;
        while (total < buffer.Length && (n = fs.Read(buffer, total, buffer.Length - total)) > 0) total += n;
        return buffer[..total];
    }

    private static bool IsZip(ReadOnlySpan<byte> h) => h.StartsWith("PK\x03\x04"u8) || h.StartsWith("PK\x05\x06"u8);

    private static string WithoutGz(string path) =>
        path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase) ? path[..^3] : path;

    private static bool HasExtension(string path, string ext) => WithoutGz(path).EndsWith(ext, StringComparison.OrdinalIgnoreCase);

    private static bool IsCsvName(string path) =>
        HasExtension(path, ".csv") || HasExtension(path, ".tsv") || HasExtension(path, ".txt") || HasExtension(path, ".dat");

    /// <summary>idx files: named like MNIST's (…-idx3-ubyte, .idx), or, when not gzipped, starting 0 0 type ndim with a known type code.</summary>
    private static bool IsIdx(string path, ReadOnlySpan<byte> h)
    {
        if (IsCsvName(path)) return false;
        string name = Path.GetFileName(WithoutGz(path));
        if (name.Contains("-idx", StringComparison.OrdinalIgnoreCase) || name.EndsWith(".idx", StringComparison.OrdinalIgnoreCase)
            || name.EndsWith("-ubyte", StringComparison.OrdinalIgnoreCase)) return true;
        if (h.Length < 4) return false;
        return h[0] == 0 && h[1] == 0 && h[2] is 0x08 or 0x09 or 0x0B or 0x0C or 0x0D or 0x0E && h[3] is >= 1 and <= 4;
    }
}
