using System.IO.Compression;

namespace Backprop.Data.Formats;

/// <summary>
/// Reads and writes NumPy <c>.npz</c> archives (what <c>np.savez</c> / <c>np.savez_compressed</c> write):
/// a zip of <c>.npy</c> members, stored or deflated. Variables are named after their members without ".npy".
/// Members that are not .npy files, or hold an element type this library does not read, are listed in
/// <see cref="DataFileContents.Skipped"/>. Zip bombs are refused before anything is allocated: each member's
/// data size (declared by its .npy header) must fit in the member's declared size, in
/// <see cref="NpyReadLimits.MaxArrayBytes"/>, and in what deflate can expand the compressed bytes to.
/// </summary>
public static class NpzFile
{
    /// <summary>Deflate cannot expand data by more than about 1032:1; anything claiming more is damaged or hostile.</summary>
    private const long MaxDeflateRatio = 1032;

    /// <summary>Reads every array in the archive at <paramref name="path"/>.</summary>
    public static DataFileContents Read(string path, NpyReadLimits? limits = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        limits ??= NpyReadLimits.Default;
        string file = Path.GetFileName(path);
        using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        var variables = new List<NDArray>();
        var skipped = new List<SkippedVariable>();
        try
        {
            using var zip = new ZipArchive(fs, ZipArchiveMode.Read);
            long total = 0;
            var budget = ReadBudget.For(file);
            foreach (var entry in zip.Entries)
            {
                if (entry.FullName.EndsWith('/')) continue; // a folder entry
                string where = $"{file}/{entry.FullName}";
                if (!entry.FullName.EndsWith(".npy", StringComparison.Ordinal))
                {
                    skipped.Add(new SkippedVariable(entry.FullName, "file", "not an .npy member"));
                    continue;
                }
                string name = entry.FullName[..^4];
                long declared = entry.Length;
                if (declared > limits.MaxArrayBytes + NpyHeader.MaxHeaderLength + 16)
                    throw new InvalidDataException($"{where}: the member claims {declared} bytes uncompressed, more than the limit of {limits.MaxArrayBytes}.");
                if (entry.CompressedLength > 0 && declared > Math.Max(entry.CompressedLength, 64) * MaxDeflateRatio)
                    throw new InvalidDataException($"{where}: the member claims {declared} bytes from {entry.CompressedLength} compressed bytes, more than deflate can produce; the archive is damaged.");
                if (declared > fs.Length * MaxDeflateRatio)
                    throw new InvalidDataException($"{where}: the member claims {declared} bytes, more than a {fs.Length}-byte archive can hold.");
                NDArray array;
                try
                {
                    using var stream = new Crc32Stream(entry.Open());
                    array = NpyFile.Read(stream, name, where, limits, availableBytes: declared, budget);
                    // As NumPy's zipfile does: the member must hold exactly its recorded size and CRC-32.
                    if (!stream.Drain(declared - stream.BytesRead) || stream.BytesRead != declared)
                        throw new InvalidDataException($"{where}: the member holds {(stream.BytesRead > declared ? "more" : stream.BytesRead.ToString(System.Globalization.CultureInfo.InvariantCulture))} bytes; the archive records {declared}: the archive is damaged.");
                    if (stream.Crc != entry.Crc32)
                        throw new InvalidDataException($"{where}: bad CRC-32 {stream.Crc:x8} (the archive records {entry.Crc32:x8}): the member is damaged.");
                }
                catch (InvalidDataException e) when (UnsupportedArrayType.Is(e))
                {
                    skipped.Add(new SkippedVariable(name, "unsupported", e.Message));
                    continue;
                }
                total += Buffer.ByteLength(array.Data);
                if (total > limits.MaxTotalBytes)
                    throw new InvalidDataException($"{file}: the arrays hold more than the limit of {limits.MaxTotalBytes} bytes in total.");
                variables.Add(array);
            }
        }
        catch (InvalidDataException e) when (!e.Message.StartsWith(file, StringComparison.Ordinal))
        {
            throw new InvalidDataException($"{file}: not a readable .npz archive ({e.Message}).", e);
        }
        catch (Exception e) when (e is IOException and not FileNotFoundException and not DirectoryNotFoundException
                                  || e is ArgumentException or NotSupportedException or IndexOutOfRangeException or OverflowException)
        {
            throw new InvalidDataException($"{file}: not a readable .npz archive ({e.Message}).", e);
        }
        return new DataFileContents(path, variables, skipped);
    }

    /// <summary>
    /// Writes <paramref name="arrays"/> to <paramref name="path"/> atomically as an .npz archive, one
    /// "<c>name.npy</c>" member per array, deflated when <paramref name="compress"/> (like <c>np.savez_compressed</c>).
    /// </summary>
    public static void Write(string path, IEnumerable<NDArray> arrays, bool compress = true)
    {
        ArgumentNullException.ThrowIfNull(arrays);
        var list = arrays.ToList();
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var a in list)
        {
            if (string.IsNullOrEmpty(a.Name))
                throw new ArgumentException("Every array written to an .npz needs a name.", nameof(arrays));
            if (!names.Add(a.Name))
                throw new ArgumentException($"Two arrays are named '{a.Name}'; .npz member names must be unique.", nameof(arrays));
        }
        AtomicFile.Write(path, fs =>
        {
            using var zip = new ZipArchive(fs, ZipArchiveMode.Create, leaveOpen: true);
            foreach (var a in list)
            {
                var entry = zip.CreateEntry(a.Name + ".npy", compress ? CompressionLevel.Optimal : CompressionLevel.NoCompression);
                using var s = entry.Open();
                NpyFile.Write(s, a);
            }
        });
    }
}
