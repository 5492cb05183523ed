namespace Backprop.Data.Formats.Mat;

/// <summary>
/// Reads and writes MATLAB level-5 MAT files (what <c>save -v6</c> and <c>save -v7</c> produce, and SciPy's
/// <c>savemat</c>). Numeric, logical and char arrays are loaded as <see cref="NDArray"/> (shape in MATLAB's
/// order, data in C order); sparse arrays become dense, complex arrays keep their real part; structs, cells,
/// objects and function handles are listed in <see cref="DataFileContents.Skipped"/>. MATLAB v7.3 (HDF5) files
/// are rejected with a <see cref="NotSupportedException"/>; damaged files with an <see cref="InvalidDataException"/>
/// naming the file, the variable, the byte offset and what was expected.
/// </summary>
public static class MatFile
{
    /// <summary>Reads every variable of the MAT file at <paramref name="path"/>.</summary>
    /// <exception cref="InvalidDataException">The file is damaged or truncated.</exception>
    /// <exception cref="NotSupportedException">The file is a v7.3 (HDF5) or level-4 MAT file.</exception>
    public static DataFileContents Read(string path, MatReadOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        return Read(stream, path, options);
    }

    /// <summary>Reads every variable of a MAT file from <paramref name="stream"/>; <paramref name="fileName"/> is used in error messages.</summary>
    /// <exception cref="InvalidDataException">The data is damaged or truncated.</exception>
    /// <exception cref="NotSupportedException">The data is a v7.3 (HDF5) or level-4 MAT file.</exception>
    public static DataFileContents Read(Stream stream, string fileName, MatReadOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(fileName);
        options ??= new MatReadOptions();
        if (options.MaxElementBytes <= 0)
            throw new ArgumentOutOfRangeException(nameof(options), options.MaxElementBytes, "MatReadOptions.MaxElementBytes must be positive.");
        return MatFileReader.Read(ReadAllBytes(stream, fileName), fileName, options);
    }

    /// <summary>
    /// Writes <paramref name="variables"/> to a level-5 MAT file at <paramref name="path"/>, atomically: the data goes
    /// to a temporary file in the same directory that then replaces <paramref name="path"/>.
    /// </summary>
    /// <param name="compress">Store each variable zlib-compressed (as <c>save -v7</c> does); otherwise as <c>save -v6</c>.</param>
    /// <exception cref="ArgumentException">A name is not a valid MATLAB name, appears twice, or a variable is too large for level 5.</exception>
    public static void Write(string path, IEnumerable<NDArray> variables, bool compress = true)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(variables);
        var full = Path.GetFullPath(path);
        var dir = Path.GetDirectoryName(full) ?? ".";
        var temp = Path.Combine(dir, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                Write(stream, variables, compress);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
    }

    /// <summary>Writes <paramref name="variables"/> as a level-5 MAT file to <paramref name="stream"/>.</summary>
    /// <param name="compress">Store each variable zlib-compressed (as <c>save -v7</c> does); otherwise as <c>save -v6</c>.</param>
    public static void Write(Stream stream, IEnumerable<NDArray> variables, bool compress = true)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(variables);
        MatWriter.Write(stream, variables, compress);
    }

    private static byte[] ReadAllBytes(Stream stream, string fileName)
    {
        if (stream.CanSeek)
        {
            long length = stream.Length - stream.Position;
            if (length > Array.MaxLength)
                throw new InvalidDataException($"{fileName}: the file holds {length} bytes; this reader handles MAT files up to {Array.MaxLength} bytes.");
            var bytes = new byte[length];
            stream.ReadExactly(bytes);
            return bytes;
        }
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
