namespace Backprop.Data.Formats.Mat;

/// <summary>
/// Where the reader is: the file, the variable being decoded (once its name is known) and how offsets in the
/// current buffer map to the file, so that every error names all three.
/// </summary>
internal sealed class MatErrorContext(string fileName)
{
    public string FileName { get; } = fileName;
    public string? Variable { get; set; }

    /// <summary>File offset of byte 0 of the current buffer when it is a slice of the file.</summary>
    public long BufferFileOffset { get; set; }

    /// <summary>File offset of the miCOMPRESSED element the current buffer was inflated from, or null.</summary>
    public long? CompressedElementOffset { get; set; }

    /// <summary>Describes a position in the current buffer, e.g. "offset 184" or "offset 56 of the data inflated from the compressed element at offset 128".</summary>
    public string Where(long bufferOffset) => CompressedElementOffset is { } c
        ? $"offset {bufferOffset} of the data inflated from the compressed element at offset {c}"
        : $"offset {BufferFileOffset + bufferOffset}";

    public InvalidDataException Error(string problem, Exception? inner = null)
    {
        var variable = Variable is null ? "" : $"variable '{Variable}': ";
        return new InvalidDataException($"{FileName}: {variable}{problem}", inner);
    }
}
