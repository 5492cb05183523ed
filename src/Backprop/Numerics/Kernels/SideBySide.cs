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

/// <summary>
/// Two pieces of work, or two halves of a sum over rows, given as static functions of one state, run side by side on
/// the worker pool (see <see cref="SideBySide"/>): the engine says what to compute, this says on which thread. Each piece
/// runs exactly the code it runs alone, so the results are the same for any thread count. Allocates nothing: the job is
/// cached per thread and state type, and a nested call runs its pieces in turn.
/// </summary>
internal static class Concurrent
{
    /// <summary>Whether a product of this many multiply-adds would run on one thread anyway.</summary>
    public static bool IsSmall(long multiplyAdds) => SideBySide.IsSmall(multiplyAdds);

    /// <summary>first(state) and second(state), side by side when a worker is free.</summary>
    public static void Both<TState>(TState state, Action<TState> first, Action<TState> second)
    {
        var job = PairJob<TState>.Take();
        if (job is null)
        {
            first(state);
            second(state);
            return;
        }
        try { job.Run(state, first, second); }
        finally { job.Release(); }
    }

    /// <summary>(first(state), second(state)), computed side by side when a worker is free.</summary>
    public static (double First, double Second) Both<TState>(TState state, Func<TState, double> first, Func<TState, double> second)
    {
        var job = PairJob<TState>.Take();
        if (job is null) return (first(state), second(state));
        try { return job.Run(state, first, second); }
        finally { job.Release(); }
    }

    /// <summary>
    /// sum(state, 0, ⌊rows/2⌋) + sum(state, ⌊rows/2⌋, rows − ⌊rows/2⌋): a fixed split whatever the thread count, so the
    /// total is the same for 1 and 2 threads; the halves run on two threads when a worker is free.
    /// </summary>
    public static double SumOfHalves<TState>(int rows, TState state, Func<TState, int, int, double> sum)
    {
        int half = rows / 2;
        var (first, second) = Both((state, rows, half, sum),
            static s => s.sum(s.state, 0, s.half),
            static s => s.sum(s.state, s.half, s.rows - s.half));
        return first + second;
    }

    private sealed class PairJob<TState> : SideBySide
    {
        [ThreadStatic] private static PairJob<TState>? cached;
        private bool busy;
        private TState state = default!;
        private Action<TState>? firstAction, secondAction;
        private Func<TState, double>? firstValue, secondValue;
        private double firstResult, secondResult;

        /// <summary>This thread's job, or null when it is already running (a nested call).</summary>
        public static PairJob<TState>? Take()
        {
            var job = cached ??= new PairJob<TState>();
            if (job.busy) return null;
            job.busy = true;
            return job;
        }

        public void Release()
        {
            state = default!;
            firstAction = secondAction = null;
            firstValue = secondValue = null;
            busy = false;
        }

        public void Run(TState s, Action<TState> first, Action<TState> second)
        {
            state = s; firstAction = first; secondAction = second;
            RunBoth();
        }

        public (double, double) Run(TState s, Func<TState, double> first, Func<TState, double> second)
        {
            state = s; firstValue = first; secondValue = second;
            RunBoth();
            return (firstResult, secondResult);
        }

        protected override void First()
        {
            if (firstAction is not null) firstAction(state);
            else firstResult = firstValue!(state);
        }

        protected override void Second()
        {
            if (secondAction is not null) secondAction(state);
            else secondResult = secondValue!(state);
        }
    }
}
