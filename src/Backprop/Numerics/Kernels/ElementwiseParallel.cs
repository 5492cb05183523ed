namespace Backprop.Numerics;

/// <summary>
/// Element-wise updates of long vectors (the optimizers' steps over every parameter) split over the worker pool:
/// one contiguous range per thread, cut at multiples of 16 elements (a 64-byte cache line of float32) so that no two
/// threads write the same line. Each element gets the same operations whichever range it falls in, so the result
/// is the same for any thread count.
/// </summary>
internal static class ElementwiseParallel
{
    /// <summary>Vectors shorter than this are updated on the calling thread (waking a worker costs more than it saves).</summary>
    public const int MinLength = 32768;

    private const int Align = 16;

    /// <summary>Runs <paramref name="job"/> over a vector of <paramref name="length"/> elements: Run(part, parts) must update
    /// the elements <see cref="Range"/> gives it.</summary>
    public static void Run(IParallelJob job, int length)
    {
        int threads = Math.Min(Parallelism.MaxThreads, WorkerPool.Shared.Capacity);
        if (threads > 1 && length >= MinLength && WorkerPool.Shared.TryRun(job, threads, threads - 1))
        {
            Interlocked.Increment(ref parallelRuns);
            return;
        }
        job.Run(0, 1);
    }

    private static long parallelRuns;

    /// <summary>How many updates have run split over the worker pool (for tests).</summary>
    internal static long ParallelRuns => Interlocked.Read(ref parallelRuns);

    /// <summary>Piece <paramref name="part"/> of <paramref name="parts"/> of [0, length): its first element and count.</summary>
    public static (int Start, int Count) Range(int part, int parts, int length)
    {
        int units = (length + Align - 1) / Align;
        int start = (int)((long)part * units / parts) * Align;
        int end = Math.Min(length, (int)((long)(part + 1) * units / parts) * Align);
        return (start, Math.Max(0, end - start));
    }
}

/// <summary>
/// An element-wise optimizer update over the parameter and gradient vectors, split by <see cref="ElementwiseParallel"/>:
/// <see cref="Update"/> gets one range of both (and its start, for the optimizer's own state vectors).
/// </summary>
internal abstract unsafe class RangeUpdate<T> : IParallelJob where T : unmanaged
{
    private T* parameters, gradient;
    private int length;

    /// <summary>Runs <see cref="Update"/> over the whole vectors, on both cores when they are long.</summary>
    public void Apply(Span<T> p, ReadOnlySpan<T> g)
    {
        fixed (T* pp = p, pg = g)
        {
            parameters = pp; gradient = pg; length = p.Length;
            try { ElementwiseParallel.Run(this, p.Length); }
            finally { parameters = gradient = null; }
        }
    }

    public void Run(int part, int parts)
    {
        var (start, count) = ElementwiseParallel.Range(part, parts, length);
        Update(new Span<T>(parameters + start, count), new ReadOnlySpan<T>(gradient + start, count), start);
    }

    /// <summary>The update of parameters[start ..] from gradient[start ..] (both spans are that range).</summary>
    protected abstract void Update(Span<T> parameters, ReadOnlySpan<T> gradient, int start);
}
