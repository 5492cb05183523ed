using System.Globalization;

namespace Backprop.Data.Formats;

/// <summary>
/// The limits every reader enforces before it allocates: one allocation budget per file, counted as what the data
/// become (8 bytes per value, the float64 that training and evaluation convert to, whatever the stored type), and
/// the largest number of classes a label set may describe. Damaged or hostile files (a 271-byte sparse .mat that
/// claims 2 GiB, a logical or gzip bomb, one label of 2e9) are refused with an <see cref="InvalidDataException"/>
/// naming the file, before the memory is taken. The limits are ambient: <see cref="Use"/> sets them for the current
/// call flow (the command line's <c>--max-memory</c> and <c>--max-classes</c> do).
/// </summary>
/// <param name="MaxBytes">The most bytes the arrays of one file may take once converted to float64 (default 2 GiB).</param>
/// <param name="MaxClasses">The most classes a label set may have (default 10,000).</param>
public sealed record ReadLimits(long MaxBytes = ReadLimits.DefaultMaxBytes, int MaxClasses = ReadLimits.DefaultMaxClasses)
{
    /// <summary>2 GiB: MNIST's 70,000 images take 439 MB as float64.</summary>
    public const long DefaultMaxBytes = 2L << 30;

    /// <summary>Ten thousand classes.</summary>
    public const int DefaultMaxClasses = 10_000;

    private static readonly AsyncLocal<ReadLimits?> Ambient = new();

    /// <summary>The limits in force: those of the innermost <see cref="Use"/>, or the defaults.</summary>
    public static ReadLimits Current => Ambient.Value ?? Default;

    /// <summary>The defaults.</summary>
    public static ReadLimits Default { get; } = new();

    /// <summary>Puts <paramref name="limits"/> in force for the current call flow until the result is disposed.</summary>
    public static IDisposable Use(ReadLimits limits)
    {
        ArgumentNullException.ThrowIfNull(limits);
        if (limits.MaxBytes <= 0) throw new ArgumentOutOfRangeException(nameof(limits), limits.MaxBytes, "ReadLimits.MaxBytes must be positive.");
        if (limits.MaxClasses <= 0) throw new ArgumentOutOfRangeException(nameof(limits), limits.MaxClasses, "ReadLimits.MaxClasses must be positive.");
        var previous = Ambient.Value;
        Ambient.Value = limits;
        return new Restore(() => Ambient.Value = previous);
    }

    /// <summary>Parses a size such as "4G", "512M", "64k" or "1073741824" (binary units: K = 1024 bytes); null when it is not one.</summary>
    public static long? ParseSize(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var s = text.Trim();
        if (s.EndsWith("iB", StringComparison.OrdinalIgnoreCase)) s = s[..^2];
        else if (s.EndsWith('B') || s.EndsWith('b')) s = s[..^1];
        long unit = 1;
        if (s.Length > 0)
        {
            switch (char.ToUpperInvariant(s[^1]))
            {
                case 'K': unit = 1L << 10; break;
                case 'M': unit = 1L << 20; break;
                case 'G': unit = 1L << 30; break;
                case 'T': unit = 1L << 40; break;
            }
            if (unit != 1) s = s[..^1];
        }
        if (!double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) || !double.IsFinite(value) || value <= 0)
            return null;
        double bytes = Math.Floor(value * unit);
        return bytes is >= 1 and < long.MaxValue ? (long)bytes : null;
    }

    /// <summary>A byte count as people read it: "2 GiB", "512 MiB", "1000 bytes".</summary>
    public static string FormatSize(long bytes)
    {
        var c = CultureInfo.InvariantCulture;
        if (bytes >= 1L << 30) return $"{(bytes / (double)(1L << 30)).ToString("0.###", c)} GiB";
        if (bytes >= 1L << 20) return $"{(bytes / (double)(1L << 20)).ToString("0.###", c)} MiB";
        return $"{bytes.ToString(c)} bytes";
    }

    private sealed class Restore(Action undo) : IDisposable
    {
        private Action? _undo = undo;
        public void Dispose() => Interlocked.Exchange(ref _undo, null)?.Invoke();
    }
}

/// <summary>
/// The allocation budget of one file being read: each array charges its element count (at 8 bytes a value) before
/// it is allocated, and the file is refused once the total passes <see cref="ReadLimits.MaxBytes"/>.
/// </summary>
internal sealed class ReadBudget(string file, long maxBytes)
{
    private long _used;

    public string File { get; } = file;
    public long MaxBytes { get; } = maxBytes;
    public long Used => _used;

    /// <summary>A budget for <paramref name="file"/> under the limits in force.</summary>
    public static ReadBudget For(string file) => new(file, ReadLimits.Current.MaxBytes);

    /// <summary>Charges <paramref name="values"/> values of the array described by <paramref name="what"/>; throws when the file would pass the budget.</summary>
    public void Charge(long values, string what) => _used = Check(values, what);

    /// <summary>Throws as <see cref="Charge"/> would, without charging; returns the total the file would then hold.</summary>
    public long Check(long values, string what)
    {
        long bytes = values > long.MaxValue / 8 ? long.MaxValue : values * 8;
        long total = bytes > long.MaxValue - _used ? long.MaxValue : _used + bytes;
        if (total > MaxBytes)
            throw new InvalidDataException(
                $"{File}: {what} needs {values.ToString(CultureInfo.InvariantCulture)} values ({ReadLimits.FormatSize(bytes)} as float64){(_used > 0 ? $", {total.ToString(CultureInfo.InvariantCulture)} bytes in all with what the file held before it" : "")}, more than the read budget of {ReadLimits.FormatSize(MaxBytes)}; raise it with --max-memory (ReadLimits.MaxBytes) if the file is right.");
        return total;
    }

    /// <summary>Checks that a transient buffer of <paramref name="bytes"/> bytes (e.g. inflated data) fits in the budget, without charging it.</summary>
    public void CheckBuffer(long bytes, string what)
    {
        if (bytes > MaxBytes)
            throw new InvalidDataException(
                $"{File}: {what} needs {ReadLimits.FormatSize(bytes)}, more than the read budget of {ReadLimits.FormatSize(MaxBytes)}; raise it with --max-memory (ReadLimits.MaxBytes) if the file is right.");
    }
}
