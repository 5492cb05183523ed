using Backprop.Numerics;

namespace Backprop.Tests.Numerics;

/// <summary>The reference provider (Numerics/ReferenceGemm.cs): the textbook product, and the same results as the
/// managed kernels for every transpose form and fused epilogue.</summary>
[Collection(KernelSettingsCollection.Name)]
public sealed class ReferenceGemmTests
{
    [Fact]
    public void ReferenceIsTheTextbookProduct()
    {
        Providers.Under("reference", () =>
        {
            var a = new Matrix<double>(2, 3, [1, 2, 3, 4, 5, 6]);
            var b = new Matrix<double>(3, 2, [7, 8, 9, 10, 11, 12]);
            var c = new Matrix<double>(2, 2, [1, 1, 1, 1]);
            Gemm.Multiply(a, b, c, 2.0, 0.5);
            Assert.Equal(new[] { 2 * 58 + 0.5, 2 * 64 + 0.5, 2 * 139 + 0.5, 2 * 154 + 0.5 }, c.Span.ToArray());
        });
        Assert.Same(GemmProvider.Reference, GemmProvider.Parse("reference"));
        Assert.Equal("reference", GemmProvider.Reference.Name);
    }

    [Fact]
    public void ReferenceMatchesTheManagedKernelsForEveryFormAndEpilogue()
    {
        var random = new Random(5);
        double[] R(int n) => Enumerable.Range(0, n).Select(_ => random.NextDouble() - 0.5).ToArray();
        foreach (var (m, n, k) in new[] { (1, 1, 1), (7, 17, 33), (100, 10, 130) })
        {
            foreach (bool ta in new[] { false, true })
                foreach (bool tb in new[] { false, true })
                {
                    var a = R(m * k); var b = R(k * n); var c0 = R(m * n);
                    var results = Run(() =>
                    {
                        var c = (double[])c0.Clone();
                        Gemm.Compute(ta, tb, m, n, k, 0.75, a, 0, ta ? m : k, b, 0, tb ? k : n, -0.5, c, 0, n);
                        return c;
                    });
                    AssertClose(results.Managed, results.Reference);
                }
            var x = new Matrix<double>(m, k, R(m * k));
            var w = new Matrix<double>(n, k, R(n * k));
            var bias = R(n);
            foreach (var f in Enum.GetValues<Nonlinearity>())
            {
                var forward = Run(() =>
                {
                    var z = new Matrix<double>(m, n);
                    var act = new Matrix<double>(m, n);
                    Gemm.MultiplyTransposeB(x, w, z, bias, f, act);
                    return [.. z.Span.ToArray(), .. act.Span.ToArray()];
                });
                AssertClose(forward.Managed, forward.Reference);
                if (f == Nonlinearity.Softmax) continue;
                var dz = new Matrix<double>(m, n, R(m * n));
                var outputs = new Matrix<double>(m, k, R(m * k).Select(v => v + 0.5).ToArray());
                var backward = Run(() =>
                {
                    var dx = new Matrix<double>(m, k);
                    Gemm.Multiply(dz, w, dx, f, outputs);
                    return dx.Span.ToArray();
                });
                AssertClose(backward.Managed, backward.Reference);
            }
            var penalized = Run(() =>
            {
                var dw = new Matrix<double>(n, k);
                Gemm.MultiplyTransposeA(new Matrix<double>(m, n, Enumerable.Range(0, m * n).Select(i => 0.01 * (i % 7) - 0.03).ToArray()), x, dw, 0.3, w);
                return dw.Span.ToArray();
            });
            AssertClose(penalized.Managed, penalized.Reference);
        }
    }

    private static (double[] Managed, double[] Reference) Run(Func<double[]> product)
    {
        double[] managed = [], reference = [];
        Providers.Under("managed", () => managed = product());
        Providers.Under("reference", () => reference = product());
        return (managed, reference);
    }

    private static void AssertClose(double[] expected, double[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-12 * (1 + Math.Abs(expected[i])), $"element {i}: managed {expected[i]}, reference {actual[i]}");
    }
}
