using System.CommandLine;
using System.Globalization;
using Backprop.Layers;

namespace Backprop.Cli;

/// <summary>Options several commands share, and parsers for their values.</summary>
internal static class Options
{
    public static Option<bool> Json() => new("--json") { Description = "Print exactly one JSON object on stdout (and nothing else there)" };

    public static Option<int> Seed(int fallback = 0) => new("--seed") { Description = "Random seed (NumPy's RandomState)", DefaultValueFactory = _ => fallback };

    public static Option<double> Lambda(double fallback = 0) => new("--lambda") { Description = "L2 regularization λ (ex4 convention: λ/2m·Σw², bias excluded)", DefaultValueFactory = _ => fallback };

    /// <summary>"784,100,10" → [784, 100, 10].</summary>
    public static int[] ParseLayers(string text)
    {
        var parts = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length < 2)
            throw new UsageException($"--layers '{text}': give at least an input and an output size, e.g. 784,100,10.");
        var sizes = new int[parts.Length];
        for (int i = 0; i < parts.Length; i++)
            if (!int.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out sizes[i]) || sizes[i] < 1)
                throw new UsageException($"--layers '{text}': '{parts[i]}' is not a positive whole number.");
        return sizes;
    }

    public static Activation ParseActivation(string text, string option) => Parse(Activations.Parse, text, option);

    /// <summary>A library type's <c>Parse</c> of an option's value; its error becomes a usage error naming the option.</summary>
    public static T Parse<T>(Func<string, T> parse, string text, string option)
    {
        try { return parse(text); }
        catch (ArgumentException e) { throw new UsageException($"{option}: {e.Message}"); }
    }

    public static void RequireNonNegative(double value, string option)
    {
        if (!(value >= 0) || !double.IsFinite(value)) throw new UsageException($"{option} must be a number ≥ 0, got {value.ToString(CultureInfo.InvariantCulture)}.");
    }

    /// <summary>A probability in [0, 1), e.g. a dropout rate.</summary>
    public static void RequireRate(double value, string option)
    {
        if (!(value >= 0 && value < 1)) throw new UsageException($"{option} must be a rate in [0, 1), got {value.ToString(CultureInfo.InvariantCulture)}.");
    }

    /// <summary>
    /// Checks, before any work, that <paramref name="path"/> can name an output file: not an existing directory, not
    /// ending in a separator, and not under an existing file.
    /// </summary>
    public static string RequireOutputFile(string path, string option)
    {
        if (Directory.Exists(path) || path.EndsWith('/') || path.EndsWith(Path.DirectorySeparatorChar))
            throw new UsageException($"{option} {path}: is a directory; give a file name.");
        RequireNoFileAbove(Path.GetDirectoryName(Path.GetFullPath(path)), path, option);
        // An unwritable place (/proc, a read-only folder) is found now, not after a long run.
        WriteOutput(path, option, () => AtomicFile.EnsureWritable(path));
        return path;
    }

    /// <summary>Checks that <paramref name="path"/> can be an output directory (report): not a file, not under a file.</summary>
    public static string RequireOutputDirectory(string path, string option)
    {
        if (File.Exists(path)) throw new UsageException($"{option} {path}: is a file; give a directory.");
        RequireNoFileAbove(Path.GetFullPath(path), path, option);
        return path;
    }

    private static void RequireNoFileAbove(string? dir, string path, string option)
    {
        for (; !string.IsNullOrEmpty(dir); dir = Path.GetDirectoryName(dir))
            if (File.Exists(dir)) throw new UsageException($"{option} {path}: '{dir}' is a file, not a directory.");
    }

    /// <summary>Runs <paramref name="write"/>; a failure to write <paramref name="path"/> becomes a usage error naming the option.</summary>
    public static void WriteOutput(string path, string option, Action write)
    {
        try { write(); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"{option} {path}: cannot write it ({e.Message.TrimEnd('.')}).");
        }
    }

    public static void RequirePositive(int value, string option)
    {
        if (value < 1) throw new UsageException($"{option} must be at least 1, got {value}.");
    }
}
