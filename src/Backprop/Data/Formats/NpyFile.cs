namespace Backprop.Data.Formats;

/// <summary>
/// Reads and writes NumPy <c>.npy</c> files (format versions 1.0, 2.0 and 3.0).
/// Element types read: bool (<c>|b1</c>), int8..int64, uint8..uint64, float16 (converted to single, with a note),
/// float32, float64 and single characters (<c>U1</c>, read as char), in either byte order.
/// Fortran-ordered arrays are converted to C order, so <see cref="NDArray.Data"/> is always C order.
/// Complex, object, structured, string and date types raise an <see cref="InvalidDataException"/> recognised by <see cref="UnsupportedArrayType.Is"/>;
/// damaged files raise <see cref="InvalidDataException"/> naming the file and what was wrong.
/// </summary>
public static class NpyFile
{
    /// <summary>Reads the array in <paramref name="path"/>; its name is the file name without ".npy".</summary>
    public static NDArray Read(string path, NpyReadLimits? limits = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        string name = Path.GetFileNameWithoutExtension(path);
        var array = Read(fs, name, Path.GetFileName(path), limits, availableBytes: null, ReadBudget.For(Path.GetFileName(path)));
        if (fs.Position != fs.Length)
            throw new InvalidDataException($"{Path.GetFileName(path)}: {fs.Length - fs.Position} bytes follow the data of array '{name}' (shape ({string.Join(", ", array.Shape)}), {array.ClassName}); the header does not describe the file.");
        return array;
    }

    /// <summary>Reads one array from <paramref name="stream"/>, leaving the stream just after its data.</summary>
    /// <param name="name">Name given to the array (and used in error messages).</param>
    public static NDArray Read(Stream stream, string name, NpyReadLimits? limits = null)
        => Read(stream, name, name, limits, availableBytes: null, ReadBudget.For(name));

    /// <param name="where">How errors name the source ("file.npz/member.npy").</param>
    /// <param name="availableBytes">For unseekable streams, the most bytes the stream can hold (e.g. a zip member's size), if known.</param>
    /// <param name="budget">The file's allocation budget (an .npz shares one among its members).</param>
    internal static NDArray Read(Stream stream, string name, string where, NpyReadLimits? limits, long? availableBytes, ReadBudget budget)
    {
        ArgumentNullException.ThrowIfNull(stream);
        limits ??= NpyReadLimits.Default;
        var header = NpyHeader.Read(stream, where);
        var dtype = NpyDType.Parse(header.Descr, where);
        string shapeText = $"({string.Join(", ", header.Shape)})";

        long count = 1;
        foreach (long d in header.Shape)
        {
            if (d > int.MaxValue)
                throw new InvalidDataException($"{where}: dimension {d} of shape {shapeText} exceeds the largest supported dimension ({int.MaxValue}).");
            count = d == 0 ? 0 : (count > Array.MaxLength / d ? long.MaxValue : count * d);
        }
        if (count > Array.MaxLength)
            throw new InvalidDataException($"{where}: shape {shapeText} holds more elements than an array can ({Array.MaxLength}).");
        long bytes = count * dtype.ItemSize;
        if (bytes > limits.MaxArrayBytes)
            throw new InvalidDataException($"{where}: shape {shapeText} of type '{header.Descr}' needs {bytes} bytes, more than the limit of {limits.MaxArrayBytes}.");
        long? remaining = stream.CanSeek ? stream.Length - stream.Position : availableBytes - header.HeaderBytes;
        if (remaining is { } r && bytes > r)
            throw new InvalidDataException($"{where}: shape {shapeText} of type '{header.Descr}' needs {bytes} bytes of data but only {Math.Max(r, 0)} follow the header; the file is truncated or its header is wrong.");
        budget.Charge(count, where == budget.File ? $"array '{name}' (shape {shapeText}, '{header.Descr}')" : $"member '{where[(budget.File.Length + 1)..]}' (shape {shapeText}, '{header.Descr}')");

        var data = dtype.ReadData(stream, (int)count, where);
        var shape = header.Shape.Select(d => (int)d).ToArray();
        if (header.FortranOrder && shape.Length > 1)
            data = FortranToC(data, shape);
        string? note = dtype.Kind == NpyKind.Float16 ? "float16 values converted to single" : null;
        return new NDArray(name, dtype.ClassName, shape, data, note);
    }

    /// <summary>Writes <paramref name="array"/> to <paramref name="path"/> atomically (temporary file, then rename), little-endian, C order.</summary>
    public static void Write(string path, NDArray array)
    {
        ArgumentNullException.ThrowIfNull(array);
        AtomicFile.Write(path, s => Write(s, array));
    }

    /// <summary>Writes <paramref name="array"/> as .npy to <paramref name="stream"/> (version 1.0, or 2.0 when the header needs it).</summary>
    public static void Write(Stream stream, NDArray array)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(array);
        string descr = NpyDType.DescrFor(array.Data);
        stream.Write(NpyHeader.Format(descr, false, array.Shape));
        NpyDataWriter.Write(stream, array.Data);
    }

    /// <summary>Reorders a column-major (Fortran) array of the given shape into row-major (C) order.</summary>
    internal static Array FortranToC(Array source, int[] shape)
    {
        int n = source.Length;
        var result = Array.CreateInstance(source.GetType().GetElementType()!, n);
        if (n == 0) return result;
        int dims = shape.Length;
        // Fortran strides (in elements) for each axis.
        var fstride = new long[dims];
        long s = 1;
        for (int d = 0; d < dims; d++) { fstride[d] = s; s *= shape[d]; }
        var index = new int[dims];
        long f = 0;
        for (int c = 0; c < n; c++)
        {
            Array.Copy(source, f, result, c, 1);
            // Advance the C-order multi-index (last axis fastest) and keep f in step.
            for (int d = dims - 1; d >= 0; d--)
            {
                index[d]++;
                f += fstride[d];
                if (index[d] < shape[d]) break;
                f -= fstride[d] * shape[d];
                index[d] = 0;
            }
        }
        return result;
    }
}
