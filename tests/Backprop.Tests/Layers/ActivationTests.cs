using System.Numerics;
using Backprop.Layers;
using Backprop.Numerics;
using static Backprop.Tests.VectorCases;

namespace Backprop.Tests.Layers;

/// <summary>The activation table (Layers/Activation.cs): its names, its scalar maths, and the vector kernels it reaches
/// against plain scalar loops on lengths that exercise every vector tail.</summary>
public sealed class ActivationTests
{
    [Theory]
    [InlineData(Activation.Sigmoid)]
    [InlineData(Activation.Tanh)]
    [InlineData(Activation.Relu)]
    [InlineData(Activation.Identity)]
    public void MultiplyDerivativeEqualsTheScalarFormulaBitForBit(Activation activation)
    {
        Check<float>(activation);
        Check<double>(activation);

        static void Check<T>(Activation activation) where T : unmanaged, IFloatingPointIeee754<T>
        {
            var random = new Random(31);
            foreach (int n in Lengths)
            {
                var a = Values<T>(random, n, activation == Activation.Sigmoid ? 0 : -1, 1);
                if (n > 2) { a[0] = T.Zero; a[1] = T.NaN; } // ReLU's boundary and a NaN activation
                var d = Values<T>(random, n, -2, 2);
                var expected = new T[n];
                for (int i = 0; i < n; i++)
                    expected[i] = activation switch
                    {
                        Activation.Sigmoid => d[i] * (a[i] * (T.One - a[i])),
                        Activation.Tanh => d[i] * (T.One - a[i] * a[i]),
                        Activation.Relu => a[i] > T.Zero ? d[i] : T.Zero,
                        _ => d[i],
                    };
                // Also on a span that starts at an odd offset (unaligned loads).
                var shifted = new T[n + 1];
                d.CopyTo(shifted, 1);
                Activations.MultiplyDerivative<T>(activation, a, d);
                Assert.Equal(expected, d);
                Activations.MultiplyDerivative<T>(activation, a, shifted.AsSpan(1));
                Assert.Equal(expected, shifted[1..]);
            }
        }
    }

    [Fact]
    public void Float32SigmoidIsWithinThreeUlpsOfFloat64AndIndependentOfPosition()
    {
        var random = new Random(77);
        foreach (int n in Lengths.Append(1000))
        {
            var x = Values<float>(random, n, -30, 30);
            if (n == 1000) x = Enumerable.Range(0, n).Select(i => -95f + 0.19f * i).ToArray(); // the whole range, both clamps
            if (n > 4) { x[0] = 0; x[1] = -100; x[2] = 100; x[3] = -1e-30f; }
            var y = (float[])x.Clone();
            Activations.Apply<float>(Activation.Sigmoid, y);
            for (int i = 0; i < n; i++)
            {
                float expected = (float)(1 / (1 + Math.Exp(-(double)x[i])));
                // Within 3 ulps (float32 exp polynomial, then 1/(1 + e)), or 1e-37 absolute where σ is subnormal (x < −87).
                float ulp = MathF.BitIncrement(expected) - expected;
                Assert.True(Math.Abs(y[i] - expected) <= 3 * ulp || Math.Abs(y[i] - expected) <= 1e-37, $"sigmoid({x[i]}) = {y[i]}, expected {expected}");
                // The same element alone (the tail path) gives the same bits.
                var single = new[] { x[i] };
                Activations.Apply<float>(Activation.Sigmoid, single);
                Assert.Equal(y[i], single[0]);
            }
        }
        var special = new[] { float.NaN, float.PositiveInfinity, float.NegativeInfinity };
        Activations.Apply<float>(Activation.Sigmoid, special);
        Assert.True(float.IsNaN(special[0]));
        Assert.Equal(1f, special[1]);
        Assert.Equal(0f, special[2]);
    }

    [Fact]
    public void MultiplyDerivativeRefusesFewerActivationsThanGradients()
    {
        var ex = Assert.Throws<ArgumentException>(() => Activations.MultiplyDerivative<double>(Activation.Sigmoid, new double[3], new double[4]));
        Assert.Contains("3 elements", ex.Message);
    }

    [Theory]
    [InlineData(Activation.Sigmoid)]
    [InlineData(Activation.Tanh)]
    [InlineData(Activation.Relu)]
    [InlineData(Activation.Identity)]
    public void ValueAndDerivativeAreTheTextbookFormulas(Activation activation)
    {
        foreach (double z in new[] { -3.5, -0.25, 0.0, 0.75, 2.0 })
        {
            double a = Activations.Value(activation, z);
            var (expectedA, expectedDerivative) = activation switch
            {
                Activation.Sigmoid => (1 / (1 + Math.Exp(-z)), Math.Exp(-z) / ((1 + Math.Exp(-z)) * (1 + Math.Exp(-z)))),
                Activation.Tanh => (Math.Tanh(z), 1 / (Math.Cosh(z) * Math.Cosh(z))),
                Activation.Relu => (Math.Max(z, 0), z > 0 ? 1.0 : 0.0),
                _ => (z, 1.0),
            };
            Assert.Equal(expectedA, a, 1e-15);
            // f′ written through a = f(z) is f′(z).
            Assert.Equal(expectedDerivative, Activations.Derivative(activation, a), 1e-15);
        }
    }

    [Theory]
    [InlineData(Activation.Sigmoid)]
    [InlineData(Activation.Tanh)]
    [InlineData(Activation.Relu)]
    [InlineData(Activation.Identity)]
    public void ApplyMatchesTheScalarValue(Activation activation)
    {
        var random = new Random(4);
        foreach (int n in Lengths)
        {
            var z = Values<double>(random, n, -6, 6);
            var a = (double[])z.Clone();
            Activations.Apply<double>(activation, a);
            for (int i = 0; i < n; i++) Assert.Equal(Activations.Value(activation, z[i]), a[i], 1e-15);
        }
    }

    [Fact]
    public void SoftmaxRowIsAProbabilityDistributionAndSafeForLargeInputs()
    {
        var row = new[] { 1000.0, 1001.0, 999.0 };
        Activations.Softmax<double>(row);
        Assert.Equal(1.0, row.Sum(), 1e-15);
        double e = Math.Exp(1);
        Assert.Equal(new[] { 1 / (1 + e + 1 / e), e / (1 + e + 1 / e), 1 / e / (1 + e + 1 / e) }, row, new Tolerance(1e-15));
        Assert.Throws<NotSupportedException>(() => Activations.Derivative(Activation.Softmax, 0.5));
    }

    [Fact]
    public void EveryActivationHasANameThatParsesBackAndAFunction()
    {
        foreach (var activation in Enum.GetValues<Activation>())
        {
            Assert.Equal(activation, Activations.Parse(Activations.Name(activation)));
            Assert.Equal(Activations.Name(activation), Activations.Function(activation).ToString().ToLowerInvariant());
        }
        Assert.Equal(Activation.Identity, Activations.Parse(" Linear "));
        Assert.Contains("expected sigmoid", Assert.Throws<ArgumentException>(() => Activations.Parse("swish")).Message);
    }

    private sealed class Tolerance(double eps) : IEqualityComparer<double>
    {
        public bool Equals(double x, double y) => Math.Abs(x - y) <= eps;
        public int GetHashCode(double obj) => 0;
    }
}
