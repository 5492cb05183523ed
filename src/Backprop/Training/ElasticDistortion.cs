using System.Globalization;
using System.Numerics;
using Backprop.Numerics;

namespace Backprop.Training;

/// <summary>
/// Elastic distortion of single-channel images (Simard, Steinkraus &amp; Platt, "Best practices for convolutional
/// neural networks applied to visual document analysis", ICDAR 2003) with a small random rotation and scaling.
/// Each image, of height·width pixels stored row by row, is resampled as follows:
/// <list type="number">
/// <item>two displacement fields, rows and columns, of one uniform value in [−1, 1) per pixel;</item>
/// <item>each smoothed by a Gaussian of standard deviation σ and multiplied by α:
/// <c>α·scipy.ndimage.gaussian_filter(field, σ, mode='constant', cval=0, truncate=4.0)</c> (the field is 0 beyond the image);</item>
/// <item>an angle θ uniform in ±rotation degrees and a factor s uniform in 1 ± scale (0 turns either off);</item>
/// <item>output[p] = the image at centre + R(θ)·(p − centre)/s + displacement(p), p = (row, column), centre the middle of
/// the image, by bilinear interpolation: <c>scipy.ndimage.map_coordinates(image, points, order=1, mode='constant', cval=0)</c>.
/// In scipy's 'constant' mode a point beyond the outermost pixel centres is 0 (it is not interpolated towards 0).</item>
/// </list>
/// The random numbers are raw 32-bit outputs of the generator, as NumPy's <c>randint(0, 2**32, dtype=np.uint32)</c>
/// gives them (the dropout masks' draws): <see cref="ElasticDistortion.DrawsPerImage"/> = 2·height·width + 2 per image —
/// the row field row by row, the column field, θ, s — a draw u standing for u·2⁻³¹ − 1 in [−1, 1).
/// <para>A batch's draws are taken in row order on the calling thread; the images are then distorted on the worker
/// pool, each by the same arithmetic on any thread, so the result does not depend on the thread count. Scratch is
/// allocated once: distorting a batch allocates nothing after the first (largest) batch.</para>
/// </summary>
public sealed class ElasticDistortion<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>[height, height]: α·g(r − i), the smoothing down the columns (scaled by α).</summary>
    private readonly T[] downColumns;
    /// <summary>[width, stride]: g(j − c), the smoothing along the rows; 0 in the padding columns c ≥ width.</summary>
    private readonly T[] alongRows;
    /// <summary>Row length of the smoothed fields: the width rounded up to whole 512-bit vectors.</summary>
    private readonly int stride;
    private readonly int radius;
    private readonly Scratch[] scratch;
    private readonly BatchJob job;
    private uint[] draws = [];

    /// <param name="height">Rows of an image.</param>
    /// <param name="width">Pixels per row.</param>
    /// <param name="sigma">σ of the Gaussian that smooths the displacement fields, in pixels (0, 1000].</param>
    /// <param name="alpha">α, the displacement fields' scale in pixels (≥ 0).</param>
    /// <param name="rotation">The largest rotation, in degrees [0, 180].</param>
    /// <param name="scale">The largest relative change of size, [0, 1).</param>
    public ElasticDistortion(int height, int width, double sigma = ElasticDistortion.DefaultSigma, double alpha = ElasticDistortion.DefaultAlpha,
        double rotation = ElasticDistortion.DefaultRotation, double scale = ElasticDistortion.DefaultScale)
    {
        if (height < 1 || width < 1 || (long)height * width > int.MaxValue / 4)
            throw new ArgumentOutOfRangeException(nameof(height), $"An image needs at least 1x1 pixels (and fewer than {int.MaxValue / 4}), got {height}x{width}.");
        if (ElasticDistortion.Problem(sigma, alpha, rotation, scale) is { } problem)
            throw new ArgumentOutOfRangeException(new[] { nameof(sigma), nameof(alpha), nameof(rotation), nameof(scale) }[problem.Setting], problem.Message);
        (Height, Width, Sigma, Alpha, Rotation, Scale) = (height, width, sigma, alpha, rotation, scale);
        int lanes = BandedProduct.Lanes<T>();
        stride = (width + lanes - 1) / lanes * lanes;
        radius = (int)(4.0 * sigma + 0.5);   // scipy: truncate = 4.0
        var g = Gaussian(sigma, radius);
        T Tap(int d) => Math.Abs(d) <= radius ? T.CreateTruncating(g[Math.Abs(d)]) : T.Zero;
        downColumns = new T[height * height];
        for (int r = 0; r < height; r++)
            for (int i = 0; i < height; i++) downColumns[r * height + i] = T.CreateTruncating(alpha) * Tap(r - i);
        alongRows = new T[width * stride];
        for (int j = 0; j < width; j++)
            for (int c = 0; c < width; c++) alongRows[j * stride + c] = Tap(c - j);
        scratch = new Scratch[WorkerPool.Shared.Capacity];
        for (int i = 0; i < scratch.Length; i++) scratch[i] = new Scratch(height, width, stride);
        job = new BatchJob(this);
    }

    public int Height { get; }
    public int Width { get; }
    public double Sigma { get; }
    public double Alpha { get; }
    public double Rotation { get; }
    public double Scale { get; }
    /// <summary>Generator outputs one image takes: 2·height·width + 2.</summary>
    public int DrawsPerImage => ElasticDistortion.DrawsPerImage(Height, Width);

    /// <summary>
    /// <paramref name="output"/> = <paramref name="image"/> distorted with <paramref name="draws"/> (<see cref="DrawsPerImage"/>
    /// raw generator outputs). The two may be the same span. Not thread-safe (one scratch for all callers).
    /// </summary>
    public void Distort(ReadOnlySpan<T> image, Span<T> output, ReadOnlySpan<uint> draws)
    {
        int pixels = Height * Width;
        if (image.Length != pixels || output.Length != pixels || draws.Length != DrawsPerImage)
            throw new ArgumentException($"An image of {Height}x{Width} pixels needs {pixels} values in and out and {DrawsPerImage} draws; got {image.Length}, {output.Length} and {draws.Length}.");
        Distort(image, output, draws, scratch[0]);
    }

    /// <summary>Replaces every row of <paramref name="batch"/> [n, height·width] by its distortion, the draws taken from <paramref name="random"/> in row order.</summary>
    public void DistortRows(Matrix<T> batch, NumPyRandom random)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentNullException.ThrowIfNull(random);
        if (batch.Cols != Height * Width) throw new ArgumentException($"Images of {Height}x{Width} pixels need {Height * Width} features; the batch has {batch.Cols}.");
        int need = checked(batch.Rows * DrawsPerImage);
        if (draws.Length < need) draws = new uint[need];
        random.NextUInt32(draws.AsSpan(0, need));
        job.Distort(batch);
    }

    private void Distort(ReadOnlySpan<T> image, Span<T> output, ReadOnlySpan<uint> u, Scratch s)
    {
        int h = Height, w = Width, pixels = h * w;
        // The displacement fields: uniform values, smoothed along the rows, then down the columns and scaled by α.
        Uniform(u[..(2 * pixels)], s.Uniform);
        for (int f = 0; f < 2; f++)
        {
            BandedProduct.Multiply<T>(s.Uniform.AsSpan(f * pixels, pixels), alongRows, s.Smoothed, h, w, stride, leftBand: int.MaxValue, rightBand: radius);
            BandedProduct.Multiply<T>(downColumns, s.Smoothed, s.Displacement.AsSpan(f * h * stride, h * stride), h, h, stride, leftBand: radius, rightBand: int.MaxValue);
        }
        // The affine part: source = centre + M·(p − centre), M = R(θ)/s.
        double theta = Rotation * Math.PI / 180 * UniformOf(u[2 * pixels]);
        double factor = 1 + Scale * UniformOf(u[2 * pixels + 1]);
        T m00 = T.CreateTruncating(Math.Cos(theta) / factor), m01 = T.CreateTruncating(-Math.Sin(theta) / factor);
        T m10 = -m01, m11 = m00;
        T cy = T.CreateTruncating((h - 1) / 2.0), cx = T.CreateTruncating((w - 1) / 2.0);
        // The image with a 0 after each row and a row of zeros after it (see Bilinear.SampleRow), copied first so
        // that the output may overwrite the image.
        var padded = s.Padded;
        for (int r = 0; r < h; r++) image.Slice(r * w, w).CopyTo(padded.AsSpan(r * (w + 1), w));
        var rows = s.Displacement.AsSpan(0, h * stride);
        var columns = s.Displacement.AsSpan(h * stride, h * stride);
        for (int r = 0; r < h; r++)
        {
            // The source of row r's pixel c is (y0 + m01·c, x0 + m11·c) plus the displacement.
            T dr = T.CreateTruncating(r) - cy;
            T y0 = cy + m00 * dr - m01 * cx, x0 = cx + m10 * dr - m11 * cx;
            Bilinear.SampleRow<T>(padded, h, w + 1, y0, m01, x0, m11, rows.Slice(r * stride, w), columns.Slice(r * stride, w), output.Slice(r * w, w));
        }
    }

    /// <summary>u·2⁻³¹ − 1 for each draw u: uniform values in [−1, 1) (exact in float64, rounded once in float32).</summary>
    private static void Uniform(ReadOnlySpan<uint> draws, Span<T> values)
    {
        int i = 0;
        // u·2⁻³¹ − 1 = (u − 2³¹)·2⁻³¹, and u − 2³¹ is u with its top bit flipped, read as a signed integer.
        if (typeof(T) == typeof(float) && Vector.IsHardwareAccelerated)
        {
            var values32 = System.Runtime.InteropServices.MemoryMarshal.Cast<T, float>(values);
            var flip = new Vector<uint>(0x80000000u);
            var unit = new Vector<float>(1f / 2147483648f);
            for (; i <= draws.Length - Vector<uint>.Count; i += Vector<uint>.Count)
            {
                var signed = Vector.AsVectorInt32(new Vector<uint>(draws[i..]) ^ flip);
                (Vector.ConvertToSingle(signed) * unit).CopyTo(values32[i..]);
            }
        }
        for (; i < draws.Length; i++) values[i] = T.CreateTruncating(UniformOf(draws[i]));
    }

    private static double UniformOf(uint draw) => (int)(draw ^ 0x80000000u) / 2147483648.0;

    /// <summary>scipy's <c>_gaussian_kernel1d(σ, 0, radius)</c>: exp(−t²/2σ²) normalized to sum 1, for t = 0..radius (one side).</summary>
    private static double[] Gaussian(double sigma, int radius)
    {
        var g = new double[radius + 1];
        double sum = 0;
        for (int t = -radius; t <= radius; t++) sum += Math.Exp(-0.5 / (sigma * sigma) * ((double)t * t));
        for (int t = 0; t <= radius; t++) g[t] = Math.Exp(-0.5 / (sigma * sigma) * ((double)t * t)) / sum;
        return g;
    }

    /// <summary>One thread's working memory.</summary>
    private sealed class Scratch(int height, int width, int stride)
    {
        public readonly T[] Uniform = new T[2 * height * width];
        public readonly T[] Smoothed = new T[height * stride];
        public readonly T[] Displacement = new T[2 * height * stride];
        public readonly T[] Padded = new T[(height + 1) * (width + 1)];
    }

    /// <summary>
    /// The rows of a batch in small contiguous pieces, claimed by the threads as they come (so a thread the OS holds back
    /// on a busy machine takes fewer), each image with its own draws and a free scratch of the owner's.
    /// </summary>
    private sealed class BatchJob(ElasticDistortion<T> owner) : IParallelJob
    {
        /// <summary>Images per piece: enough to make claiming a piece cheap next to distorting it.</summary>
        private const int PieceRows = 8;
        private readonly int[] inUse = new int[owner.scratch.Length];
        private Matrix<T>? batch;

        public void Distort(Matrix<T> rows)
        {
            batch = rows;
            try
            {
                int threads = Math.Min(Parallelism.MaxThreads, WorkerPool.Shared.Capacity);
                int pieces = (rows.Rows + PieceRows - 1) / PieceRows;
                if (threads < 2 || !WorkerPool.Shared.TryRun(this, pieces, threads - 1)) Run(0, 1);
            }
            finally { batch = null; }
        }

        public void Run(int part, int parts)
        {
            var x = batch!;
            int per = owner.DrawsPerImage;
            int start = (int)((long)part * x.Rows / parts), end = (int)((long)(part + 1) * x.Rows / parts);
            // At most one piece per thread runs at a time, and there is a scratch per thread of the pool.
            int slot = 0;
            while (Interlocked.CompareExchange(ref inUse[slot], 1, 0) != 0) slot = (slot + 1) % inUse.Length;
            try
            {
                for (int i = start; i < end; i++)
                    owner.Distort(x.Row(i), x.Row(i), owner.draws.AsSpan(i * per, per), owner.scratch[slot]);
            }
            finally { Volatile.Write(ref inUse[slot], 0); }
        }
    }
}

