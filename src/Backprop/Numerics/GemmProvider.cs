using System.Numerics;
using System.Runtime.InteropServices;

namespace Backprop.Numerics;

/// <summary>
/// Where <see cref="Gemm"/> computes its products: the managed SIMD kernels (<see cref="Managed"/>, the default),
/// plain loops to read and test against (<see cref="Reference"/>), or an installed OpenBLAS (<see cref="OpenBlas"/>,
/// loaded at run time; null when no library is found). Fused epilogues run in managed code after the provider's
/// product (the reference provider's in scalar loops), so every provider gives the same API.
/// </summary>
public abstract class GemmProvider
{
    private static readonly Lazy<GemmProvider?> openBlas = new(OpenBlasProvider.TryLoad);

    private protected GemmProvider() { }

    public static GemmProvider Managed { get; } = new ManagedGemmProvider();

    /// <summary>A plain triple loop and scalar epilogues, one thread (see ReferenceGemm.cs): slow, and easy to check.</summary>
    public static GemmProvider Reference { get; } = new ReferenceGemmProvider();

    /// <summary>OpenBLAS through P/Invoke (libopenblas.so.0, else a CBLAS libblas.so.3), or null when none loads.</summary>
    public static GemmProvider? OpenBlas => openBlas.Value;

    /// <summary>"managed" or "openblas".</summary>
    public abstract string Name { get; }

    /// <summary>What the provider runs on, e.g. "managed, Vector512, 2 threads" or the library path.</summary>
    public abstract string Description { get; }

    /// <summary>"managed" → <see cref="Managed"/>; "reference" → <see cref="Reference"/>; "openblas" → <see cref="OpenBlas"/> (an error when not installed).</summary>
    public static GemmProvider Parse(string name) => name.Trim().ToLowerInvariant() switch
    {
        "managed" => Managed,
        "reference" => Reference,
        "openblas" or "blas" => OpenBlas ?? throw new InvalidOperationException(
            "--provider openblas needs OpenBLAS (libopenblas.so.0, or libblas.so.3 pointing at it; Debian: apt-get install libopenblas0); none could be loaded (a reference BLAS is not used in its place)."),
        _ => throw new ArgumentException($"Unknown GEMM provider '{name}': expected managed, reference or openblas."),
    };

    /// <summary>The plain product C = alpha·op(A)·op(B) + beta·C of the job (no epilogue).</summary>
    internal abstract void Product<T>(GemmJob<T> job) where T : unmanaged, IFloatingPointIeee754<T>;

    /// <summary>The product, then the job's fused epilogue over the whole of C (on the calling thread).</summary>
    internal virtual void ProductAndEpilogue<T>(GemmJob<T> job) where T : unmanaged, IFloatingPointIeee754<T>
    {
        Product(job);
        job.ApplyEpilogue(0, job.M, 0, job.N);
    }

    public override string ToString() => Name;
}

internal sealed class ManagedGemmProvider : GemmProvider
{
    public override string Name => "managed";

    public override string Description => $"managed, Vector{ManagedGemm.VectorBits}, FMA, up to {Math.Min(Parallelism.MaxThreads, WorkerPool.Shared.Capacity)} threads";

    internal override void Product<T>(GemmJob<T> job) => ManagedGemm.Block(job, 0, job.M, 0, job.N);
}

/// <summary>CBLAS sgemm/dgemm from a native library found at run time (the core library ships none).</summary>
internal sealed unsafe class OpenBlasProvider : GemmProvider
{
    private const int RowMajor = 101, NoTrans = 111, Trans = 112;

    private readonly delegate* unmanaged<int, int, int, int, int, int, float, float*, int, float*, int, float, float*, int, void> sgemm;
    private readonly delegate* unmanaged<int, int, int, int, int, int, double, double*, int, double*, int, double, double*, int, void> dgemm;
    private readonly delegate* unmanaged<int, void> setThreads;
    private readonly string path;
    private int threads = -1;

    private OpenBlasProvider(nint handle, string path)
    {
        this.path = path;
        sgemm = (delegate* unmanaged<int, int, int, int, int, int, float, float*, int, float*, int, float, float*, int, void>)NativeLibrary.GetExport(handle, "cblas_sgemm");
        dgemm = (delegate* unmanaged<int, int, int, int, int, int, double, double*, int, double*, int, double, double*, int, void>)NativeLibrary.GetExport(handle, "cblas_dgemm");
        if (NativeLibrary.TryGetExport(handle, "openblas_set_num_threads", out var st))
            setThreads = (delegate* unmanaged<int, void>)st;
    }

    /// <summary>Library names tried in order (Debian's OpenBLAS, then whatever libblas.so.3 points at).</summary>
    internal static readonly string[] Candidates = ["libopenblas.so.0", "libopenblas.so", "libblas.so.3"];

    internal static GemmProvider? TryLoad() => TryLoad(Candidates);

    /// <summary>The first of <paramref name="candidates"/> that is OpenBLAS with CBLAS (it exports openblas_get_config:
    /// a reference BLAS behind libblas.so.3 is not taken for it).</summary>
    internal static GemmProvider? TryLoad(IEnumerable<string> candidates)
    {
        foreach (var name in candidates)
        {
            if (!NativeLibrary.TryLoad(name, out var handle)) continue;
            if (NativeLibrary.TryGetExport(handle, "cblas_sgemm", out _) && NativeLibrary.TryGetExport(handle, "cblas_dgemm", out _)
                && NativeLibrary.TryGetExport(handle, "openblas_get_config", out _))
                return new OpenBlasProvider(handle, name);
            NativeLibrary.Free(handle);
        }
        return null;
    }

    public override string Name => "openblas";

    public override string Description => $"{path} (cblas_?gemm), {(setThreads != null ? $"{Math.Min(Parallelism.MaxThreads, Environment.ProcessorCount)} threads" : "library's own threading")}";

    internal override void Product<T>(GemmJob<T> g)
    {
        int want = Math.Min(Parallelism.MaxThreads, Environment.ProcessorCount);
        if (setThreads != null && want != threads)
        {
            setThreads(want);
            threads = want;
        }
        int ta = g.TransA ? Trans : NoTrans, tb = g.TransB ? Trans : NoTrans;
        // Leading dimensions must be ≥ 1 for the reference checks even when a dimension is 0.
        int lda = Math.Max(1, g.Lda), ldb = Math.Max(1, g.Ldb), ldc = Math.Max(1, g.Ldc);
        if (typeof(T) == typeof(float))
        {
            fixed (T* a = g.A, b = g.B, c = g.C)
                sgemm(RowMajor, ta, tb, g.M, g.N, g.K, float.CreateTruncating(g.Alpha), (float*)(a + g.OffsetA), lda,
                    (float*)(b + g.OffsetB), ldb, float.CreateTruncating(g.Beta), (float*)(c + g.OffsetC), ldc);
        }
        else if (typeof(T) == typeof(double))
        {
            fixed (T* a = g.A, b = g.B, c = g.C)
                dgemm(RowMajor, ta, tb, g.M, g.N, g.K, double.CreateTruncating(g.Alpha), (double*)(a + g.OffsetA), lda,
                    (double*)(b + g.OffsetB), ldb, double.CreateTruncating(g.Beta), (double*)(c + g.OffsetC), ldc);
        }
        else throw new NotSupportedException($"OpenBLAS has no GEMM for {typeof(T).Name}.");
    }
}
