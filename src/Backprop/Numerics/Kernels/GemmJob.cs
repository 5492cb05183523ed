using System.Numerics;
using System.Runtime.InteropServices;

namespace Backprop.Numerics;

internal enum EpilogueKind { None, BiasActivation, Derivative, AddScaled }

/// <summary>The element-wise tails fused after a product, applied to one row segment of C.</summary>
internal static class Epilogues
{
    /// <summary>z += bias; a = f(z) (a may be z). Softmax needs whole rows.</summary>
    public static void BiasActivation<T>(Span<T> z, ReadOnlySpan<T> bias, Nonlinearity activation, Span<T> a) where T : unmanaged, IFloatingPointIeee754<T>
    {
        NumericKernels.AddInPlace(z, bias);
        if (activation == Nonlinearity.Identity && Overlaps(z, a)) return;
        if (!Overlaps(z, a)) z.CopyTo(a);
        Elementwise.ApplyAnyLength(activation, a);
    }

    private static bool Overlaps<T>(Span<T> x, Span<T> y) => x.Overlaps(y);
}

/// <summary>
/// One product with its arguments, reused by its thread (so a call allocates nothing), and split over the
/// worker pool into contiguous blocks of rows or columns of C aligned to the kernels' tiles.
/// </summary>
internal sealed class GemmJob<T> : IParallelJob where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>
    /// The outer-product kernel splits a product with at least this many times more rows than columns by rows
    /// (each piece then packs all of B, which is small), otherwise by columns (each piece packs only its columns
    /// of B but reads all of A: a tall A — 10000 samples through a 100-unit layer — would be streamed once per piece).
    /// </summary>
    internal const int TallRatio = 4;

    /// <summary>Products below this many multiply-adds run on the calling thread.</summary>
    internal const long ParallelThreshold = 1L << 17;

    /// <summary>
    /// Pieces per thread: the outer-product kernel splits a large product into about four per thread, so that a
    /// descheduled thread's share is picked up by the others, and a small one (below <see cref="LargeProduct"/>
    /// multiply-adds: a training step's dW = dZᵀ·X) into two, where the claims and the uneven last pieces cost more
    /// (a W2 epoch ran ~1.5 ms faster); the dot kernel into one per thread, because every piece streams all of B
    /// through the cache again (100 rows of a forward batch in 8 pieces ran 15-25 % slower than in 2).
    /// </summary>
    internal const int PiecesPerThread = 4, SmallPiecesPerThread = 2, DotPiecesPerThread = 1;
    internal const long LargeProduct = 1L << 24;

    [ThreadStatic] private static GemmJob<T>? cached;
    private static long parallelRuns;

    /// <summary>How many products have run split over the worker pool (for tests).</summary>
    internal static long ParallelRuns => Interlocked.Read(ref parallelRuns);

    public bool TransA, TransB;
    public int M, N, K;
    public T Alpha, Beta;
    public T[] A = [], B = [], C = [];
    public int OffsetA, Lda, OffsetB, Ldb, OffsetC, Ldc;
    public EpilogueKind Epilogue;
    public Nonlinearity Function;
    public T[]? Bias;
    public int BiasOffset;
    /// <summary>BiasActivation: where f(Z) goes; Derivative: the activations f′ is written through; AddScaled: the D of C += Scale·D.</summary>
    public T[]? Aux;
    public T Scale;
    public int AuxOffset, LdAux;
    /// <summary>When set (A not transposed): row i of A is row <c>IndexA[IndexAStart + i]</c> of the stored A.</summary>
    public int[]? IndexA;
    public int IndexAStart;
    /// <summary>When set (B not transposed): row p of B is row <c>IndexB[IndexBStart + p]</c> of the stored B.</summary>
    public int[]? IndexB;
    public int IndexBStart;
    /// <summary>All of op(B), packed once for the row pieces of a tall product (see ManagedGemm.PackSharedB), or null.</summary>
    public T[]? SharedPackedB;
    public int SharedPackedOffset;
    /// <summary>This job's (this thread's) pinned buffer for <see cref="SharedPackedB"/>, kept between calls.</summary>
    public T[]? SharedBuffer;
    private bool splitRows, shareMiddle;
    private int units, pieces, align;

    public static GemmJob<T> ForThisThread() => cached ??= new GemmJob<T>();

    public void Set(bool ta, bool tb, Matrix<T> a, Matrix<T> b, Matrix<T> c, T alpha, T beta, int k) =>
        Set(ta, tb, c.Rows, c.Cols, k, alpha, beta, a.Array, a.Offset, a.Cols, b.Array, b.Offset, b.Cols, c.Array, c.Offset, c.Cols);

    public void Set(bool ta, bool tb, int m, int n, int k, T alpha, T beta, T[] a, int offA, int lda, T[] b, int offB, int ldb, T[] c, int offC, int ldc)
    {
        TransA = ta; TransB = tb; M = m; N = n; K = k; Alpha = alpha; Beta = beta;
        A = a; OffsetA = offA; Lda = lda; B = b; OffsetB = offB; Ldb = ldb; C = c; OffsetC = offC; Ldc = ldc;
        Epilogue = EpilogueKind.None; Bias = null; Aux = null; IndexA = IndexB = null;
    }

    /// <summary>The epilogue's second matrix (see <see cref="Aux"/>).</summary>
    public void SetAux(Matrix<T> m) { Aux = m.Array; AuxOffset = m.Offset; LdAux = m.Cols; }

    /// <summary>Reads A's rows through <paramref name="index"/>[start ..] (A not transposed).</summary>
    public void SelectRowsOfA(int[] index, int start) { IndexA = index; IndexAStart = start; }

    /// <summary>Reads B's rows through <paramref name="index"/>[start ..] (B not transposed).</summary>
    public void SelectRowsOfB(int[] index, int start) { IndexB = index; IndexBStart = start; }

    /// <summary>
    /// The managed kernels read selected rows of A in the A·Bᵀ dot kernel and of B in the outer-product kernel (which
    /// packs B). Anything else — another provider, or a product those kernels do not compute — gets the selected rows
    /// copied into a per-thread buffer first, so the arithmetic is the same either way.
    /// </summary>
    private void GatherUnsupportedSelections()
    {
        bool managed = Gemm.Provider is ManagedGemmProvider;
        if (IndexA is not null && (TransA || !managed || !ManagedGemm.UsesDotKernel(this)))
        {
            A = Gathered(ref gatherA, A, OffsetA, Lda, IndexA, IndexAStart, M, K);
            OffsetA = 0; Lda = K; IndexA = null;
        }
        if (IndexB is not null && (TransB || !managed || ManagedGemm.UsesDotKernel(this)))
        {
            B = Gathered(ref gatherB, B, OffsetB, Ldb, IndexB, IndexBStart, K, N);
            OffsetB = 0; Ldb = N; IndexB = null;
        }
    }

    // The job is per thread, so are these (grown once, reused).
    private T[]? gatherA, gatherB;

    [ThreadStatic] private static long gatheredSelections;

    /// <summary>How many selections of rows products called from this thread copied instead of reading them in place (for tests).</summary>
    internal static long GatheredSelections => gatheredSelections;

    private static T[] Gathered(ref T[]? buffer, T[] source, int offset, int ld, int[] index, int start, int rows, int cols)
    {
        gatheredSelections++;
        int length = checked(rows * cols);
        if (buffer is null || buffer.Length < length) buffer = GC.AllocateUninitializedArray<T>(length);
        for (int r = 0; r < rows; r++)
            source.AsSpan(offset + index[start + r] * ld, cols).CopyTo(buffer.AsSpan(r * cols, cols));
        return buffer;
    }

    public void Execute()
    {
        try
        {
            if (IndexA is not null || IndexB is not null) GatherUnsupportedSelections();
            if (Gemm.Provider is not ManagedGemmProvider)
            {
                Gemm.Provider.ProductAndEpilogue(this);
                return;
            }
            int threads = Math.Min(Parallelism.MaxThreads, WorkerPool.Shared.Capacity);
            if (threads > 1 && (long)M * N * K >= ParallelThreshold)
            {
                // Pieces: contiguous runs of whole tiles along one side of C (see PiecesPerThread). The outer-product kernel splits columns
                // (each piece packs only its own columns of B); the dot kernel the longer side; softmax needs rows.
                bool softmax = Epilogue == EpilogueKind.BiasActivation && Function == Nonlinearity.Softmax;
                bool dot = ManagedGemm.UsesDotKernel(this);
                int nr = 2 * ManagedGemm.VectorBits / 8 / System.Runtime.CompilerServices.Unsafe.SizeOf<T>();
                // The pieces hold whole tiles, as equal in number as they can be (25 column panels in 8 pieces:
                // 3 or 4 each, not 4 4 4 4 4 4 1, which left one thread with 16 panels and the other with 9).
                splitRows = softmax || (dot ? M >= N : N < 2 * nr || M >= TallRatio * N);
                int length = splitRows ? M : N;
                align = dot ? ManagedGemm.DotTile : splitRows ? ManagedGemm.MR : nr;
                units = (length + align - 1) / align;
                int perThread = dot ? DotPiecesPerThread : (long)M * N * K < LargeProduct ? SmallPiecesPerThread : PiecesPerThread;
                pieces = Math.Min(units, perThread * threads);
                // Two dot pieces over an odd number of tile rows (a 100-row batch: 25 tiles of 4 rows, 12 and 13) share
                // the middle one, each taking half of its tiles along the other side, so both compute 12.5 tile rows.
                int otherTiles = ((splitRows ? N : M) + ManagedGemm.DotTile - 1) / ManagedGemm.DotTile;
                shareMiddle = dot && !softmax && pieces == 2 && units % 2 == 1 && otherTiles >= 2;
                if (pieces > 1 && splitRows && !dot) ManagedGemm.PackSharedB(this, M / pieces);
                if (pieces > 1 && WorkerPool.Shared.TryRun(this, pieces, threads - 1))
                {
                    Interlocked.Increment(ref parallelRuns);
                    return;
                }
            }
            ManagedGemm.Block(this, 0, M, 0, N);
            ApplyEpilogue(0, M, 0, N);
        }
        finally
        {
            // Drop references so a cached job does not keep user arrays alive.
            A = B = C = [];
            Bias = Aux = null;
            IndexA = IndexB = null;
            SharedPackedB = null;
        }
    }

    public void Run(int part, int parts)
    {
        if (shareMiddle)
        {
            RunSharingMiddle(part);
            return;
        }
        int start = (int)((long)part * units / pieces) * align;
        int stop = (int)((long)(part + 1) * units / pieces) * align;
        if (splitRows)
        {
            int end = Math.Min(M, stop);
            ManagedGemm.Block(this, start, end, 0, N);
            ApplyEpilogue(start, end, 0, N);
        }
        else
        {
            int end = Math.Min(N, stop);
            ManagedGemm.Block(this, 0, M, start, end);
            ApplyEpilogue(0, M, start, end);
        }
    }

    /// <summary>Piece <paramref name="part"/> of two that share the middle tile row (or column): the whole tiles on its
    /// side of it, and its half of the middle one's tiles.</summary>
    private void RunSharingMiddle(int part)
    {
        int mid = units / 2 * align;
        int length = splitRows ? M : N, other = splitRows ? N : M;
        int midEnd = Math.Min(length, mid + align);
        int cut = (other + ManagedGemm.DotTile - 1) / ManagedGemm.DotTile / 2 * ManagedGemm.DotTile;
        var (start, end) = part == 0 ? (0, mid) : (midEnd, length);
        var (from, to) = part == 0 ? (0, cut) : (cut, other);
        if (splitRows)
        {
            Region(start, end, 0, N);
            Region(mid, midEnd, from, to);
        }
        else
        {
            Region(0, M, start, end);
            Region(from, to, mid, midEnd);
        }
    }

    private void Region(int i0, int i1, int j0, int j1)
    {
        ManagedGemm.Block(this, i0, i1, j0, j1);
        ApplyEpilogue(i0, i1, j0, j1);
    }

    /// <summary>The fused epilogue over C[i0..i1, j0..j1), with the managed element-wise operations.</summary>
    internal void ApplyEpilogue(int i0, int i1, int j0, int j1)
    {
        if (Epilogue == EpilogueKind.None || i0 >= i1 || j0 >= j1) return;
        int width = j1 - j0;
        if (Epilogue == EpilogueKind.BiasActivation && width == N && Ldc == N && LdAux == N)
        {
            // Whole rows, contiguous: the bias row by row, then one activation call over the block (short rows
            // — 10 or 25 units over 5000 samples — would otherwise pay a library call per row).
            var bias = Bias.AsSpan(BiasOffset, N);
            for (int i = i0; i < i1; i++) NumericKernels.AddInPlace(C.AsSpan(OffsetC + i * Ldc, N), bias);
            var z = C.AsSpan(OffsetC + i0 * Ldc, (i1 - i0) * N);
            var a = Aux!.AsSpan(AuxOffset + i0 * LdAux, (i1 - i0) * N);
            if (!z.Overlaps(a)) z.CopyTo(a);
            // (softmax always splits by rows: the block's rows at once)
            if (Function == Nonlinearity.Softmax) Elementwise.SoftmaxRows(a, N);
            else Elementwise.ApplyAnyLength(Function, a);
            return;
        }
        if (Epilogue == EpilogueKind.AddScaled)
        {
            // The managed kernels add it as they store the tiles.
            if (Gemm.Provider is ManagedGemmProvider && ManagedGemm.FusesAddScaled(this)) return;
            // C += D·Scale with two roundings (never fused, so every element gets the same result in any block):
            // whole contiguous rows in one call.
            if (width == N && Ldc == N && LdAux == N)
            {
                UnfusedOps.MultiplyAdd<T>(Aux!.AsSpan(AuxOffset + i0 * LdAux, (i1 - i0) * N), Scale, C.AsSpan(OffsetC + i0 * Ldc, (i1 - i0) * N));
                return;
            }
            for (int i = i0; i < i1; i++)
                UnfusedOps.MultiplyAdd<T>(Aux!.AsSpan(AuxOffset + i * LdAux + j0, width), Scale, C.AsSpan(OffsetC + i * Ldc + j0, width));
            return;
        }
        if (Epilogue == EpilogueKind.Derivative && width == N && Ldc == N && LdAux == N)
        {
            // Whole contiguous rows: one vectorized call over the block (the result per element does not depend on the span).
            Elementwise.MultiplyDerivative<T>(Function, Aux!.AsSpan(AuxOffset + i0 * LdAux, (i1 - i0) * N), C.AsSpan(OffsetC + i0 * Ldc, (i1 - i0) * N));
            return;
        }
        for (int i = i0; i < i1; i++)
        {
            var row = C.AsSpan(OffsetC + i * Ldc + j0, width);
            var aux = Aux!.AsSpan(AuxOffset + i * LdAux + j0, width);
            if (Epilogue == EpilogueKind.BiasActivation)
                Epilogues.BiasActivation<T>(row, Bias.AsSpan(BiasOffset + j0, width), Function, aux);
            else
                Elementwise.MultiplyDerivative<T>(Function, aux, row);
        }
    }
}
