using Backprop.Data.Formats;
using Backprop.Data.Formats.Mat;
using Backprop.Models;

namespace Backprop.Fuzz;

/// <summary>
/// The fuzz targets: each feeds one input to a reader (or the model loader) and lets through only the exceptions
/// the reader documents for bad input. Anything else escapes, and afl-fuzz records it as a crash. The test suite
/// replays the minimised corpus in fuzz/corpus through the same code (FuzzCorpusTests).
/// </summary>
public static class FuzzTargets
{
    /// <summary>The targets, one per reader: .mat, .npy, .npz, idx, CSV, and the model file loader.</summary>
    public static IReadOnlyList<string> Names { get; } = ["mat", "npy", "npz", "idx", "csv", "model"];

    /// <summary>
    /// The read budget while fuzzing: 64 MiB, so that no input makes one execution take seconds. (Made on each call:
    /// under afl, no instrumented code may run before SharpFuzz sets up its shared memory, static initializers included.)
    /// </summary>
    public static ReadLimits Limits() => new(MaxBytes: 64L << 20, MaxClasses: 1000);

    /// <summary>Reads <paramref name="input"/> as <paramref name="target"/>; returns what it got ("read: …" or "refused: …").</summary>
    /// <param name="scratch">A folder for the readers that take a path (npz, csv, model).</param>
    public static string Run(string target, byte[] input, string scratch)
    {
        using var _ = ReadLimits.Use(Limits());
        try
        {
            return "read: " + Read(target, input, scratch);
        }
        catch (Exception e) when (IsDocumented(target, e))
        {
            return $"refused: {e.GetType().Name}: {e.Message}";
        }
    }

    /// <summary>
    /// The documented outcomes of bad input: <see cref="InvalidDataException"/> from every reader, and
    /// <see cref="NotSupportedException"/> from the .mat reader for v7.3 (HDF5) and level-4 files.
    /// </summary>
    public static bool IsDocumented(string target, Exception e) =>
        e is InvalidDataException || (target == "mat" && e is NotSupportedException);

    private static string Read(string target, byte[] input, string scratch)
    {
        switch (target)
        {
            case "mat":
                return Describe(MatFile.Read(new MemoryStream(input, writable: false), "fuzz.mat"));
            case "npy":
                var a = NpyFile.Read(new MemoryStream(input, writable: false), "fuzz");
                return $"{a.ClassName} {a.ShapeText}";
            case "npz":
                return Describe(NpzFile.Read(Scratch(scratch, "fuzz.npz", input)));
            case "idx":
                var i = IdxFile.Read(new MemoryStream(input, writable: false), "fuzz-idx3-ubyte");
                return $"{i.ClassName} {i.ShapeText}";
            case "csv":
                var d = CsvFile.ReadDataset(Scratch(scratch, "fuzz.csv", input));
                return $"{d.Count} x {d.FeatureCount}, {d.Classes} classes";
            case "model":
                var m = ModelFile.Load(Scratch(scratch, "fuzz.json", input));
                return $"{m.Spec}, {m.ClassNames.Count} classes";
            default:
                throw new ArgumentOutOfRangeException(nameof(target), target, $"Targets: {string.Join(", ", Names)}.");
        }
    }

    private static string Describe(Backprop.Data.DataFileContents c) =>
        $"{c.Variables.Count} variables ({string.Join(", ", c.Variables.Select(v => $"{v.ClassName} {v.ShapeText}"))}), {c.Skipped.Count} skipped";

    private static string Scratch(string folder, string name, byte[] input)
    {
        var path = Path.Combine(folder, name);
        File.WriteAllBytes(path, input);
        return path;
    }
}