/// <summary>The settings of <see cref="ElasticDistortion{T}"/>: defaults, checks and the command line's form.</summary>
public static class ElasticDistortion
{
    /// <summary>σ and α when only "elastic" is asked for: the middle of the range used on MNIST (σ ≈ 4–6, α ≈ 34–38).</summary>
    public const double DefaultSigma = 5, DefaultAlpha = 36;
    /// <summary>The affine jitter's defaults: rotations up to ±7.5° and sizes within ±7.5 %.</summary>
    public const double DefaultRotation = 7.5, DefaultScale = 0.075;
    /// <summary>The largest σ accepted (pixels); far beyond any image's size.</summary>
    public const double MaxSigma = 1000;

    /// <summary>Generator outputs per image: both displacement fields, the angle and the scale.</summary>
    public static int DrawsPerImage(int height, int width) => 2 * height * width + 2;

    /// <summary>The first setting out of range (0 σ, 1 α, 2 rotation, 3 scale) and why; null when all are valid.</summary>
    internal static (int Setting, string Message)? Problem(double sigma, double alpha, double rotation, double scale)
    {
        var c = CultureInfo.InvariantCulture;
        if (!(sigma > 0 && sigma <= MaxSigma)) return (0, string.Create(c, $"The elastic distortion's σ must be in (0, {MaxSigma}] pixels, got {sigma}."));
        if (!(alpha >= 0 && double.IsFinite(alpha))) return (1, string.Create(c, $"The elastic distortion's α must be a number ≥ 0 (pixels), got {alpha}."));
        if (!(rotation >= 0 && rotation <= 180)) return (2, string.Create(c, $"The elastic distortion's rotation must be in [0, 180] degrees, got {rotation}."));
        if (!(scale >= 0 && scale < 1)) return (3, string.Create(c, $"The elastic distortion's scale jitter must be in [0, 1), got {scale}."));
        return null;
    }

