using System.Numerics;
using Backprop.Layers;
using Backprop.Networks;
using Backprop.Numerics;

namespace Backprop.Tests.Numerics;

[Collection(KernelSettingsCollection.Name)]
public sealed class GemmTests
{
    /// <summary>The register widths this machine can run (wider ones would be emulated, slowly).</summary>
    public static TheoryData<int> Widths()
    {
        var data = new TheoryData<int>();
        foreach (int w in new[] { 512, 256, 128 })
            if (w <= ManagedGemm.DefaultVectorBits) data.Add(w);
        return data;
    }

    private static readonly (int M, int N, int K)[] Shapes =
    [
        (1, 1, 1), (1, 7, 17), (7, 1, 33), (17, 33, 7), (33, 17, 129), (8, 32, 16), (16, 64, 256),
        (129, 33, 300), (40, 129, 513), (3, 100, 1), (100, 3, 65), (260, 9, 70),
        // Tall and narrow (the W1/W3 layer shapes, rows split and all of B packed at once): n = 1, 10, 25, 33.
        (300, 1, 17), (700, 10, 25), (520, 25, 400), (333, 33, 270),
        // A batch through a wide hidden layer no deeper than the batch: A·Bᵀ on the outer kernel, not the dot tiles.
        (100, 100, 100), (70, 64, 64),
    ];

