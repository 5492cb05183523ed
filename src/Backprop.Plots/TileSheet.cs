using SkiaSharp;

namespace Backprop.Plots;

/// <summary>One image of a <see cref="TileSheet"/>: gray levels 0..1 in display order (row by row), an optional caption, and what it shows.</summary>
/// <param name="Source">The sample index or hidden unit the tile shows (−1 when it is neither).</param>
public sealed record Tile(IReadOnlyList<double> Gray, string? Caption = null, int Source = -1);

/// <summary>A titled grid of tiles, filled row by row.</summary>
public sealed record TilePanel(string? Title, int Columns, IReadOnlyList<Tile> Tiles)
{
    public int Rows => Columns == 0 ? 0 : (Tiles.Count + Columns - 1) / Columns;
}

/// <summary>
/// Panels of gray images side by side, drawn pixel-exactly: image pixel (r, c) of a tile fills a
/// <see cref="Scale"/>×<see cref="Scale"/> block of the figure whose 8-bit level is <see cref="ImageTiles.Level"/> of its gray value.
/// Digit grids, single images, hidden units and galleries of misclassified samples are tile sheets.
/// </summary>
public sealed class TileSheet : Figure
{
    public const int Margin = 8;
    public const int Gap = 2;
    public const int PanelGap = 24;
    public const float TitleSize = 15;
    public const float CaptionSize = 12;

    private TileSheet(IReadOnlyList<TilePanel> panels, int imageHeight, int imageWidth, int scale, Layout layout)
        : base(layout.Width, layout.Height)
    {
        Panels = panels;
        ImageHeight = imageHeight;
        ImageWidth = imageWidth;
        Scale = scale;
        this.layout = layout;
    }

    private readonly Layout layout;

    public IReadOnlyList<TilePanel> Panels { get; }
    /// <summary>Image size of every tile, in image pixels.</summary>
    public int ImageHeight { get; }
    public int ImageWidth { get; }
    /// <summary>Figure pixels per image pixel along each axis.</summary>
    public int Scale { get; }