    /// <summary>
    /// "none", "elastic", "elastic:SIGMA,ALPHA" or "elastic:SIGMA,ALPHA,DEGREES,SCALE" → the settings (α = 0: none).
    /// Values not given are <see cref="DefaultSigma"/>, <see cref="DefaultAlpha"/>, <see cref="DefaultRotation"/> and <see cref="DefaultScale"/>.
    /// </summary>
    /// <exception cref="ArgumentException">The text is none of these, or a value is out of range.</exception>
    public static (double Sigma, double Alpha, double Rotation, double Scale) Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        const string expected = "expected none, elastic, elastic:SIGMA,ALPHA or elastic:SIGMA,ALPHA,DEGREES,SCALE (e.g. elastic:5,36,7.5,0.075)";
        var parts = text.Trim().ToLowerInvariant().Split(':', 2);
        if (parts is ["none"]) return (DefaultSigma, 0, DefaultRotation, DefaultScale);
        if (parts is ["elastic"]) return (DefaultSigma, DefaultAlpha, DefaultRotation, DefaultScale);
        if (parts[0] != "elastic") throw new ArgumentException($"Unknown augmentation '{text}': {expected}.");
        var values = parts[1].Split(',');
        var n = new double[4] { DefaultSigma, DefaultAlpha, DefaultRotation, DefaultScale };
        if (values.Length is not (2 or 4)) throw new ArgumentException($"Augmentation '{text}': {expected}.");
        for (int i = 0; i < values.Length; i++)
            if (!double.TryParse(values[i], NumberStyles.Float, CultureInfo.InvariantCulture, out n[i]))
                throw new ArgumentException($"Augmentation '{text}': '{values[i]}' is not a number; {expected}.");
        if (Problem(n[0], n[1], n[2], n[3]) is { } problem) throw new ArgumentException($"Augmentation '{text}': {char.ToLowerInvariant(problem.Message[0])}{problem.Message[1..]}");
        return (n[0], n[1], n[2], n[3]);
    }

    /// <summary>The settings as <see cref="Parse"/> reads them: "elastic:5,36,7.5,0.075".</summary>
    public static string Format(double sigma, double alpha, double rotation, double scale) =>
        string.Create(CultureInfo.InvariantCulture, $"elastic:{sigma},{alpha},{rotation},{scale}");
}