    /// <summary>C = alpha·op(A)·op(B) + beta·C element by element, in double.</summary>
    private static double[] Reference(bool ta, bool tb, int m, int n, int k, double alpha, double[] a, int offA, int lda,
        double[] b, int offB, int ldb, double beta, double[] c, int offC, int ldc, out double[] scale)
    {
        var result = new double[m * n];
        scale = new double[m * n];
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                double sum = 0, abs = 0;
                for (int p = 0; p < k; p++)
                {
                    double x = ta ? a[offA + p * lda + i] : a[offA + i * lda + p];
                    double y = tb ? b[offB + j * ldb + p] : b[offB + p * ldb + j];
                    sum += x * y;
                    abs += Math.Abs(x * y);
                }
                double old = c[offC + i * ldc + j];
                result[i * n + j] = alpha * sum + (beta == 0 ? 0 : beta * old);
                scale[i * n + j] = Math.Abs(alpha) * abs + Math.Abs(beta * old) + 1e-30;
            }
        return result;
    }

    private static T[] Random<T>(Random random, int length) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var v = new T[length];
        for (int i = 0; i < length; i++) v[i] = T.CreateTruncating(random.NextDouble() * 2 - 1);
        return v;
    }

    private static void CheckAllForms<T>(int width, double tolerance) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var random = new Random(width);
        AtWidth(width, () =>
        {
            foreach (var (m, n, k) in Shapes)
                foreach (bool ta in new[] { false, true })
                    foreach (bool tb in new[] { false, true })
                        foreach (var (alpha, beta) in new[] { (1.0, 0.0), (0.5, -1.5), (-2.0, 1.0) })
                        {
                            // Strided views: leading dimensions wider than the rows, data at an offset.
                            int aRows = ta ? k : m, aCols = ta ? m : k, bRows = tb ? n : k, bCols = tb ? k : n;
                            int lda = aCols + 3, ldb = bCols + 1, ldc = n + 2, offA = 5, offB = 2, offC = 7;
                            var a = Random<T>(random, offA + aRows * lda);
                            var b = Random<T>(random, offB + bRows * ldb);
                            var c = Random<T>(random, offC + m * ldc + 3);
                            var before = (T[])c.Clone();
                            var expected = Reference(ta, tb, m, n, k, alpha, ToD(a), offA, lda, ToD(b), offB, ldb, beta, ToD(c), offC, ldc, out var scale);
                            Gemm.Compute(ta, tb, m, n, k, T.CreateTruncating(alpha), a, offA, lda, b, offB, ldb, T.CreateTruncating(beta), c, offC, ldc);
                            for (int i = 0; i < m; i++)
                                for (int j = 0; j < n; j++)
                                {
                                    double got = double.CreateTruncating(c[offC + i * ldc + j]);
                                    double err = Math.Abs(got - expected[i * n + j]) / scale[i * n + j];
                                    Assert.True(err < tolerance, $"width {width} {(ta ? "T" : "N")}{(tb ? "T" : "N")} {m}x{n}x{k} α={alpha} β={beta} at ({i},{j}): got {got}, expected {expected[i * n + j]} (rel {err:E2})");
                                }
                            // Nothing outside the view of C was touched (padding columns, before the offset, after the end).
                            for (int idx = 0; idx < c.Length; idx++)
                            {
                                int rel = idx - offC;
                                bool inside = rel >= 0 && rel / ldc < m && rel % ldc < n;
                                if (!inside) Assert.Equal(before[idx], c[idx]);
                            }
                        }
        });
    }

    /// <summary>Runs <paramref name="body"/> with the kernels at <paramref name="width"/> bits, then restores the width.</summary>
    internal static void AtWidth(int width, Action body)
    {
        int saved = ManagedGemm.VectorBits;
        try
        {
            ManagedGemm.VectorBits = width;
            body();
        }
        finally { ManagedGemm.VectorBits = saved; }
    }

    private static double[] ToD<T>(T[] v) where T : unmanaged, IFloatingPointIeee754<T> => v.Select(double.CreateTruncating).ToArray();

    [Theory]
    [MemberData(nameof(Widths))]
    public void EveryTransposeFormMatchesTheReferenceInDouble(int width) => CheckAllForms<double>(width, 1e-13);

    [Theory]
    [MemberData(nameof(Widths))]
    public void EveryTransposeFormMatchesTheReferenceInFloat(int width) => CheckAllForms<float>(width, 2e-6);

    [Fact]
    public void MatrixOverloadsMatchTheStridedFormAndTheReference()
    {
        var random = new Random(3);
        var a = new Matrix<double>(37, 19, Random<double>(random, 37 * 19));
        var b = new Matrix<double>(23, 19, Random<double>(random, 23 * 19));
        var bn = new Matrix<double>(19, 23, Random<double>(random, 19 * 23));
        var c = new Matrix<double>(37, 23);
        Gemm.MultiplyTransposeB(a, b, c, 1.0, 0.0);
        var expected = Reference(false, true, 37, 23, 19, 1, a.Array, 0, 19, b.Array, 0, 19, 0, c.Array, c.Offset, 23, out _);
        Assert.Equal(expected, c.Span.ToArray(), (x, y) => Math.Abs(x - y) < 1e-13);
        Gemm.Multiply(a, bn, c, 1.0, 0.0);
        expected = Reference(false, false, 37, 23, 19, 1, a.Array, 0, 19, bn.Array, 0, 23, 0, c.Array, c.Offset, 23, out _);
        Assert.Equal(expected, c.Span.ToArray(), (x, y) => Math.Abs(x - y) < 1e-13);
        var at = new Matrix<double>(19, 37, Random<double>(random, 19 * 37));
        Gemm.MultiplyTransposeA(at, bn, c, 1.0, 0.0);
        expected = Reference(true, false, 37, 23, 19, 1, at.Array, 0, 37, bn.Array, 0, 23, 0, c.Array, c.Offset, 23, out _);
        Assert.Equal(expected, c.Span.ToArray(), (x, y) => Math.Abs(x - y) < 1e-13);
    }

    [Fact]
    public void BetaZeroIgnoresNaNInCAndKZeroScalesC()
    {
        var a = new double[6];
        var b = new double[6];
        a.AsSpan().Fill(1);
        b.AsSpan().Fill(2);
        var c = new double[4];
        c.AsSpan().Fill(double.NaN);
        Gemm.Compute(false, false, 2, 2, 3, 1.0, a, 0, 3, b, 0, 2, 0.0, c, 0, 2);
        Assert.Equal([6.0, 6, 6, 6], c);
        Gemm.Compute(false, false, 2, 2, 0, 1.0, a, 0, 0, b, 0, 2, 0.5, c, 0, 2);
        Assert.Equal([3.0, 3, 3, 3], c);
    }

    [Fact]
    public void BadShapesAndStorageAreRejectedWithAClearMessage()
    {
        var e = Assert.Throws<ArgumentException>(() => Gemm.MultiplyTransposeB(new Matrix<float>(2, 3), new Matrix<float>(4, 5), new Matrix<float>(2, 4), 1f, 0f));
        Assert.Contains("A·Bᵀ", e.Message);
        e = Assert.Throws<ArgumentException>(() => Gemm.Compute(false, false, 4, 4, 4, 1.0, new double[15], 0, 4, new double[16], 0, 4, 0.0, new double[16], 0, 4));
        Assert.Contains("A: a 4x4 matrix", e.Message);
        e = Assert.Throws<ArgumentException>(() => Gemm.Compute(false, false, 4, 4, 4, 1.0, new double[16], 0, 3, new double[16], 0, 4, 0.0, new double[16], 0, 4));
        Assert.Contains("leading dimension 3", e.Message);
    }

    public static TheoryData<Nonlinearity> ElementwiseAndSoftmax() => [Nonlinearity.Sigmoid, Nonlinearity.Tanh, Nonlinearity.Relu, Nonlinearity.Identity, Nonlinearity.Softmax];

    [Theory]
    [MemberData(nameof(ElementwiseAndSoftmax))]
    public void FusedBiasAndActivationEqualsTheUnfusedSequenceBitForBit(Nonlinearity activation)
    {
        var random = new Random(11);
        // m·n ≥ 64 elements: the unfused reference applies the activation to the whole matrix in one call, which
        // takes TensorPrimitives' vector path for every element, as the fused epilogue always does.
        foreach (var (m, n, k) in new[] { (8, 8, 7), (100, 100, 784), (64, 300, 129), (33, 10, 100), (300, 2, 50), (40, 197, 100) })
        {
            var x = new Matrix<float>(m, k, Random<float>(random, m * k));
            var w = new Matrix<float>(n, k, Random<float>(random, n * k));
            var bias = Random<float>(random, n);
            // Unfused: product, then bias row by row, then the activation.
            var z1 = new Matrix<float>(m, n);
            Gemm.MultiplyTransposeB(x, w, z1, 1f, 0f);
            var a1 = new Matrix<float>(m, n);
            for (int r = 0; r < m; r++)
                System.Numerics.Tensors.TensorPrimitives.Add(z1.Row(r), bias, z1.Row(r));
            if (activation == Nonlinearity.Softmax)
                for (int r = 0; r < m; r++)
                {
                    z1.Row(r).CopyTo(a1.Row(r));
                    Elementwise.Apply(activation, a1.Row(r));
                }
            else
            {
                z1.Span.CopyTo(a1.Span);
                Elementwise.Apply(activation, a1.Span);
            }
            // Fused, separate output and in place.
            var z2 = new Matrix<float>(m, n);
            var a2 = new Matrix<float>(m, n);
            Gemm.MultiplyTransposeB(x, w, z2, bias, activation, a2);
            Assert.Equal(z1.Span.ToArray(), z2.Span.ToArray());
            Assert.Equal(a1.Span.ToArray(), a2.Span.ToArray());
            var z3 = new Matrix<float>(m, n);
            Gemm.MultiplyTransposeB(x, w, z3, bias, activation);
            Assert.Equal(a1.Span.ToArray(), z3.Span.ToArray());
        }
    }

    [Fact]
    public void PartialLoadsAndStoresTouchOnlyTheValidElements()
    {
        // The masked moves of the edge tiles (and the element-by-element fallback for machines without them).
        CheckPartial<float, System.Runtime.Intrinsics.Vector512<float>, V512<float>>();
        CheckPartial<double, System.Runtime.Intrinsics.Vector512<double>, V512<double>>();
        CheckPartial<float, System.Runtime.Intrinsics.Vector256<float>, V256<float>>();
        CheckPartial<double, System.Runtime.Intrinsics.Vector256<double>, V256<double>>();
        CheckPartial<float, System.Runtime.Intrinsics.Vector128<float>, V128<float>>();
        CheckPartial<double, System.Runtime.Intrinsics.Vector128<double>, V128<double>>();
    }

    private static unsafe void CheckPartial<T, TV, S>() where T : unmanaged, IFloatingPointIeee754<T> where TV : unmanaged where S : struct, ISimd<T, TV>
    {
        int lanes = S.Lanes;
        var source = Enumerable.Range(1, lanes).Select(i => T.CreateTruncating(i)).ToArray();
        for (int count = 1; count <= lanes; count++)
        {
            var target = Enumerable.Repeat(T.CreateTruncating(-7), lanes + 1).ToArray();
            fixed (T* ps = source, pt = target)
            {
                TV masked = S.LoadPartial(ps, count), fallback = Partial.Load<T, TV>(ps, count);
                T* m = (T*)&masked, f = (T*)&fallback;
                for (int i = 0; i < lanes; i++)
                {
                    Assert.Equal(i < count ? source[i] : T.Zero, m[i]);
                    Assert.Equal(m[i], f[i]);
                }
                S.StorePartial(S.Splat(T.CreateTruncating(3)), pt, count);
                for (int i = 0; i <= lanes; i++) Assert.Equal(T.CreateTruncating(i < count ? 3 : -7), target[i]);
                Partial.Store(S.Splat(T.CreateTruncating(5)), pt, count);
                for (int i = 0; i <= lanes; i++) Assert.Equal(T.CreateTruncating(i < count ? 5 : -7), target[i]);
            }
        }
    }

    [Fact]
    public void FusedPenaltyEqualsTheUnfusedSequenceBitForBitOnAnyThreadCount()
    {
        // The managed kernels add l2·W as they store the last kc block of each tile; that must be exactly the separate
        // pass (C = (W·l2) + C), for every register width, both element types, one and two threads.
        foreach (int width in new[] { 512, 256, 128 }.Where(w => w <= ManagedGemm.DefaultVectorBits))
            AtWidth(width, () =>
            {
                Check<double>(new Random(13));
                Check<float>(new Random(14));
            });
        var e = Assert.Throws<ArgumentException>(() => Gemm.MultiplyTransposeA(new Matrix<double>(4, 3), new Matrix<double>(4, 5), new Matrix<double>(3, 5), 0.5, new Matrix<double>(5, 3)));
        Assert.Contains("3x5", e.Message);

        static void Check<T>(Random random) where T : unmanaged, IFloatingPointIeee754<T>
        {
            int saved = Parallelism.MaxThreads;
            try
            {
                // dW = dZᵀ·X + l2·W: column splits (100x784), row splits (tall), several kc blocks (k = 5000), edge tiles
                // of every kind (5 x 3, 33 x 129, 12 x 20), and a zero penalty.
                foreach (var (m, n, k, l2) in new[] { (100, 784, 100, 1e-4), (25, 400, 5000, 0.3), (700, 10, 25, 2.0), (5, 3, 7, 0.0), (33, 129, 64, -1.5), (12, 20, 300, 0.7) })
                    foreach (int threads in new[] { 1, 2 })
                    {
                        Parallelism.MaxThreads = threads;
                        var scale = T.CreateTruncating(l2);
                        var dz = new Matrix<T>(k, m, Random<T>(random, k * m));
                        var x = new Matrix<T>(k, n, Random<T>(random, k * n));
                        var w = new Matrix<T>(m, n, Random<T>(random, m * n));
                        var expected = new Matrix<T>(m, n);
                        Gemm.MultiplyTransposeA(dz, x, expected, T.One, T.Zero);
                        for (int i = 0; i < m * n; i++) expected.Span[i] = Unfused(w.Span[i], scale, expected.Span[i]); // two roundings
                        var fused = new Matrix<T>(m, n, Random<T>(random, m * n)); // old contents must not matter
                        Gemm.MultiplyTransposeA(dz, x, fused, scale, w);
                        Assert.Equal(expected.Span.ToArray(), fused.Span.ToArray());
                        var index = Enumerable.Range(0, k).ToArray();
                        var selected = new Matrix<T>(m, n);
                        Gemm.MultiplyTransposeA(dz, new RowSelection<T>(x, index, 0, k), selected, scale, w);
                        Assert.Equal(expected.Span.ToArray(), selected.Span.ToArray());
                    }
            }
            finally { Parallelism.MaxThreads = saved; }
        }
    }

    /// <summary>a·b + c with two roundings (kept out of line so the JIT cannot contract it into one FMA).</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static T Unfused<T>(T a, T b, T c) where T : IFloatingPointIeee754<T> => a * b + c;

    [Theory]
    [InlineData(Nonlinearity.Sigmoid)]
    [InlineData(Nonlinearity.Tanh)]
    [InlineData(Nonlinearity.Relu)]
    [InlineData(Nonlinearity.Identity)]
    public void FusedDerivativeEqualsTheUnfusedSequenceBitForBit(Nonlinearity activation)
    {
        var random = new Random(12);
        foreach (var (m, n, k) in new[] { (5, 3, 7), (100, 784, 100), (129, 33, 10) })
        {
            var dz = new Matrix<double>(m, k, Random<double>(random, m * k));
            var w = new Matrix<double>(k, n, Random<double>(random, k * n));
            var act = new Matrix<double>(m, n, Random<double>(random, m * n).Select(v => activation == Nonlinearity.Sigmoid ? (v + 1) / 2 : v).ToArray());
            var d1 = new Matrix<double>(m, n);
            Gemm.Multiply(dz, w, d1, 1.0, 0.0);
            Elementwise.MultiplyDerivative<double>(activation, act.Span, d1.Span);
            var d2 = new Matrix<double>(m, n);
            Gemm.Multiply(dz, w, d2, activation, act);
            Assert.Equal(d1.Span.ToArray(), d2.Span.ToArray());
        }
    }

    [Fact]
    public void ResultsAreIdenticalForOneAndTwoThreads()
    {
        if (WorkerPool.Shared.Capacity < 2) return; // a one-core machine has no second thread to compare with
        var random = new Random(5);
        int saved = Parallelism.MaxThreads;
        try
        {
            // Row splits (m ≥ n) and column splits (n > m), every kernel, odd sizes, float and double; two dot pieces sharing
            // the middle of an odd number of tile rows (129 x 33) or tile columns (40 x 99).
            foreach (var (m, n, k) in new[] { (129, 33, 300), (33, 517, 130), (40, 99, 300), (200, 200, 200), (300, 40, 25), (300, 40, 100), (1100, 100, 300), (700, 10, 25), (300, 228, 100) })
                foreach (bool ta in new[] { false, true })
                    foreach (bool tb in new[] { false, true })
                    {
                        var a = Random<float>(random, m * k);
                        var b = Random<float>(random, n * k);
                        var c1 = new float[m * n];
                        var c2 = new float[m * n];
                        Parallelism.MaxThreads = 1;
                        Gemm.Compute(ta, tb, m, n, k, 1f, a, 0, ta ? m : k, b, 0, tb ? k : n, 0f, c1, 0, n);
                        Parallelism.MaxThreads = 2;
                        long before = GemmJob<float>.ParallelRuns;
                        // The pool may be momentarily busy with another thread's product; retry until a split run happened.
                        for (int attempt = 0; attempt < 50 && GemmJob<float>.ParallelRuns == before; attempt++)
                            Gemm.Compute(ta, tb, m, n, k, 1f, a, 0, ta ? m : k, b, 0, tb ? k : n, 0f, c2, 0, n);
                        Assert.True(GemmJob<float>.ParallelRuns > before, "the product never ran on two threads");
                        Assert.Equal(c1, c2);
                    }
        }
        finally { Parallelism.MaxThreads = saved; }
    }

    [Theory]
    [InlineData(Nonlinearity.Sigmoid)]
    [InlineData(Nonlinearity.Tanh)]
    public void FusedActivationIsIdenticalForOneAndTwoThreads(Nonlinearity activation)
    {
        if (WorkerPool.Shared.Capacity < 2) return;
        var random = new Random(8);
        int saved = Parallelism.MaxThreads;
        try
        {
            // (40, 194, 100): short and wide, split by columns with a 2-column last piece (shorter than any vector);
            // (300, 5, 100): tall, split by rows.
            foreach (var (m, n, k) in new[] { (40, 194, 100), (300, 5, 100), (5000, 25, 400) })
            {
                var x = new Matrix<float>(m, k, Random<float>(random, m * k));
                var w = new Matrix<float>(n, k, Random<float>(random, n * k));
                var bias = Random<float>(random, n);
                var one = new Matrix<float>(m, n);
                var two = new Matrix<float>(m, n);
                Parallelism.MaxThreads = 1;
                Gemm.MultiplyTransposeB(x, w, one, bias, activation);
                Parallelism.MaxThreads = 2;
                long before = GemmJob<float>.ParallelRuns;
                for (int attempt = 0; attempt < 50 && GemmJob<float>.ParallelRuns == before; attempt++)
                    Gemm.MultiplyTransposeB(x, w, two, bias, activation);
                Assert.True(GemmJob<float>.ParallelRuns > before, "the product never ran on two threads");
                Assert.Equal(one.Span.ToArray(), two.Span.ToArray());
            }
        }
        finally { Parallelism.MaxThreads = saved; }
    }

    [Theory, MemberData(nameof(Widths))]
    public void DotKernelDepthTailEqualsZeroPaddedFullStepsBitForBit(int width)
    {
        // The A·Bᵀ dot kernel finishes a depth that is not a whole number of vectors with masked loads (zeros past the
        // row). That must be exactly the arithmetic of the same rows padded with zero columns to whole vectors.
        var random = new Random(width + 11);
        AtWidth(width, () =>
        {
            foreach (var (m, n, k) in new[] { (9, 7, 101), (100, 10, 102), (5, 13, 65), (17, 6, 781) })
            {
                int lanes = width / 32, padded = (k + lanes - 1) / lanes * lanes;
                Assert.True(padded > k, "the shape must leave a tail");
                var a = new Matrix<float>(m, k, Random<float>(random, m * k));
                var b = new Matrix<float>(n, k, Random<float>(random, n * k));
                var aPadded = new Matrix<float>(m, padded);
                var bPadded = new Matrix<float>(n, padded);
                for (int r = 0; r < m; r++) a.Row(r).CopyTo(aPadded.Row(r));
                for (int r = 0; r < n; r++) b.Row(r).CopyTo(bPadded.Row(r));
                foreach (var (alpha, beta) in new[] { (1f, 0f), (0.5f, -1.5f) })
                {
                    var start = Random<float>(random, m * n);
                    var tail = new Matrix<float>(m, n, (float[])start.Clone());
                    var whole = new Matrix<float>(m, n, (float[])start.Clone());
                    Gemm.MultiplyTransposeB(a, b, tail, alpha, beta);
                    Gemm.MultiplyTransposeB(aPadded, bPadded, whole, alpha, beta);
                    Assert.Equal(whole.Span.ToArray(), tail.Span.ToArray());
                }
            }
        });
    }

    [Theory, MemberData(nameof(Widths))]
    public void ARowOfCDoesNotDependOnHowManyRowsAreComputedWithIt(int width)
    {
        // Edge tiles of 1, 2, 3 ... 7 rows (the 1-, 2- and 4-row short kernels, the packed 8-row edge) must give each row
        // exactly what a full 8-row tile gives it: C of the first m rows equals the first m rows of C of 16 rows.
        var random = new Random(width + 3);
        AtWidth(width, () =>
        {
            Check<float>(random);
            Check<double>(random);
        });

        static void Check<T>(Random random) where T : unmanaged, IFloatingPointIeee754<T>
        {
            foreach (var (n, k) in new[] { (40, 300), (7, 33) })
                foreach (bool ta in new[] { false, true })
                {
                    const int full = 16;
                    var a = Random<T>(random, full * k);           // op(A) is full x k: A row-major (k per row) or transposed (full per row)
                    var b = Random<T>(random, k * n);
                    var c16 = new T[full * n];
                    Gemm.Compute(ta, false, full, n, k, T.One, a, 0, ta ? full : k, b, 0, n, T.Zero, c16, 0, n);
                    for (int m = 1; m < full; m++)
                    {
                        var cm = new T[m * n];
                        // The same op(A) rows: a leading dimension of `full` keeps the transposed layout's columns in place.
                        Gemm.Compute(ta, false, m, n, k, T.One, a, 0, ta ? full : k, b, 0, n, T.Zero, cm, 0, n);
                        Assert.Equal(c16.AsSpan(0, m * n).ToArray(), cm);
                    }
                }
        }
    }

    [Fact]
    public void DotKernelTileReductionEqualsThePerRowReductionBitForBit()
    {
        // The float32 512-bit dot kernel sums a 4x4 tile's 16 accumulators with cross-lane shuffles (Reduce.Tile4x4) and
        // stores rows of C with masked vector stores; it must give exactly what the per-row folds and horizontal adds give.
        if (ManagedGemm.DefaultVectorBits < 512) return; // no 512-bit registers: the tile reduction never runs
        var random = new Random(21);
        try
        {
            foreach (var (m, n, k) in new[] { (100, 100, 784), (9, 7, 100), (6, 5, 64), (3, 2, 130), (255, 101, 200) })
                foreach (var (alpha, beta) in new[] { (1f, 0f), (-0.75f, 0.5f) })
                {
                    var a = new Matrix<float>(m, k, Random<float>(random, m * k));
                    var b = new Matrix<float>(n, k, Random<float>(random, n * k));
                    // Values around the rounding boundary of the sums: mixed magnitudes.
                    for (int i = 0; i < a.Span.Length; i += 7) a.Span[i] *= 1e4f;
                    var start = Random<float>(random, m * n);
                    var rows = new Matrix<float>(m, n, (float[])start.Clone());
                    var tile = new Matrix<float>(m, n, (float[])start.Clone());
                    ManagedGemm.UseTileReduce = false;
                    Gemm.MultiplyTransposeB(a, b, rows, alpha, beta);
                    ManagedGemm.UseTileReduce = true;
                    Gemm.MultiplyTransposeB(a, b, tile, alpha, beta);
                    Assert.Equal(rows.Span.ToArray(), tile.Span.ToArray());
                }
        }
        finally { ManagedGemm.UseTileReduce = true; }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void SmallLayersRunSideBySideWithTheSameResultAsOneThread(bool selectedRows)
    {
        // 784-100-10 on a batch of 100: the output layer's products (100·100·10 multiply-adds) are too small to split, so
        // its forward pass and the loss run beside Σw², and its dW beside dX. The step must be bit-identical to one thread.
        if (WorkerPool.Shared.Capacity < 2) return;
        var random = new Random(31);
        foreach (var output in new[] { Activation.Softmax, Activation.Sigmoid })
        {
            var net = new Network<float>(NetworkSpec.Create([784, 100, 10], Activation.Relu, output));
            for (int i = 0; i < net.ParameterCount; i++) net.Parameters[i] = (float)(random.NextDouble() - 0.5) * 0.1f;
            var source = new Matrix<float>(300, 784, Random<float>(random, 300 * 784));
            var index = Enumerable.Range(0, 300).Reverse().ToArray();
            var x = new Matrix<float>(100, 784);
            for (int r = 0; r < 100; r++) source.Row(index[50 + r]).CopyTo(x.Row(r));
            var y = Targets.OneHot<float>(Enumerable.Range(0, 100).Select(i => i * 7 % 10).ToArray(), 10);
            double Step() => selectedRows ? net.CostAndGradient(new RowSelection<float>(source, index, 50, 100), y, 0.7)
                : net.CostAndGradient(x, y, 0.7);
            int saved = Parallelism.MaxThreads;
            try
            {
                Parallelism.MaxThreads = 1;
                long serial = SideBySide.ParallelRuns;
                double cost1 = Step();
                var gradient1 = (float[])net.Gradient.Clone();
                Assert.Equal(serial, SideBySide.ParallelRuns);
                Parallelism.MaxThreads = 2;
                long before = SideBySide.ParallelRuns;
                double cost2 = 0;
                for (int attempt = 0; attempt < 50 && SideBySide.ParallelRuns < before + 2; attempt++) cost2 = Step();
                Assert.True(SideBySide.ParallelRuns >= before + 2, "the cost and the output layer's gradients never ran side by side");
                Assert.Equal(cost1, cost2);
                Assert.Equal(gradient1, net.Gradient);
            }
            finally { Parallelism.MaxThreads = saved; }
        }
    }

    [Fact]
    public void AnExceptionInEitherSideBySidePieceReachesTheCaller()
    {
        int saved = Parallelism.MaxThreads;
        try
        {
            foreach (int threads in new[] { 1, 2 })
            {
                Parallelism.MaxThreads = threads;
                Assert.Equal("first", Assert.Throws<InvalidOperationException>(() => new Failing(true).RunBoth()).Message);
                Assert.Equal("second", Assert.Throws<InvalidOperationException>(() => new Failing(false).RunBoth()).Message);
            }
        }
        finally { Parallelism.MaxThreads = saved; }
    }

    private sealed class Failing(bool first) : SideBySide
    {
        protected override void First() { if (first) throw new InvalidOperationException("first"); }
        protected override void Second() { if (!first) throw new InvalidOperationException("second"); }
    }

    [Fact]
    public void AParallelTrainingStepAllocatesNothingOnceWarm()
    {
        // Large enough that every layer's products split over the worker pool.
        var net = new Network<float>(NetworkSpec.Create([256, 128, 64, 10], Activation.Sigmoid, Activation.Softmax));
        var random = new Random(1);
        Random<float>(random, net.ParameterCount).CopyTo(net.Parameters, 0);
        var x = new Matrix<float>(100, 256, Random<float>(random, 100 * 256));
        var y = Targets.OneHot<float>(Enumerable.Range(0, 100).Select(i => i % 10).ToArray(), 10);
        for (int i = 0; i < 3; i++) net.CostAndGradient(x, y, 0.5);
        long runs = GemmJob<float>.ParallelRuns;
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 20; i++) net.CostAndGradient(x, y, 0.5);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.True(GemmJob<float>.ParallelRuns > runs || Parallelism.MaxThreads == 1 || WorkerPool.Shared.Capacity == 1, "no product ran in parallel");
    }
}
