namespace Backprop.Data.Formats;

/// <summary>
/// Errors for well-formed files holding an element type this library does not read (complex, object,
/// structured, strings, dates…). They are <see cref="InvalidDataException"/>s whose
/// <see cref="Exception.InnerException"/> is a <see cref="NotSupportedException"/>, so callers catching
/// damaged-file errors also catch them and containers (e.g. .npz) can list such members as skipped.
/// </summary>
public static class UnsupportedArrayType
{
    /// <summary>Creates the error; <paramref name="typeName"/> is the type as the file names it (e.g. "&lt;c16").</summary>
    public static InvalidDataException Error(string message, string typeName)
        => new(message, new NotSupportedException($"Unsupported element type '{typeName}'."));

    /// <summary>Whether <paramref name="error"/> reports an unsupported element type rather than damage.</summary>
    public static bool Is(Exception error) => error is InvalidDataException { InnerException: NotSupportedException };
}