    /// <summary>Lays the panels out left to right.</summary>
    public static TileSheet Create(IReadOnlyList<TilePanel> panels, int imageHeight, int imageWidth, int scale)
    {
        ArgumentNullException.ThrowIfNull(panels);
        if (panels.Count == 0) throw new ArgumentException("A tile sheet needs at least one panel.", nameof(panels));
        if (imageHeight < 1 || imageWidth < 1) throw new ArgumentException($"Invalid image size {imageHeight}x{imageWidth}.");
        if (scale < 1) throw new ArgumentOutOfRangeException(nameof(scale), $"The scale must be at least 1, got {scale}.");
        foreach (var p in panels)
        {
            if (p.Tiles.Count == 0) throw new ArgumentException($"Panel '{p.Title}' has no tiles.", nameof(panels));
            if (p.Columns < 1) throw new ArgumentException($"Panel '{p.Title}': columns must be at least 1, got {p.Columns}.", nameof(panels));
            foreach (var t in p.Tiles)
                if (t.Gray.Count != imageHeight * imageWidth)
                    throw new ArgumentException($"Panel '{p.Title}': a tile has {t.Gray.Count} values; {imageHeight}x{imageWidth} images need {imageHeight * imageWidth}.", nameof(panels));
        }
        if ((long)imageHeight * scale > MaxSide || (long)imageWidth * scale > MaxSide)   // before the int layout arithmetic can overflow
            throw new ArgumentException(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"One {imageHeight}x{imageWidth} image at scale {scale} would exceed {MaxSide} pixels a side: choose a smaller scale."), nameof(scale));
        var layout = Layout.Of(panels, imageHeight * scale, imageWidth * scale);
        if (layout.Width > MaxSide || layout.Height > MaxSide || (long)layout.Width * layout.Height > MaxPixels)
            throw new ArgumentException(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"The figure would be {layout.Width}x{layout.Height} pixels ({panels.Sum(p => p.Tiles.Count)} tiles of {imageHeight}x{imageWidth} at scale {scale}); " +
                $"the limit is {MaxSide} a side and {MaxPixels / 1_000_000} million pixels: draw fewer samples or a smaller scale."), nameof(panels));
        return new TileSheet(panels, imageHeight, imageWidth, scale, layout);
    }

    /// <summary>The largest side of a tile sheet, in pixels (the bitmap is allocated whole).</summary>
    public const int MaxSide = 16384;
    /// <summary>The most pixels of a tile sheet (4 bytes each): e.g. a 100x100 grid of MNIST digits at scale 2 is 34 million.</summary>
    public const long MaxPixels = 40_000_000;

    /// <summary>The figure pixels showing tile <paramref name="index"/> of panel <paramref name="panel"/> (its image area only).</summary>
    public SKRectI TileRect(int panel, int index)
    {
        var p = Panels[panel];
        if ((uint)index >= (uint)p.Tiles.Count) throw new ArgumentOutOfRangeException(nameof(index), $"Panel {panel} has {p.Tiles.Count} tiles.");
        int row = index / p.Columns, col = index % p.Columns;
        int left = layout.PanelLeft[panel] + col * (layout.TileWidth + Gap);
        int top = layout.GridTop + row * (layout.CellHeight + Gap) + layout.CaptionHeight;
        return SKRectI.Create(left, top, layout.TileWidth, layout.TileHeight);
    }

    /// <summary>The tile at row <paramref name="row"/>, column <paramref name="column"/> of a panel.</summary>
    public SKRectI TileRect(int panel, int row, int column) => TileRect(panel, row * Panels[panel].Columns + column);

    protected internal override void Draw(SKCanvas canvas)
    {
        using (var raster = new SKBitmap(new SKImageInfo(Width, Height, SKColorType.Rgba8888, SKAlphaType.Premul)))
        {
            raster.Erase(SKColors.Transparent);
            var pixels = raster.GetPixelSpan();
            for (int p = 0; p < Panels.Count; p++)
                for (int i = 0; i < Panels[p].Tiles.Count; i++)
                {
                    var rect = TileRect(p, i);
                    var gray = Panels[p].Tiles[i].Gray;
                    for (int y = 0; y < rect.Height; y++)
                    {
                        int row = (rect.Top + y) * Width * 4;
                        int r = y / Scale;
                        for (int x = 0; x < rect.Width; x++)
                        {
                            byte level = ImageTiles.Level(gray[r * ImageWidth + x / Scale]);
                            int o = row + (rect.Left + x) * 4;
                            pixels[o] = level; pixels[o + 1] = level; pixels[o + 2] = level; pixels[o + 3] = 255;
                        }
                    }
                }
            raster.NotifyPixelsChanged();
            canvas.DrawBitmap(raster, 0, 0);
        }
        for (int p = 0; p < Panels.Count; p++)
        {
            var panel = Panels[p];
            if (!string.IsNullOrEmpty(panel.Title))
                Text.DrawCentered(canvas, panel.Title, layout.PanelLeft[p] + layout.PanelWidth[p] / 2f, Margin + TitleSize, TitleSize, SKColors.Black);
            for (int i = 0; i < panel.Tiles.Count; i++)
                if (panel.Tiles[i].Caption is { Length: > 0 } caption)
                {
                    var rect = TileRect(p, i);
                    Text.DrawCentered(canvas, caption, rect.MidX, rect.Top - 4, CaptionSize, SKColors.Black);
                }
        }
    }

    private sealed record Layout(int Width, int Height, int[] PanelLeft, int[] PanelWidth, int GridTop, int CaptionHeight, int TileWidth, int TileHeight)
    {
        public int CellHeight => CaptionHeight + TileHeight;

        public static Layout Of(IReadOnlyList<TilePanel> panels, int tileHeight, int tileWidth)
        {
            bool titles = panels.Any(p => !string.IsNullOrEmpty(p.Title));
            bool captions = panels.Any(p => p.Tiles.Any(t => !string.IsNullOrEmpty(t.Caption)));
            int titleHeight = titles ? (int)TitleSize + 10 : 0;
            int captionHeight = captions ? (int)CaptionSize + 6 : 0;
            var left = new int[panels.Count];
            var width = new int[panels.Count];
            int x = Margin, gridHeight = 0;
            for (int p = 0; p < panels.Count; p++)
            {
                int cols = Math.Min(panels[p].Columns, panels[p].Tiles.Count);
                width[p] = cols * tileWidth + (cols - 1) * Gap;
                left[p] = x;
                x += width[p] + PanelGap;
                int rows = panels[p].Rows;
                gridHeight = Math.Max(gridHeight, rows * (captionHeight + tileHeight) + (rows - 1) * Gap);
            }
            int figureWidth = x - PanelGap + Margin;
            int gridTop = Margin + titleHeight;
            return new Layout(figureWidth, gridTop + gridHeight + Margin, left, width, gridTop, captionHeight, tileWidth, tileHeight);
        }
    }
}
