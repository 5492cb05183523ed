using System.Numerics;
using System.Runtime.InteropServices;
using Backprop.Layers;

namespace Backprop.Numerics;

/// <summary>
/// General matrix multiply C = alpha·op(A)·op(B) + beta·C over row-major storage, with the transpose forms
/// backpropagation needs and fused epilogues (bias + activation after the forward product, activation
/// derivative after the backward product). The work goes to <see cref="Provider"/>: the managed SIMD kernels
/// by default (<see cref="GemmProvider.Managed"/>), or OpenBLAS when it is installed and selected.
/// <para>C must not overlap A or B. Results do not depend on <see cref="Parallelism.MaxThreads"/>: every
/// element of C is computed by one thread in a fixed order.</para>
/// </summary>
public static class Gemm
{
    private static GemmProvider provider = GemmProvider.Managed;

    /// <summary>Where products are computed (process-wide; default <see cref="GemmProvider.Managed"/>).</summary>
    public static GemmProvider Provider
    {
        get => provider;
        set => provider = value ?? throw new ArgumentNullException(nameof(value));
    }

    /// <summary>C[m, n] = alpha · A[m, k] · B[n, k]ᵀ + beta · C  (forward pass: Z = X·Wᵀ).</summary>
    public static void MultiplyTransposeB<T>(Matrix<T> a, Matrix<T> b, Matrix<T> c, T alpha, T beta)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        // [m, k] x [n, k]ᵀ -> [m, n]
        Check(a, b, c, "A·Bᵀ", a.Rows, b.Rows, a.Cols == b.Cols);
        Run(false, true, a, b, c, alpha, beta, a.Cols);
    }

    /// <summary>C[m, n] = alpha · A[m, k] · B[k, n] + beta · C  (backward pass: dX = dZ·W).</summary>
    public static void Multiply<T>(Matrix<T> a, Matrix<T> b, Matrix<T> c, T alpha, T beta)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        // [m, k] x [k, n] -> [m, n]
        Check(a, b, c, "A·B", a.Rows, b.Cols, a.Cols == b.Rows);
        Run(false, false, a, b, c, alpha, beta, a.Cols);
    }

    /// <summary>C[m, n] = alpha · A[k, m]ᵀ · B[k, n] + beta · C  (weight gradient: dW = dZᵀ·X).</summary>
    public static void MultiplyTransposeA<T>(Matrix<T> a, Matrix<T> b, Matrix<T> c, T alpha, T beta)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        // [k, m]ᵀ x [k, n] -> [m, n]
        Check(a, b, c, "Aᵀ·B", a.Cols, b.Cols, a.Rows == b.Rows);
        Run(true, false, a, b, c, alpha, beta, a.Rows);
    }

    /// <summary>
    /// The fused forward product of a dense layer: Z = A·Bᵀ + bias (bias [n] added to every row), then
    /// <paramref name="activated"/> = f(Z) (in place in Z when <paramref name="activated"/> is null or Z).
    /// [m, k] x [n, k]ᵀ -> [m, n]. Bit-identical to the product followed by the bias add and activation.
    /// </summary>
    public static void MultiplyTransposeB<T>(Matrix<T> a, Matrix<T> b, Matrix<T> c, ReadOnlyMemory<T> bias, Activation activation, Matrix<T>? activated = null)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Check(a, b, c, "A·Bᵀ", a.Rows, b.Rows, a.Cols == b.Cols);
        activated = CheckBiasActivation(c, bias, activated);
        var job = GemmJob<T>.ForThisThread();
        job.Set(false, true, a, b, c, T.One, T.Zero, a.Cols);
        RunBiasActivation(job, c, bias, activation, activated);
    }

    /// <summary>
    /// The fused forward product on a selection of rows (a shuffled mini-batch read in place):
    /// Z = X·Bᵀ + bias, <paramref name="activated"/> = f(Z), where row r of X is <paramref name="a"/>.Row(r).
    /// [m, k] x [n, k]ᵀ -> [m, n]. Bit-identical to the same product on the copied rows.
    /// </summary>
    public static void MultiplyTransposeB<T>(RowSelection<T> a, Matrix<T> b, Matrix<T> c, ReadOnlyMemory<T> bias, Activation activation, Matrix<T>? activated = null)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(a.Source, nameof(a));
        Check(a.Source, b, c, "A·Bᵀ", a.Count, b.Rows, a.Cols == b.Cols);
        activated = CheckBiasActivation(c, bias, activated);
        var job = GemmJob<T>.ForThisThread();
        job.Set(false, true, c.Rows, c.Cols, a.Cols, T.One, T.Zero, a.Source.Array, a.Source.Offset, a.Cols, b.Array, b.Offset, b.Cols, c.Array, c.Offset, c.Cols);
        job.SelectRowsOfA(a.Index, a.Start);
        RunBiasActivation(job, c, bias, activation, activated);
    }

    /// <summary>C[m, n] = alpha · A[k, m]ᵀ · B[k, n] + beta · C where row p of B is <paramref name="b"/>.Row(p)
    /// (weight gradient of a first layer on a mini-batch read in place: dW = dZᵀ·X). Bit-identical to the product on the copied rows.</summary>
    public static void MultiplyTransposeA<T>(Matrix<T> a, RowSelection<T> b, Matrix<T> c, T alpha, T beta)
        where T : unmanaged, IFloatingPointIeee754<T> => SelectedTransposeA(a, b, c, alpha, beta).Execute();

    /// <summary>The job of Aᵀ·B with B's rows read through a selection: [k, m]ᵀ x [k, n] -> [m, n].</summary>
    private static GemmJob<T> SelectedTransposeA<T>(Matrix<T> a, RowSelection<T> b, Matrix<T> c, T alpha, T beta)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(b.Source, nameof(b));
        Check(a, b.Source, c, "Aᵀ·B", a.Cols, b.Cols, a.Rows == b.Count);
        var job = GemmJob<T>.ForThisThread();
        job.Set(true, false, c.Rows, c.Cols, a.Rows, alpha, beta, a.Array, a.Offset, a.Cols, b.Source.Array, b.Source.Offset, b.Cols, c.Array, c.Offset, c.Cols);
        job.SelectRowsOfB(b.Index, b.Start);
        return job;
    }

    /// <summary>
    /// The weight gradient with its L2 term: C[m, n] = A[k, m]ᵀ · B[k, n] + <paramref name="scale"/> · D[m, n]
    /// (dW = dZᵀ·X + l2·W). The term is added to each block of C on the thread that computed it, right after the
    /// kernel, while the block is still in cache. Bit-identical to the product followed by C[i, j] = C[i, j] + D[i, j]·scale
    /// with two roundings.
    /// </summary>
    public static void MultiplyTransposeA<T>(Matrix<T> a, Matrix<T> b, Matrix<T> c, T scale, Matrix<T> d)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        // [k, m]ᵀ x [k, n] -> [m, n], + scale · D [m, n]
        Check(a, b, c, "Aᵀ·B", a.Cols, b.Cols, a.Rows == b.Rows);
        var job = GemmJob<T>.ForThisThread();
        job.Set(true, false, a, b, c, T.One, T.Zero, a.Rows);
        RunAddScaled(job, c, scale, d);
    }

    /// <summary>The same with the rows of B read in place through a selection (a first layer's dW on a shuffled mini-batch).</summary>
    public static void MultiplyTransposeA<T>(Matrix<T> a, RowSelection<T> b, Matrix<T> c, T scale, Matrix<T> d)
        where T : unmanaged, IFloatingPointIeee754<T> => RunAddScaled(SelectedTransposeA(a, b, c, T.One, T.Zero), c, scale, d);

    private static void RunAddScaled<T>(GemmJob<T> job, Matrix<T> c, T scale, Matrix<T> d)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(d);
        if (d.Rows != c.Rows || d.Cols != c.Cols)
            throw new ArgumentException($"The added matrix must be {c.Rows}x{c.Cols}, got {d.Rows}x{d.Cols}.", nameof(d));
        if (!T.IsZero(scale))
        {
            job.Epilogue = EpilogueKind.AddScaled;
            job.Scale = scale;
            job.SetAux(d);
        }
        job.Execute();
    }

    /// <summary>Checks the bias [n] and the activation output (Z itself when null) of a fused forward product into C [m, n].</summary>
    private static Matrix<T> CheckBiasActivation<T>(Matrix<T> c, ReadOnlyMemory<T> bias, Matrix<T>? activated)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (bias.Length != c.Cols) throw new ArgumentException($"The bias has {bias.Length} elements; the product has {c.Cols} columns.", nameof(bias));
        activated ??= c;
        if (activated.Rows != c.Rows || activated.Cols != c.Cols)
            throw new ArgumentException($"The activation output must be {c.Rows}x{c.Cols}, got {activated.Rows}x{activated.Cols}.", nameof(activated));
        return activated;
    }

    private static void RunBiasActivation<T>(GemmJob<T> job, Matrix<T> c, ReadOnlyMemory<T> bias, Activation activation, Matrix<T> activated)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (!MemoryMarshal.TryGetArray(bias, out var segment))
        {
            job.Execute();
            var span = bias.Span;
            for (int r = 0; r < c.Rows; r++) Epilogues.BiasActivation(c.Row(r), span, activation, activated.Row(r));
            return;
        }
        job.Epilogue = EpilogueKind.BiasActivation;
        job.Activation = activation;
        job.Bias = segment.Array;
        job.BiasOffset = segment.Offset;
        job.SetAux(activated);
        job.Execute();
    }

    /// <summary>
    /// The fused backward product: C = (A·B) ⊙ f′ where f′ is the derivative of <paramref name="derivativeOf"/>
    /// written through its outputs <paramref name="activations"/> [m, n] (see <see cref="Activations.MultiplyDerivative{T}"/>).
    /// [m, k] x [k, n] -> [m, n]. Bit-identical to the product followed by the derivative.
    /// </summary>
    public static void Multiply<T>(Matrix<T> a, Matrix<T> b, Matrix<T> c, Activation derivativeOf, Matrix<T> activations)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Check(a, b, c, "A·B", a.Rows, b.Cols, a.Cols == b.Rows);
        ArgumentNullException.ThrowIfNull(activations);
        if (activations.Rows != c.Rows || activations.Cols != c.Cols)
            throw new ArgumentException($"The activations must be {c.Rows}x{c.Cols}, got {activations.Rows}x{activations.Cols}.", nameof(activations));
        if (derivativeOf == Activation.Softmax)
            throw new NotSupportedException("Softmax has a full Jacobian; it is only used as an output with the cross-entropy loss, whose delta is fused.");
        var job = GemmJob<T>.ForThisThread();
        job.Set(false, false, a, b, c, T.One, T.Zero, a.Cols);
        job.Epilogue = EpilogueKind.Derivative;
        job.Activation = derivativeOf;
        job.SetAux(activations);
        job.Execute();
    }

    /// <summary>
    /// BLAS-style GEMM on strided storage: C[m, n] = alpha·op(A)·op(B) + beta·C, where op(A) is A [m, k]
    /// (or its transpose stored as [k, m]) with element (r, c) of the stored matrix at
    /// <c>a[offsetA + r·lda + c]</c>, and likewise for B [k, n] / [n, k] and C [m, n]. When beta is zero C's
    /// previous contents are ignored (NaN there does not propagate).
    /// </summary>
    public static void Compute<T>(bool transposeA, bool transposeB, int m, int n, int k, T alpha,
        T[] a, int offsetA, int lda, T[] b, int offsetB, int ldb, T beta, T[] c, int offsetC, int ldc)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        ArgumentNullException.ThrowIfNull(c);
        if (m < 0 || n < 0 || k < 0) throw new ArgumentOutOfRangeException(nameof(m), $"Dimensions must be non-negative, got m={m}, n={n}, k={k}.");
        CheckStorage("A", a, offsetA, lda, transposeA ? k : m, transposeA ? m : k);
        CheckStorage("B", b, offsetB, ldb, transposeB ? n : k, transposeB ? k : n);
        CheckStorage("C", c, offsetC, ldc, m, n);
        if (m == 0 || n == 0) return;
        var job = GemmJob<T>.ForThisThread();
        job.Set(transposeA, transposeB, m, n, k, alpha, beta, a, offsetA, lda, b, offsetB, ldb, c, offsetC, ldc);
        job.Execute();
    }

    private static void Run<T>(bool ta, bool tb, Matrix<T> a, Matrix<T> b, Matrix<T> c, T alpha, T beta, int k)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (c.Rows == 0 || c.Cols == 0) return;
        var job = GemmJob<T>.ForThisThread();
        job.Set(ta, tb, a, b, c, alpha, beta, k);
        job.Execute();
    }

    private static void CheckStorage<T>(string name, T[] array, int offset, int ld, int rows, int cols)
    {
        if (rows == 0 || cols == 0)
        {
            if (offset < 0 || offset > array.Length) throw new ArgumentOutOfRangeException(name, $"{name}: offset {offset} is outside an array of {array.Length}.");
            return;
        }
        if (ld < cols) throw new ArgumentException($"{name}: the leading dimension {ld} is smaller than the {cols} stored columns.", name);
        long last = offset + (long)(rows - 1) * ld + cols;
        if (offset < 0 || last > array.Length)
            throw new ArgumentException($"{name}: a {rows}x{cols} matrix with leading dimension {ld} at offset {offset} does not fit in an array of {array.Length}.", name);
    }

    private static void Check<T>(Matrix<T> a, Matrix<T> b, Matrix<T> c, string form, int m, int n, bool inner)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        ArgumentNullException.ThrowIfNull(c);
        if (!inner || c.Rows != m || c.Cols != n)
            throw new ArgumentException($"Shapes do not fit {form}: A is {a.Rows}x{a.Cols}, B is {b.Rows}x{b.Cols}, C is {c.Rows}x{c.Cols}.");
    }
}

