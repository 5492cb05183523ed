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
/// for the next job and then sleeping. The calling thread works on every job too, so at most
/// <see cref="Environment.ProcessorCount"/> threads compute and nothing is oversubscribed. Pieces are claimed
/// dynamically (a compare-and-swap on one generation-stamped counter), so a worker that the OS has not scheduled
/// on a busy machine never holds the caller up: the caller just runs more pieces itself, and a worker that
/// arrives late finds the job's generation gone and goes back to waiting. Posting a job allocates nothing.
/// One job at a time: a caller that finds the pool busy runs its job on its own thread instead.
/// </summary>
internal sealed class WorkerPool
{
    public static readonly WorkerPool Shared = new(Environment.ProcessorCount - 1);

    /// <summary>How long an idle worker spins for the next job before it sleeps (training steps come every ~0.1 ms).</summary>
    private static readonly long SpinTicks = Stopwatch.Frequency / 5000; // 200 µs

    private readonly Worker[] workers;
    private int busy;
    private IParallelJob? current;
    private int total;
    private int done;
    /// <summary>(generation &lt;&lt; 32) | index of the next unclaimed piece.</summary>
    private long state;
    private Exception? error;

    private WorkerPool(int extraThreads)
    {
        workers = new Worker[Math.Max(0, extraThreads)];
        for (int i = 0; i < workers.Length; i++) workers[i] = new Worker(this, i);
    }

    /// <summary>Threads a job can run on: the caller plus the workers.</summary>
    public int Capacity => workers.Length + 1;

    /// <summary>
    /// Runs job.Run(p, parts) once for every p in [0, parts), on the calling thread and up to
    /// <paramref name="helpers"/> workers, and returns when all pieces are done.
    /// False (nothing run) when parts &lt;= 1 or the pool is busy.
    /// </summary>
    public bool TryRun(IParallelJob job, int parts, int helpers)
    {
        if (parts <= 1 || Interlocked.CompareExchange(ref busy, 1, 0) != 0) return false;
        try
        {
            current = job;
            total = parts;
            error = null;
            Volatile.Write(ref done, 0);
            int generation = (int)(Volatile.Read(ref state) >> 32) + 1;
            Volatile.Write(ref state, (long)generation << 32);
            int posted = Math.Min(Math.Min(helpers, workers.Length), parts - 1);
            for (int w = 0; w < posted; w++) workers[w].Post(generation);
            Work(generation);
            var spin = new SpinWait();
            while (Volatile.Read(ref done) < parts) spin.SpinOnce(sleep1Threshold: -1);
            current = null;
            if (error is { } e)
            {
                error = null;
                ExceptionDispatchInfo.Throw(e);
            }
            return true;
        }
        finally
        {
            Volatile.Write(ref busy, 0);
        }
    }

    /// <summary>Claims and runs pieces of job <paramref name="generation"/> until none is left (or the job is gone).</summary>
    private void Work(int generation)
    {
        while (true)
        {
            long s = Volatile.Read(ref state);
            var job = current;
            int parts = total;
            int index = (int)(s & 0xFFFFFFFF);
            if ((int)(s >> 32) != generation || job is null || index >= parts) return;
            // The claim succeeds only if the counter is unchanged, i.e. this generation's piece `index` was still
            // unclaimed, so the job cannot have finished and `job`/`parts` (read after `s`) are this generation's.
            if (Interlocked.CompareExchange(ref state, s + 1, s) != s) continue;
            try { job.Run(index, parts); }
            catch (Exception e) { Interlocked.CompareExchange(ref error, e, null); }
            finally { Interlocked.Increment(ref done); }
        }
    }

    private sealed class Worker
    {
        private readonly WorkerPool pool;
        private readonly ManualResetEventSlim wake = new(false, spinCount: 1);
        private int posted;   // the generation last posted to this worker
        private int sleeping; // 1 while the worker is (about to be) blocked on `wake`

        public Worker(WorkerPool pool, int index)
        {
            this.pool = pool;
            var thread = new Thread(Loop) { IsBackground = true, Name = $"Backprop kernel worker {index + 1}" };
            thread.Start();
        }

        public void Post(int generation)
        {
            Volatile.Write(ref posted, generation);
            Interlocked.MemoryBarrier();
            if (Volatile.Read(ref sleeping) == 1) wake.Set();
        }

        private void Loop()
        {
            int seen = 0;
            while (true)
            {
                long deadline = Stopwatch.GetTimestamp() + SpinTicks;
                int spins = 0;
                // SpinWait backs off and then yields the core (Thread.Yield / Sleep(0)), so a waiting worker gives
                // way to other runnable threads on a busy machine and still wakes within microseconds on an idle one.
                var spinner = new SpinWait();
                while (Volatile.Read(ref posted) == seen)
                {
                    if ((++spins & 15) == 0 && Stopwatch.GetTimestamp() > deadline)
                    {
                        Interlocked.Exchange(ref sleeping, 1);
                        if (Volatile.Read(ref posted) == seen) wake.Wait();
                        wake.Reset();
                        Interlocked.Exchange(ref sleeping, 0);
                        deadline = Stopwatch.GetTimestamp() + SpinTicks;
                        spinner.Reset();
                    }
                    else spinner.SpinOnce(sleep1Threshold: -1);
                }
                seen = Volatile.Read(ref posted);
                pool.Work(seen);
            }
        }
    }
}
