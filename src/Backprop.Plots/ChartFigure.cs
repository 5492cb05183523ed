using ScottPlot;
using SkiaSharp;

namespace Backprop.Plots;

/// <summary>
/// One or more ScottPlot plots side by side. After the figure has been drawn (any of <see cref="Figure.ToBitmap"/>,
/// <see cref="Figure.ToPng"/>, <see cref="Figure.ToSvg"/>), <see cref="PixelOf"/> tells where a data coordinate landed.
/// </summary>
public class ChartFigure : Figure
{
    private readonly Plot[] plots;
    private readonly PixelRect[] rects;

    /// <summary>Plots laid out left to right with the given relative widths.</summary>
    public ChartFigure(IReadOnlyList<Plot> plots, int width, int height, IReadOnlyList<double>? relativeWidths = null) : base(width, height)
    {
        ArgumentNullException.ThrowIfNull(plots);
        if (plots.Count == 0) throw new ArgumentException("A chart needs at least one plot.", nameof(plots));
        var weights = relativeWidths ?? Enumerable.Repeat(1.0, plots.Count).ToArray();
        if (weights.Count != plots.Count || weights.Any(w => !(w > 0)))
            throw new ArgumentException("Give one positive relative width per plot.", nameof(relativeWidths));
        this.plots = plots.ToArray();
        rects = new PixelRect[plots.Count];
        double total = weights.Sum(), left = 0;
        for (int i = 0; i < plots.Count; i++)
        {
            double right = left + width * weights[i] / total;
            rects[i] = new PixelRect((float)Math.Round(left), (float)Math.Round(right), height, 0);
            left = right;
        }
        foreach (var plot in this.plots) Style(plot);
    }

    /// <summary>The plots, left to right.</summary>
    public IReadOnlyList<Plot> Plots => plots;

    private bool drawn;

    protected internal override void Draw(SKCanvas canvas)
    {
        for (int i = 0; i < plots.Length; i++)
        {
            canvas.Save();
            canvas.ClipRect(new SKRect(rects[i].Left, rects[i].Top, rects[i].Right, rects[i].Bottom));
            plots[i].Render(canvas, rects[i]);
            canvas.Restore();
        }
        drawn = true;
    }

    /// <summary>The figure pixel (x right, y down) where data coordinate (<paramref name="x"/>, <paramref name="y"/>) of plot <paramref name="plot"/> is drawn.</summary>
    public (float X, float Y) PixelOf(int plot, double x, double y)
    {
        if (!drawn) throw new InvalidOperationException("Draw the figure (ToBitmap, ToPng or ToSvg) before asking where things are.");
        var p = plots[plot].GetPixel(new Coordinates(x, y));
        return (p.X, p.Y);
    }

    /// <summary>The data coordinate of plot <paramref name="plot"/> drawn at figure pixel (<paramref name="px"/>, <paramref name="py"/>).</summary>
    public (double X, double Y) CoordinatesOf(int plot, float px, float py)
    {
        if (!drawn) throw new InvalidOperationException("Draw the figure (ToBitmap, ToPng or ToSvg) before asking where things are.");
        var c = plots[plot].GetCoordinates(new Pixel(px, py));
        return (c.X, c.Y);
    }

    /// <summary>The data area of plot <paramref name="plot"/> in figure pixels (after drawing).</summary>
    public SKRect DataArea(int plot)
    {
        if (!drawn) throw new InvalidOperationException("Draw the figure (ToBitmap, ToPng or ToSvg) before asking where things are.");
        var r = plots[plot].RenderManager.LastRender.DataRect;
        return new SKRect(r.Left, r.Top, r.Right, r.Bottom);
    }

    private static void Style(Plot plot)
    {
        if (Text.Available) plot.Font.Set(Text.Family);
    }
}
