using SkiaSharp;

namespace Backprop.Plots;

/// <summary>
/// The typeface for titles and captions. A machine without fonts still renders every figure: text is then
/// simply not drawn (Skia's empty typeface has no glyphs), the pictures themselves are unaffected.
/// </summary>
public static class Text
{
    private static readonly Lazy<SKTypeface> typeface = new(Resolve);

    /// <summary>Preferred families, in order; the first one installed is used.</summary>
    public static IReadOnlyList<string> PreferredFamilies { get; } = ["DejaVu Sans", "Liberation Sans", "Open Sans", "Noto Sans", "Arial", "Helvetica"];

    /// <summary>The typeface used for text.</summary>
    public static SKTypeface Typeface => typeface.Value;

    /// <summary>True when a font with glyphs was found, i.e. titles and labels will be visible.</summary>
    public static bool Available => Typeface.GlyphCount > 0;

    /// <summary>The family name of <see cref="Typeface"/> ("" when there is none).</summary>
    public static string Family => Typeface.FamilyName ?? "";

    private static SKTypeface Resolve()
    {
        var manager = SKFontManager.Default;
        foreach (var family in PreferredFamilies)
        {
            var face = manager.MatchFamily(family);
            if (face is { GlyphCount: > 0 } && string.Equals(face.FamilyName, family, StringComparison.OrdinalIgnoreCase)) return face;
        }
        return SKTypeface.Default;
    }

    /// <summary>Draws <paramref name="text"/> centred horizontally on <paramref name="centerX"/> with its baseline at <paramref name="baseline"/>.</summary>
    internal static void DrawCentered(SKCanvas canvas, string text, float centerX, float baseline, float size, SKColor color)
    {
        if (string.IsNullOrEmpty(text) || !Available) return;
        using var font = new SKFont(Typeface, size) { Edging = SKFontEdging.Antialias };
        using var paint = new SKPaint { Color = color, IsAntialias = true };
        canvas.DrawText(text, centerX, baseline, SKTextAlign.Center, font, paint);
    }
}
