using System.Numerics;
using System.Numerics.Tensors;

namespace Backprop.Numerics;

/// <summary>
/// General matrix multiply C = alpha·op(A)·op(B) + beta·C over row-major matrices, with the three
/// transpose forms backpropagation needs. Vectorized through TensorPrimitives and split over rows of C
/// across <see cref="Parallelism.MaxThreads"/> threads when the product is large enough to pay for it.
/// </summary>
public static class Gemm
{
    /// <summary>Products smaller than this many multiply-adds run on the calling thread.</summary>
    private const long ParallelThreshold = 1L << 18;

    /// <summary>C[m, n] = alpha · A[m, k] · B[n, k]ᵀ + beta · C  (forward pass: Z = X·Wᵀ).</summary>
    public static void MultiplyTransposeB<T>(Matrix<T> a, Matrix<T> b, Matrix<T> c, T alpha, T beta)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        // [m, k] x [n, k]ᵀ -> [m, n]
        Check(a.Rows, a.Cols, b.Rows, b.Cols, c, "A·Bᵀ", a.Rows, b.Rows, a.Cols == b.Cols);
        int m = a.Rows, n = b.Rows, k = a.Cols;
        if (Sequential(m, (long)m * n * k)) NtRows(a, b, c, alpha, beta, 0, m);
        else RowBlocks(NtRows, a, b, c, alpha, beta, m);
    }

    /// <summary>C[m, n] = alpha · A[m, k] · B[k, n] + beta · C  (backward pass: dX = dZ·W).</summary>
    public static void Multiply<T>(Matrix<T> a, Matrix<T> b, Matrix<T> c, T alpha, T beta)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        // [m, k] x [k, n] -> [m, n]
        Check(a.Rows, a.Cols, b.Rows, b.Cols, c, "A·B", a.Rows, b.Cols, a.Cols == b.Rows);
        int m = a.Rows, n = b.Cols, k = a.Cols;
        if (Sequential(m, (long)m * n * k)) NnRows(a, b, c, alpha, beta, 0, m);
        else RowBlocks(NnRows, a, b, c, alpha, beta, m);
    }

    /// <summary>C[m, n] = alpha · A[k, m]ᵀ · B[k, n] + beta · C  (weight gradient: dW = dZᵀ·X).</summary>
    public static void MultiplyTransposeA<T>(Matrix<T> a, Matrix<T> b, Matrix<T> c, T alpha, T beta)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        // [k, m]ᵀ x [k, n] -> [m, n]
        Check(a.Rows, a.Cols, b.Rows, b.Cols, c, "Aᵀ·B", a.Cols, b.Cols, a.Rows == b.Rows);
        int m = a.Cols, n = b.Cols, k = a.Rows;
        if (Sequential(m, (long)m * n * k)) TnRows(a, b, c, alpha, beta, 0, m);
        else RowBlocks(TnRows, a, b, c, alpha, beta, m);
    }

    private static void NtRows<T>(Matrix<T> a, Matrix<T> b, Matrix<T> c, T alpha, T beta, int start, int end)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int n = c.Cols, k = a.Cols;
        for (int i = start; i < end; i++)
        {
            var ai = a.Row(i);
            var ci = c.Row(i);
            for (int j = 0; j < n; j++)
            {
                T dot = TensorPrimitives.Dot<T>(ai, b.Row(j));
                ci[j] = T.IsZero(beta) ? alpha * dot : alpha * dot + beta * ci[j];
            }
        }
    }

    private static void NnRows<T>(Matrix<T> a, Matrix<T> b, Matrix<T> c, T alpha, T beta, int start, int end)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int n = c.Cols, k = a.Cols;
        for (int i = start; i < end; i++)
        {
            var ci = c.Row(i);
            Scale(ci, beta);
            var ai = a.Row(i);
            for (int p = 0; p < k; p++)
            {
                T s = alpha * ai[p];
                if (!T.IsZero(s))
                    TensorPrimitives.MultiplyAdd<T>(b.Row(p), s, ci, ci);
            }
        }
    }

    private static void TnRows<T>(Matrix<T> a, Matrix<T> b, Matrix<T> c, T alpha, T beta, int start, int end)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int n = c.Cols, k = a.Rows;
        for (int i = start; i < end; i++)
            Scale(c.Row(i), beta);
        for (int p = 0; p < k; p++)
        {
            var ap = a.Row(p);
            var bp = b.Row(p);
            for (int i = start; i < end; i++)
            {
                T s = alpha * ap[i];
                if (!T.IsZero(s))
                {
                    var ci = c.Row(i);
                    TensorPrimitives.MultiplyAdd<T>(bp, s, ci, ci);
                }
            }
        }
    }

    private static void Scale<T>(Span<T> row, T beta) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (T.IsZero(beta)) row.Clear();
        else if (beta != T.One) TensorPrimitives.Multiply<T>(row, beta, row);
    }

    private static bool Sequential(int rows, long work) =>
        Math.Min(Parallelism.MaxThreads, rows) <= 1 || work < ParallelThreshold;

    /// <summary>Splits rows [0, rows) into one contiguous block per thread. Each element of C is computed
    /// by exactly one thread in the same order whatever the split, so results do not depend on the thread count.</summary>
    private delegate void Kernel<T>(Matrix<T> a, Matrix<T> b, Matrix<T> c, T alpha, T beta, int start, int end)
        where T : unmanaged, IFloatingPointIeee754<T>;

    /// <summary>Splits rows [0, rows) of C into one contiguous block per thread. Each element of C is computed
    /// by exactly one thread in the same order whatever the split, so results do not depend on the thread count.
    /// (A separate method so that the sequential path allocates no closure.)</summary>
    private static void RowBlocks<T>(Kernel<T> kernel, Matrix<T> a, Matrix<T> b, Matrix<T> c, T alpha, T beta, int rows)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int threads = Math.Min(Parallelism.MaxThreads, rows);
        int chunk = (rows + threads - 1) / threads;
        Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, t =>
        {
            int start = t * chunk, end = Math.Min(rows, start + chunk);
            if (start < end) kernel(a, b, c, alpha, beta, start, end);
        });
    }

    private static void Check<T>(int ar, int ac, int br, int bc, Matrix<T> c, string form, int m, int n, bool inner)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (!inner || c.Rows != m || c.Cols != n)
            throw new ArgumentException($"Shapes do not fit {form}: A is {ar}x{ac}, B is {br}x{bc}, C is {c.Rows}x{c.Cols}.");
    }
}

/// <summary>How many threads the numeric kernels may use (default: all cores).</summary>
public static class Parallelism
{
    private static int maxThreads = Environment.ProcessorCount;

    public static int MaxThreads
    {
        get => maxThreads;
        set => maxThreads = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(value), $"Thread count must be at least 1, got {value}.");
    }
}
