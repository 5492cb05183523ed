using System.Diagnostics;
using System.Runtime.ExceptionServices;

namespace Backprop.Numerics;

/// <summary>Work split into <c>parts</c> independent pieces; piece <c>part</c> runs on one thread.</summary>
internal interface IParallelJob
{
    void Run(int part, int parts);
}

/// <summary>
/// A small persistent pool for the numeric kernels: one worker thread per extra core, each spinning briefly
/// for the next job and then sleeping. The calling thread runs part 0 itself, so at most
/// <see cref="Environment.ProcessorCount"/> threads compute and nothing is oversubscribed. Posting a job
/// allocates nothing (the job object is reused by its owner). One job at a time: a caller that finds the pool
/// busy (another thread's kernel, or a kernel nested in a job) runs its job on its own thread instead.
/// </summary>
internal sealed class WorkerPool
{
    public static readonly WorkerPool Shared = new(Environment.ProcessorCount - 1);

    /// <summary>How long an idle worker spins for the next job before it sleeps (training steps come every ~0.1 ms).</summary>
    private static readonly long SpinTicks = Stopwatch.Frequency / 5000; // 200 µs

    private readonly Worker[] workers;
    private int busy;
    private int pending;

    private WorkerPool(int extraThreads)
    {
        workers = new Worker[Math.Max(0, extraThreads)];
        for (int i = 0; i < workers.Length; i++) workers[i] = new Worker(this, i);
    }

    /// <summary>Threads a job can run on: the caller plus the workers.</summary>
    public int Capacity => workers.Length + 1;

    /// <summary>
    /// Runs job.Run(p, parts) for p in [0, parts), part 0 on the calling thread, and returns when all are done.
    /// False (nothing run) when parts &lt;= 1, parts exceeds <see cref="Capacity"/>, or the pool is busy.
    /// </summary>
    public bool TryRun(IParallelJob job, int parts)
    {
        if (parts <= 1 || parts > Capacity || Interlocked.CompareExchange(ref busy, 1, 0) != 0) return false;
        try
        {
            Volatile.Write(ref pending, parts - 1);
            for (int w = 0; w < parts - 1; w++) workers[w].Post(job, w + 1, parts);
            Exception? own = null;
            try { job.Run(0, parts); }
            catch (Exception e) { own = e; }
            var spin = new SpinWait();
            while (Volatile.Read(ref pending) != 0) spin.SpinOnce(sleep1Threshold: -1);
            if (own is not null) ExceptionDispatchInfo.Throw(own);
            for (int w = 0; w < parts - 1; w++)
                if (workers[w].TakeError() is { } error) ExceptionDispatchInfo.Throw(error);
            return true;
        }
        finally
        {
            Volatile.Write(ref busy, 0);
        }
    }

    private sealed class Worker
    {
        private readonly WorkerPool pool;
        private readonly ManualResetEventSlim wake = new(false, spinCount: 1);
        private IParallelJob? job;
        private int part, parts;
        private int posted;   // 1 while a job waits for this worker
        private int sleeping; // 1 while the worker is (about to be) blocked on `wake`
        private Exception? error;

        public Worker(WorkerPool pool, int index)
        {
            this.pool = pool;
            var thread = new Thread(Loop) { IsBackground = true, Name = $"Backprop kernel worker {index + 1}" };
            thread.Start();
        }

        public void Post(IParallelJob j, int p, int n)
        {
            job = j;
            part = p;
            parts = n;
            Volatile.Write(ref posted, 1);
            Interlocked.MemoryBarrier();
            if (Volatile.Read(ref sleeping) == 1) wake.Set();
        }

        public Exception? TakeError()
        {
            var e = error;
            error = null;
            return e;
        }

        private void Loop()
        {
            while (true)
            {
                long deadline = Stopwatch.GetTimestamp() + SpinTicks;
                int spins = 0;
                while (Volatile.Read(ref posted) == 0)
                {
                    if ((++spins & 63) == 0 && Stopwatch.GetTimestamp() > deadline)
                    {
                        Interlocked.Exchange(ref sleeping, 1);
                        if (Volatile.Read(ref posted) == 0) wake.Wait();
                        wake.Reset();
                        Interlocked.Exchange(ref sleeping, 0);
                        deadline = Stopwatch.GetTimestamp() + SpinTicks;
                    }
                    else Thread.SpinWait(8);
                }
                var j = job!;
                try { j.Run(part, parts); }
                catch (Exception e) { error = e; }
                job = null;
                Volatile.Write(ref posted, 0);
                Interlocked.Decrement(ref pool.pending);
            }
        }
    }
}
