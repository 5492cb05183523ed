namespace Backprop.Data.Formats.Mat;

/// <summary>Limits that keep a damaged or hostile MAT file from exhausting memory.</summary>
public sealed class MatReadOptions
{
    /// <summary>Default for <see cref="MaxElementBytes"/>: 2 GiB.</summary>
    public const long DefaultMaxElementBytes = 2L * 1024 * 1024 * 1024;

    /// <summary>
    /// The largest data element (compressed or inflated) and the largest array (in bytes of its element type)
    /// the reader will allocate. Declared sizes beyond it are rejected with an <see cref="InvalidDataException"/>
    /// before anything is allocated.
    /// </summary>
    public long MaxElementBytes { get; init; } = DefaultMaxElementBytes;
}