/// <summary>How many threads the numeric kernels may use (default: all cores; never more than the cores).</summary>
public static class Parallelism
{
    private static int maxThreads = Environment.ProcessorCount;

    public static int MaxThreads
    {
        get => maxThreads;
        set => maxThreads = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(value), $"Thread count must be at least 1, got {value}.");
    }
}

internal enum EpilogueKind { None, BiasActivation, Derivative, AddScaled }

/// <summary>The element-wise tails fused after a product, applied to one row segment of C.</summary>
internal static class Epilogues
{
    /// <summary>z += bias; a = f(z) (a may be z). Softmax needs whole rows.</summary>
    public static void BiasActivation<T>(Span<T> z, ReadOnlySpan<T> bias, Activation activation, Span<T> a) where T : unmanaged, IFloatingPointIeee754<T>
    {
        NumericKernels.AddInPlace(z, bias);
        if (activation == Activation.Identity && Overlaps(z, a)) return;
        if (!Overlaps(z, a)) z.CopyTo(a);
        Activate(activation, a);
    }

    /// <summary>
    /// a = f(a) with a result per element that does not depend on where the element sits in the span or how long the
    /// span is: a short span is computed through <see cref="VectorPath"/>'s zero-padded buffer.
    /// </summary>
    public static void Activate<T>(Activation activation, Span<T> a) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (activation is Activation.Identity or Activation.Relu or Activation.Softmax || a.IsEmpty)
        {
            Activations.Apply(activation, a); // ReLU is exact; softmax always gets whole rows
            return;
        }
        Span<T> buffer = stackalloc T[VectorPath.Length];
        var work = VectorPath.Prepare(a, buffer, T.Zero);
        Activations.Apply(activation, work);
        VectorPath.Finish(work, a);
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
    public Activation Activation;
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
                Gemm.Provider.Product(this);
                ApplyEpilogue(0, M, 0, N);
                return;
            }
            int threads = Math.Min(Parallelism.MaxThreads, WorkerPool.Shared.Capacity);
            if (threads > 1 && (long)M * N * K >= ParallelThreshold)
            {
                // Pieces: contiguous runs of whole tiles along one side of C (see PiecesPerThread). The outer-product kernel splits columns
                // (each piece packs only its own columns of B); the dot kernel the longer side; softmax needs rows.
                bool softmax = Epilogue == EpilogueKind.BiasActivation && Activation == Activation.Softmax;
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

    private void ApplyEpilogue(int i0, int i1, int j0, int j1)
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
            if (Activation == Activation.Softmax) Activations.SoftmaxRows(a, N);
            else Epilogues.Activate(Activation, a);
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
            Activations.MultiplyDerivative<T>(Activation, Aux!.AsSpan(AuxOffset + i0 * LdAux, (i1 - i0) * N), C.AsSpan(OffsetC + i0 * Ldc, (i1 - i0) * N));
            return;
        }
        for (int i = i0; i < i1; i++)
        {
            var row = C.AsSpan(OffsetC + i * Ldc + j0, width);
            var aux = Aux!.AsSpan(AuxOffset + i * LdAux + j0, width);
            if (Epilogue == EpilogueKind.BiasActivation)
                Epilogues.BiasActivation<T>(row, Bias.AsSpan(BiasOffset + j0, width), Activation, aux);
            else
                Activations.MultiplyDerivative<T>(Activation, aux, row);
        }
    }
}
