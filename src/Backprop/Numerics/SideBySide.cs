namespace Backprop.Numerics;

/// <summary>
/// Two independent pieces of work that are each too small to split (a training step's output layer, or a small layer's
/// dW and dX) run side by side: <see cref="First"/> on the calling thread and <see cref="Second"/> on the pool's
/// worker, so the second core is not idle while the first computes alone. Each piece runs exactly the code it runs
/// alone (its products find the pool busy and stay on their thread), so the results are the same for any thread
/// count. Subclasses are cached per owner, so posting allocates nothing.
/// </summary>
internal abstract class SideBySide : IParallelJob
{
    protected abstract void First();
    protected abstract void Second();

    public void Run(int part, int parts)
    {
        if (part == 0) First();
        else Second();
    }

    /// <summary>Runs both pieces (on two threads when a worker is free) and returns when both are done.</summary>
    public void RunBoth()
    {
        int threads = Math.Min(Parallelism.MaxThreads, WorkerPool.Shared.Capacity);
        if (threads > 1 && WorkerPool.Shared.TryRun(this, 2, 1))
        {
            Interlocked.Increment(ref parallelRuns);
            return;
        }
        First();
        Second();
    }

    private static long parallelRuns;

    /// <summary>How many pairs have run on two threads (for tests).</summary>
    internal static long ParallelRuns => Interlocked.Read(ref parallelRuns);

    /// <summary>Whether a product of this many multiply-adds would run on one thread anyway (see <see cref="GemmJob{T}.ParallelThreshold"/>).</summary>
    public static bool IsSmall(long multiplyAdds) => multiplyAdds < GemmJob<float>.ParallelThreshold;
}
