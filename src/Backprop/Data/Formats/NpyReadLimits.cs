namespace Backprop.Data.Formats;

/// <summary>
/// Bounds a reader of NumPy files enforces before allocating anything, so that damaged or hostile
/// files (absurd shapes, zip bombs) produce an <see cref="InvalidDataException"/> rather than an out-of-memory crash.
/// </summary>
/// <param name="MaxArrayBytes">Largest data block of one array, in bytes (default 2 GiB).</param>
/// <param name="MaxTotalBytes">Largest sum of all arrays of one .npz archive, in bytes (default 4 GiB).</param>
public sealed record NpyReadLimits(long MaxArrayBytes = 2L << 30, long MaxTotalBytes = 4L << 30)
{
    /// <summary>The defaults.</summary>
    public static NpyReadLimits Default { get; } = new();
}
