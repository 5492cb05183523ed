using SkiaSharp;

namespace Backprop.Plots;

/// <summary>Class colours (the Tableau / matplotlib "tab10" cycle) and their light tints for decision regions.</summary>
public static class Palette
{
    private static readonly SKColor[] tab10 =
    [
        new(0x1f, 0x77, 0xb4), new(0xff, 0x7f, 0x0e), new(0x2c, 0xa0, 0x2c), new(0xd6, 0x27, 0x28), new(0x94, 0x67, 0xbd),
        new(0x8c, 0x56, 0x4b), new(0xe3, 0x77, 0xc2), new(0x7f, 0x7f, 0x7f), new(0xbc, 0xbd, 0x22), new(0x17, 0xbe, 0xcf),
    ];

    /// <summary>The colour of class (or series) <paramref name="index"/>; the cycle repeats after ten.</summary>
    public static SKColor Color(int index) => tab10[((index % tab10.Length) + tab10.Length) % tab10.Length];

    /// <summary>A light tint of <see cref="Color"/> (mixed with <paramref name="white"/> parts white) for filled regions.</summary>
    public static SKColor Tint(int index, double white = 0.6)
    {
        var c = Color(index);
        byte Mix(byte v) => (byte)Math.Round(v + (255 - v) * white);
        return new SKColor(Mix(c.Red), Mix(c.Green), Mix(c.Blue));
    }

    internal static ScottPlot.Color ToScott(SKColor c) => new(c.Red, c.Green, c.Blue, c.Alpha);
}
