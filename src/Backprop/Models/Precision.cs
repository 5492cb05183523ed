namespace Backprop.Models;

/// <summary>Element type of a model's arithmetic.</summary>
public enum Precision { Float32, Float64 }

/// <summary>Names and parsing of a <see cref="Precision"/>.</summary>
public static class Precisions
{
    /// <summary>"float32" or "float64", as model files and the command line write it.</summary>
    public static string Name(Precision precision) => precision switch
    {
        Precision.Float32 => "float32",
        Precision.Float64 => "float64",
        _ => throw new ArgumentOutOfRangeException(nameof(precision), precision, "Unknown precision."),
    };

    /// <summary>"float32" (or "single") and "float64" (or "double"), case and surrounding spaces ignored.</summary>
    /// <exception cref="ArgumentException">Neither; the message says what is expected.</exception>
    public static Precision Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return text.Trim().ToLowerInvariant() switch
        {
            "float32" or "single" => Precision.Float32,
            "float64" or "double" => Precision.Float64,
            _ => throw new ArgumentException($"Unknown precision '{text}': expected float32 or float64."),
        };
    }
}
