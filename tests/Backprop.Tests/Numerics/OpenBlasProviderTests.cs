using Backprop.Layers;
using Backprop.Numerics;

namespace Backprop.Tests.Numerics;

/// <summary>A fact that is skipped (not failed) when no OpenBLAS / CBLAS library can be loaded.</summary>
public sealed class OpenBlasFactAttribute : FactAttribute
{
    public OpenBlasFactAttribute()
    {
        if (GemmProvider.OpenBlas is null)
            Skip = "OpenBLAS is not installed (libopenblas.so.0 / libblas.so.3 with cblas_sgemm); apt-get install libopenblas0 to run this test.";
    }
}

[Collection(KernelSettingsCollection.Name)]
public sealed class OpenBlasProviderTests
{
    [OpenBlasFact]
    public void OpenBlasMatchesTheManagedKernelForEveryFormAndTheFusedEpilogues()
    {
        var blas = GemmProvider.OpenBlas!;
        Assert.Same(blas, GemmProvider.Parse("openblas"));
        var random = new Random(21);
        var saved = Gemm.Provider;
        try
        {
            foreach (var (m, n, k) in new[] { (1, 1, 1), (7, 17, 33), (129, 33, 300), (100, 100, 784) })
                foreach (bool ta in new[] { false, true })
                    foreach (bool tb in new[] { false, true })
                    {
                        int lda = (ta ? m : k) + 2, ldb = (tb ? k : n) + 1, ldc = n + 3;
                        var a = Enumerable.Range(0, 3 + (ta ? k : m) * lda).Select(_ => random.NextDouble() - 0.5).ToArray();
                        var b = Enumerable.Range(0, 1 + (tb ? n : k) * ldb).Select(_ => random.NextDouble() - 0.5).ToArray();
                        var c0 = Enumerable.Range(0, 4 + m * ldc).Select(_ => random.NextDouble() - 0.5).ToArray();
                        var managed = (double[])c0.Clone();
                        var native = (double[])c0.Clone();
                        Gemm.Provider = GemmProvider.Managed;
                        Gemm.Compute(ta, tb, m, n, k, 0.75, a, 3, lda, b, 1, ldb, -0.5, managed, 4, ldc);
                        Gemm.Provider = blas;
                        Gemm.Compute(ta, tb, m, n, k, 0.75, a, 3, lda, b, 1, ldb, -0.5, native, 4, ldc);
                        for (int i = 0; i < managed.Length; i++)
                            Assert.True(Math.Abs(managed[i] - native[i]) <= 1e-12 * (1 + Math.Abs(managed[i])),
                                $"{(ta ? "T" : "N")}{(tb ? "T" : "N")} {m}x{n}x{k} element {i}: managed {managed[i]}, OpenBLAS {native[i]}");
                    }

            // The fused forward product through OpenBLAS (product native, epilogue managed), float32.
            var x = new Matrix<float>(64, 50, Enumerable.Range(0, 64 * 50).Select(_ => (float)random.NextDouble()).ToArray());
            var w = new Matrix<float>(30, 50, Enumerable.Range(0, 30 * 50).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray());
            var bias = Enumerable.Range(0, 30).Select(_ => (float)random.NextDouble()).ToArray();
            var z1 = new Matrix<float>(64, 30);
            var z2 = new Matrix<float>(64, 30);
            Gemm.Provider = GemmProvider.Managed;
            Gemm.MultiplyTransposeB(x, w, z1, bias, Nonlinearity.Sigmoid);
            Gemm.Provider = blas;
            Gemm.MultiplyTransposeB(x, w, z2, bias, Nonlinearity.Sigmoid);
            for (int i = 0; i < z1.Length; i++) Assert.True(Math.Abs(z1.Span[i] - z2.Span[i]) < 1e-6, $"element {i}: {z1.Span[i]} vs {z2.Span[i]}");
        }
        finally { Gemm.Provider = saved; }
    }

    [Fact]
    public void UnknownProviderNamesAreRejected()
    {
        var e = Assert.Throws<ArgumentException>(() => GemmProvider.Parse("mkl"));
        Assert.Contains("managed, reference or openblas", e.Message);
        Assert.Same(GemmProvider.Managed, GemmProvider.Parse("managed"));
    }
}

public sealed class OpenBlasDetectionTests
{
    /// <summary>Debian's reference BLAS (netlib, with CBLAS) is not OpenBLAS: --provider openblas must not run on it.</summary>
    private const string ReferenceBlas = "/usr/lib/x86_64-linux-gnu/blas/libblas.so.3";

    [Fact]
    public void AReferenceBlasIsNotTakenForOpenBlas()
    {
        Assert.Null(OpenBlasProvider.TryLoad(["libm.so.6", "no-such-library.so"]));
        if (File.Exists(ReferenceBlas)) Assert.Null(OpenBlasProvider.TryLoad([ReferenceBlas]));
    }
}
