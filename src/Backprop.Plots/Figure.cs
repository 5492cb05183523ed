using SkiaSharp;

namespace Backprop.Plots;

/// <summary>
/// A finished picture of a fixed size in pixels that can be written as PNG or SVG. Each kind draws itself
/// onto a Skia canvas; PNG rasterizes that canvas, SVG records it (raster parts are embedded as PNG).
/// </summary>
public abstract class Figure
{
    protected Figure(int width, int height)
    {
        if (width < 1 || height < 1) throw new ArgumentException($"A figure needs a positive size, got {width}x{height}.");
        Width = width;
        Height = height;
    }

    /// <summary>Size in pixels.</summary>
    public int Width { get; }
    public int Height { get; }

    /// <summary>Draws the whole figure onto <paramref name="canvas"/>, whose origin is the figure's top-left pixel.</summary>
    protected internal abstract void Draw(SKCanvas canvas);

    /// <summary>The figure rasterized (premultiplied RGBA 8888); dispose it when done.</summary>
    public SKBitmap ToBitmap()
    {
        var info = new SKImageInfo(Width, Height, SKColorType.Rgba8888, SKAlphaType.Premul);
        var bitmap = new SKBitmap(info);
        using (var canvas = new SKCanvas(bitmap))
        {
            canvas.Clear(SKColors.White);
            Draw(canvas);
            canvas.Flush();
        }
        return bitmap;
    }

    /// <summary>PNG bytes of the figure.</summary>
    /// <remarks>A figure whose every pixel is an opaque gray (digit grids, hidden units) is written as an 8-bit grayscale PNG, a third of the size.</remarks>
    public byte[] ToPng()
    {
        using var bitmap = ToBitmap();
        using var gray = AsGray(bitmap);
        using var data = (gray ?? bitmap).Encode(SKEncodedImageFormat.Png, 100)
            ?? throw new InvalidOperationException("SkiaSharp could not encode the figure as PNG.");
        return data.ToArray();
    }

    /// <summary>The bitmap as Gray8 when all its pixels are opaque grays, else null.</summary>
    private static SKBitmap? AsGray(SKBitmap rgba)
    {
        var pixels = rgba.GetPixelSpan();
        for (int i = 0; i < pixels.Length; i += 4)
            if (pixels[i] != pixels[i + 1] || pixels[i] != pixels[i + 2] || pixels[i + 3] != 255) return null;
        var gray = new SKBitmap(new SKImageInfo(rgba.Width, rgba.Height, SKColorType.Gray8, SKAlphaType.Opaque));
        var dst = gray.GetPixelSpan();
        int stride = gray.RowBytes;
        for (int y = 0; y < rgba.Height; y++)
            for (int x = 0; x < rgba.Width; x++)
                dst[y * stride + x] = pixels[(y * rgba.Width + x) * 4];
        gray.NotifyPixelsChanged();
        return gray;
    }

    /// <summary>The figure as an SVG document (raster parts embedded as PNG data URIs).</summary>
    public string ToSvg()
    {
        using var stream = new MemoryStream();
        using (var skStream = new SKManagedWStream(stream))
        using (var canvas = SKSvgCanvas.Create(SKRect.Create(Width, Height), skStream))
        {
            using (var paint = new SKPaint { Color = SKColors.White })
                canvas.DrawRect(SKRect.Create(Width, Height), paint);
            Draw(canvas);
        }
        // Embedded rasters (heat maps, tiles) keep their pixels sharp when a viewer scales them.
        return System.Text.Encoding.UTF8.GetString(stream.ToArray()).Replace("<image ", "<image style=\"image-rendering:pixelated\" ", StringComparison.Ordinal);
    }

    /// <summary>Writes the figure atomically as PNG or SVG, chosen by the extension of <paramref name="path"/>.</summary>
    /// <exception cref="ArgumentException">The extension is neither .png nor .svg.</exception>
    public void Save(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var format = FormatOf(path);
        if (format == ImageFormat.Png)
        {
            var png = ToPng();
            AtomicFile.Write(path, s => s.Write(png));
        }
        else
        {
            AtomicFile.WriteAllText(path, ToSvg());
        }
    }

    /// <summary>The output format an output path asks for (by its extension).</summary>
    public static ImageFormat FormatOf(string path) => Path.GetExtension(path).ToLowerInvariant() switch
    {
        ".png" => ImageFormat.Png,
        ".svg" => ImageFormat.Svg,
        var e => throw new ArgumentException($"{path}: cannot write a figure as '{(e.Length == 0 ? "(no extension)" : e)}'; use .png or .svg."),
    };
}

/// <summary>File formats a <see cref="Figure"/> can be saved in.</summary>
public enum ImageFormat { Png, Svg }
