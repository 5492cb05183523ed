using System.Numerics;
using System.Numerics.Tensors;
using Backprop.Numerics;

namespace Backprop.Tests.Numerics;

/// <summary>
/// The one-pass optimizer updates equal, bit for bit, the same formulas written as whole-vector operations
/// (TensorPrimitives, one rounding per operation), for every length around the vector widths (tails included).
/// </summary>
public class OptimizerKernelsTests
{
    private static readonly int[] Lengths = [1, 3, 7, 8, 15, 16, 17, 31, 33, 64, 100, 1000, 4099];

    private static T[] Random<T>(int n, int seed, double scale) where T : IFloatingPointIeee754<T>
    {
        var r = new Random(seed);
        return Enumerable.Range(0, n).Select(_ => T.CreateChecked((r.NextDouble() - 0.5) * scale)).ToArray();
    }

    private static void AdamMatchesVectorOperations<T>() where T : unmanaged, IFloatingPointIeee754<T>
    {
        T b1 = T.CreateChecked(0.9), c1 = T.CreateChecked(1 - 0.9), b2 = T.CreateChecked(0.999), c2 = T.CreateChecked(1 - 0.999);
        T eps = T.CreateChecked(1e-8), rate = T.CreateChecked(-0.00123);
        foreach (int n in Lengths)
        {
            T[] p = Random<T>(n, n, 2), g = Random<T>(n, n + 1, 0.1), m = Random<T>(n, n + 2, 0.01);
            T[] v = Random<T>(n, n + 3, 0.001).Select(T.Abs).ToArray();
            T[] p2 = (T[])p.Clone(), m2 = (T[])m.Clone(), v2 = (T[])v.Clone(), a = new T[n], b = new T[n];

            OptimizerKernels.Adam<T>(p, g, m, v, b1, c1, b2, c2, eps, rate);

            TensorPrimitives.Multiply(m2, b1, m2);
            TensorPrimitives.Multiply(g, c1, a);
            TensorPrimitives.Add(m2, a, m2);
            TensorPrimitives.Multiply(g, g, a);
            TensorPrimitives.Multiply(a, c2, a);
            TensorPrimitives.Multiply(v2, b2, v2);
            TensorPrimitives.Add(v2, a, v2);
            TensorPrimitives.Sqrt<T>(v2, a);
            TensorPrimitives.Add(a, eps, a);
            TensorPrimitives.Multiply(m2, rate, b);
            TensorPrimitives.Divide(b, a, b);
            TensorPrimitives.Add(p2, b, p2);

            Assert.Equal(m2, m);
            Assert.Equal(v2, v);
            Assert.Equal(p2, p);
        }
    }

    [Fact] public void AdamFloatMatchesVectorOperations() => AdamMatchesVectorOperations<float>();
    [Fact] public void AdamDoubleMatchesVectorOperations() => AdamMatchesVectorOperations<double>();

    private static void MomentumMatchesVectorOperations<T>(bool nesterov) where T : unmanaged, IFloatingPointIeee754<T>
    {
        T mu = T.CreateChecked(0.9), rate = T.CreateChecked(-0.05);
        foreach (int n in Lengths)
        {
            T[] p = Random<T>(n, n, 2), g = Random<T>(n, n + 1, 0.1), v = Random<T>(n, n + 2, 0.01);
            T[] p2 = (T[])p.Clone(), v2 = (T[])v.Clone(), step = new T[n], u = new T[n];

            OptimizerKernels.Momentum<T>(p, g, v, mu, rate, nesterov);

            TensorPrimitives.Multiply(g, rate, step);
            TensorPrimitives.Multiply(v2, mu, v2);
            TensorPrimitives.Add(v2, step, v2);
            if (nesterov)
            {
                TensorPrimitives.Multiply(v2, mu, u);
                TensorPrimitives.Add(u, step, u);
                TensorPrimitives.Add(p2, u, p2);
            }
            else TensorPrimitives.Add(p2, v2, p2);

            Assert.Equal(v2, v);
            Assert.Equal(p2, p);
        }
    }

    [Theory, InlineData(false), InlineData(true)]
    public void MomentumFloatMatchesVectorOperations(bool nesterov) => MomentumMatchesVectorOperations<float>(nesterov);

    [Theory, InlineData(false), InlineData(true)]
    public void MomentumDoubleMatchesVectorOperations(bool nesterov) => MomentumMatchesVectorOperations<double>(nesterov);

    [Fact]
    public void VectorsOfDifferentLengthsAreRefused()
    {
        var ex = Assert.Throws<ArgumentException>(() => OptimizerKernels.Adam<float>(new float[4], new float[3], new float[4], new float[4], 0.9f, 0.1f, 0.999f, 0.001f, 1e-8f, -0.001f));
        Assert.Contains("differ in length", ex.Message);
        Assert.Throws<ArgumentException>(() => OptimizerKernels.Momentum<float>(new float[4], new float[4], new float[5], 0.9f, -0.1f, false));
    }
}
