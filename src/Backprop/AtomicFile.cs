using System.Diagnostics;
using System.Globalization;

namespace Backprop;

/// <summary>
/// Writes that never leave a half-written file: write a temporary file beside the target, then rename over it.
/// The temporary file is named <c>.NAME.PID.GUID.tmp</c>; one left behind by a killed process is deleted by the
/// next save of the same file.
/// </summary>
public static class AtomicFile
{
    public static void Write(string path, Action<Stream> write)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var full = Path.GetFullPath(path);
        var dir = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(dir);
        RemoveOrphans(full);
        var temp = TempName(full);
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, full, overwrite: true);
        }
        catch
        {
            try { File.Delete(temp); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            throw;
        }
    }

    public static void WriteAllText(string path, string text) =>
        Write(path, s => { using var w = new StreamWriter(s, leaveOpen: true); w.Write(text); });

    /// <summary>
    /// Checks, before any long work, that <see cref="Write"/> can later save <paramref name="path"/>: creates and deletes
    /// a temporary file in its folder (or, when the folder does not exist yet, in the nearest existing one above it, where
    /// the folder will be created). Throws the <see cref="IOException"/> or <see cref="UnauthorizedAccessException"/> the
    /// save would meet.
    /// </summary>
    public static void EnsureWritable(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var full = Path.GetFullPath(path);
        var dir = Path.GetDirectoryName(full);
        while (dir is not null && !Directory.Exists(dir)) dir = Path.GetDirectoryName(dir);
        if (dir is null) throw new DirectoryNotFoundException($"No folder of '{path}' exists.");
        var probe = TempName(Path.Combine(dir, Path.GetFileName(full)));
        using (new FileStream(probe, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.DeleteOnClose)) { }
    }

    private static string TempName(string full) =>
        Path.Combine(Path.GetDirectoryName(full)!, $".{Path.GetFileName(full)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");

    /// <summary>Deletes the temporary files of <paramref name="full"/> whose process no longer runs (a save killed midway).</summary>
    private static void RemoveOrphans(string full)
    {
        var dir = Path.GetDirectoryName(full)!;
        string prefix = $".{Path.GetFileName(full)}.";
        IEnumerable<string> candidates;
        try { candidates = Directory.EnumerateFiles(dir, ".*.tmp").ToArray(); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return; }
        foreach (var file in candidates)
        {
            var name = Path.GetFileName(file);
            if (!name.StartsWith(prefix, StringComparison.Ordinal)) continue;
            // The rest is "PID.GUID.tmp": a 32-digit hex GUID, so a file named like another one's prefix is not mistaken for it.
            var rest = name[prefix.Length..].Split('.');
            if (rest.Length != 3 || rest[1].Length != 32 || !Guid.TryParseExact(rest[1], "N", out _)
                || !int.TryParse(rest[0], NumberStyles.None, CultureInfo.InvariantCulture, out int pid)) continue;
            if (pid == Environment.ProcessId || IsRunning(pid)) continue;
            try { File.Delete(file); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    private static bool IsRunning(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException) { return false; }      // no such process
        catch (InvalidOperationException) { return false; }
    }
}
