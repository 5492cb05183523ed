using System.Numerics;
using System.Runtime.InteropServices;

namespace Backprop.Numerics;

/// <summary>
/// General matrix multiply C = alpha·op(A)·op(B) + beta·C over row-major storage, with the transpose forms
/// backpropagation needs and fused epilogues (bias + activation after the forward product, activation
/// derivative after the backward product). The work goes to <see cref="Provider"/>: the managed SIMD kernels
/// by default (<see cref="GemmProvider.Managed"/>), the plain loops of <see cref="GemmProvider.Reference"/>
/// (to read, and to test the engine against), or OpenBLAS when it is installed and selected.
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
    public static void MultiplyTransposeB<T>(Matrix<T> a, Matrix<T> b, Matrix<T> c, ReadOnlyMemory<T> bias, Nonlinearity activation, Matrix<T>? activated = null)
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
    public static void MultiplyTransposeB<T>(RowSelection<T> a, Matrix<T> b, Matrix<T> c, ReadOnlyMemory<T> bias, Nonlinearity activation, Matrix<T>? activated = null)
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

    private static void RunBiasActivation<T>(GemmJob<T> job, Matrix<T> c, ReadOnlyMemory<T> bias, Nonlinearity activation, Matrix<T> activated)
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
        job.Function = activation;
        job.Bias = segment.Array;
        job.BiasOffset = segment.Offset;
        job.SetAux(activated);
        job.Execute();
    }

    /// <summary>
    /// The fused backward product: C = (A·B) ⊙ f′ where f′ is the derivative of <paramref name="derivativeOf"/>
    /// written through its outputs <paramref name="activations"/> [m, n] (see <see cref="Elementwise.MultiplyDerivative{T}"/>).
    /// [m, k] x [k, n] -> [m, n]. Bit-identical to the product followed by the derivative.
    /// </summary>
    public static void Multiply<T>(Matrix<T> a, Matrix<T> b, Matrix<T> c, Nonlinearity derivativeOf, Matrix<T> activations)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Check(a, b, c, "A·B", a.Rows, b.Cols, a.Cols == b.Rows);
        ArgumentNullException.ThrowIfNull(activations);
        if (activations.Rows != c.Rows || activations.Cols != c.Cols)
            throw new ArgumentException($"The activations must be {c.Rows}x{c.Cols}, got {activations.Rows}x{activations.Cols}.", nameof(activations));
        if (derivativeOf == Nonlinearity.Softmax)
            throw new NotSupportedException("Softmax has a full Jacobian; it is only used as an output with the cross-entropy loss, whose delta is fused.");
        var job = GemmJob<T>.ForThisThread();
        job.Set(false, false, a, b, c, T.One, T.Zero, a.Cols);
        job.Epilogue = EpilogueKind.Derivative;
        job.Function = derivativeOf;
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
