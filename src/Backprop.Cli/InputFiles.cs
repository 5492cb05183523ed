using Backprop.Data;
using Backprop.Data.Builtin;
using Backprop.Data.Formats;

namespace Backprop.Cli;

/// <summary>Reading the data files named on the command line, with errors that name the file.</summary>
internal static class InputFiles
{
    /// <summary>
    /// Reads <paramref name="path"/> with <see cref="DataFiles.Read"/>, or, when no such file exists, the course's
    /// built-in files by name: <c>ex4data1</c> / <c>ex3data1</c> (X, y) and <c>ex4weights</c> / <c>ex3weights</c> (Theta1, Theta2).
    /// A missing file is a usage error (exit 2); a damaged one an <see cref="InvalidDataException"/> whose message
    /// names the file (also exit 2: bad input).
    /// </summary>
    public static DataFileContents Read(string path, string? option = null)
    {
        string what = option is null ? path : $"{option} {path}";
        if (!File.Exists(path) && !Directory.Exists(path))
        {
            if (BuiltinData.IsWeights(path)) path = BuiltinData.WeightsPath(path);
            else if (Ex4Data.IsName(path)) return Ex4Data.Contents(BuiltinData.FindDataDirectory());
        }
        if (Directory.Exists(path)) throw new UsageException($"{what}: is a directory, not a data file.");
        if (!File.Exists(path)) throw new FileNotFoundException($"{what}: no such file.", path);
        try
        {
            return DataFiles.Read(path);
        }
        catch (Exception e) when (e is InvalidDataException or NotSupportedException or EndOfStreamException or ArgumentException)
        {
            string message = Mentions(e.Message, path) ? e.Message : $"{path}: {e.Message}";
            throw e is NotSupportedException ? new NotSupportedException(message, e) : new InvalidDataException(message, e);
        }
        catch (Exception e) when (e is UnauthorizedAccessException || e is IOException and not (FileNotFoundException or DirectoryNotFoundException))
        {
            throw new UsageException($"{what}: cannot be read ({e.Message}).");
        }
        catch (OutOfMemoryException e) when (e is not InsufficientMemoryException)
        {
            throw DataSource.OutOfMemory(path, e);
        }
    }

    /// <summary>The format name of a readable file (after <see cref="Read"/> succeeded).</summary>
    public static string Format(string path)
    {
        try { return DataFiles.Detect(path); }
        catch (InvalidDataException) { return "unknown"; }
    }

    private static bool Mentions(string message, string path) =>
        message.Contains(path, StringComparison.Ordinal) || message.Contains(Path.GetFileName(path), StringComparison.Ordinal);
}
