using System.Numerics.Tensors;
using System.Numerics;
using Backprop.Layers;
using Backprop.Losses;

namespace Backprop.Tests.Engine;

/// <summary>The vectorized element-wise kernels against plain scalar loops, on lengths that exercise every vector tail.</summary>
public sealed class ElementwiseKernelTests
{
    private static readonly int[] Lengths = [0, 1, 3, 7, 8, 10, 15, 16, 17, 25, 31, 32, 33, 100, 125, 250];

    private static T[] Values<T>(Random random, int n, double lo, double hi) where T : IFloatingPointIeee754<T> =>
        Enumerable.Range(0, n).Select(_ => T.CreateTruncating(lo + (hi - lo) * random.NextDouble())).ToArray();

    [Theory]
    [InlineData(Activation.Sigmoid)]
    [InlineData(Activation.Tanh)]
    [InlineData(Activation.Relu)]
    [InlineData(Activation.Identity)]
    public void MultiplyDerivative_equals_the_scalar_formula_bit_for_bit(Activation activation)
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
    public void Float32_sigmoid_is_within_three_ulps_of_float64_and_independent_of_position()
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
    public void AddRows_equals_adding_the_rows_one_by_one_bit_for_bit()
    {
        Check<float>();
        Check<double>();

        static void Check<T>() where T : unmanaged, IFloatingPointIeee754<T>
        {
            var random = new Random(5);
            foreach (int width in new[] { 1, 3, 10, 16, 25, 33, 100 })
                foreach (int rows in new[] { 0, 1, 7, 500 })
                {
                    var block = Values<T>(random, rows * width + 3, -1, 1); // 3 spare elements past the rows
                    var start = Values<T>(random, width, -1, 1);
                    var expected = (T[])start.Clone();
                    for (int r = 0; r < rows; r++)
                        for (int j = 0; j < width; j++) expected[j] += block[r * width + j];
                    var actual = (T[])start.Clone();
                    Backprop.Numerics.NumericKernels.AddRows<T>(actual, block, rows);
                    Assert.Equal(expected, actual);
                }
            Assert.Throws<ArgumentException>(() => Backprop.Numerics.NumericKernels.AddRows<T>(new T[4], new T[7], 2));
        }
    }

    [Fact]
    public void MultiplyDerivative_refuses_fewer_activations_than_gradients()
    {
        var ex = Assert.Throws<ArgumentException>(() => Activations.MultiplyDerivative<double>(Activation.Sigmoid, new double[3], new double[4]));
        Assert.Contains("3 elements", ex.Message);
    }

    [Fact]
    public void Sigmoid_cross_entropy_sum_matches_a_scalar_sum_in_float32_and_float64()
    {
        var random = new Random(8);
        foreach (int n in Lengths)
        {
            var z = Values<double>(random, n, -40, 40);
            var y = Enumerable.Range(0, n).Select(_ => (double)random.Next(2)).ToArray();
            double expected = 0;
            for (int i = 0; i < n; i++) expected += Math.Max(z[i], 0) - y[i] * z[i] + Math.Log(1 + Math.Exp(-Math.Abs(z[i])));
            double tolerance = 1e-12 * Math.Max(1, Math.Abs(expected));
            Assert.Equal(expected, LossFunctions.Sum<double>(Activation.Sigmoid, Loss.CrossEntropy, z, new double[n], y, 1), tolerance);
            // float32 (z and the forward's outputs a = σ(z) in float32): the float64 sum over the float32 values, to
            // float32 accuracy (a few ulps of each term, which the float32 forward pass has anyway).
            var zf = z.Select(v => (float)v).ToArray();
            var yf = y.Select(v => (float)v).ToArray();
            var af = zf.Select(v => (float)(1 / (1 + Math.Exp(-(double)v)))).ToArray();
            double expectedF = 0, scale = 0;
            for (int i = 0; i < n; i++)
            {
                double term = Math.Max(zf[i], 0) - yf[i] * (double)zf[i] + Math.Log(1 + Math.Exp(-Math.Abs((double)zf[i])));
                expectedF += term;
                scale += Math.Abs(term) + Math.Abs(zf[i]);
            }
            Assert.Equal(expectedF, LossFunctions.Sum<float>(Activation.Sigmoid, Loss.CrossEntropy, zf, af, yf, 1), 3e-7 * Math.Max(1, scale));
        }
    }

    [Fact]
    public void Block_softmax_of_narrow_float32_rows_equals_the_element_by_element_steps_bit_for_bit()
    {
        // Rows of 8..16 classes take one masked vector per row (NarrowSoftmax); every width must give exactly the scalar
        // steps: max (NaN wins), subtract, the vector exp of a zero-padded 64-element block, in-order sum, divide.
        var random = new Random(17);
        for (int width = 1; width <= 20; width++)
            foreach (int rows in new[] { 1, 2, 3, 37 })
            {
                var block = new float[rows * width];
                for (int i = 0; i < block.Length; i++) block[i] = (float)(random.NextDouble() * 40 - 20);
                if (rows > 2)
                {
                    block[width] = float.NaN;                              // row 1: a NaN
                    block[2 * width] = float.PositiveInfinity;             // row 2: +∞ (∞ − ∞ = NaN)
                    block[^1] = float.NegativeInfinity;                    // last row: −∞ (exp 0)
                    if (width > 1) { block[0] = -0f; block[1] = 0f; }      // signed zeros
                }
                var expected = (float[])block.Clone();
                for (int r = 0; r < rows; r++)
                {
                    var row = expected.AsSpan(r * width, width);
                    float max = row[0];
                    for (int k = 1; k < width; k++) if (row[k] > max || float.IsNaN(row[k])) max = row[k];
                    for (int k = 0; k < width; k++) row[k] -= max;
                }
                if (expected.Length < 64)
                {
                    var padded = new float[64];
                    expected.CopyTo(padded, 0);
                    TensorPrimitives.Exp<float>(padded, padded);
                    padded.AsSpan(0, expected.Length).CopyTo(expected);
                }
                else TensorPrimitives.Exp<float>(expected, expected);
                for (int r = 0; r < rows; r++)
                {
                    var row = expected.AsSpan(r * width, width);
                    float sum = 0;
                    for (int k = 0; k < width; k++) sum += row[k];
                    for (int k = 0; k < width; k++) row[k] /= sum;
                }
                Activations.SoftmaxRows<float>(block, width);
                for (int i = 0; i < block.Length; i++)
                    Assert.True(BitConverter.SingleToInt32Bits(expected[i]) == BitConverter.SingleToInt32Bits(block[i]) || (float.IsNaN(expected[i]) && float.IsNaN(block[i])),
                        $"width {width}, {rows} rows, element {i}: expected {expected[i]}, got {block[i]}");
            }
    }

    [Fact]
    public void Softmax_cross_entropy_sum_in_float32_matches_the_float64_formula()
    {
        var random = new Random(9);
        foreach (var (rows, width) in new[] { (1, 2), (100, 10), (77, 3), (3, 200), (2, 512), (1, 700) })
        {
            var z = Values<double>(random, rows * width, -30, 30);
            z[0] = -200; z[^1] = 150; // an underflowed output (the first row's label may sit there) and a dominant one
            var y = new double[rows * width];
            for (int r = 0; r < rows; r++) y[r * width + random.Next(width)] = 1;
            Array.Clear(y, 0, width);
            y[0] = 1; // the first row's label on its underflowed output: that term comes from z
            var zf = z.Select(v => (float)v).ToArray();
            var yf = y.Select(v => (float)v).ToArray();
            double expected = 0, scale = 0;
            for (int r = 0; r < rows; r++)
            {
                double max = double.NegativeInfinity, sum = 0;
                for (int k = 0; k < width; k++) max = Math.Max(max, zf[r * width + k]);
                for (int k = 0; k < width; k++) sum += Math.Exp(zf[r * width + k] - max);
                for (int k = 0; k < width; k++) expected -= yf[r * width + k] * (zf[r * width + k] - max - Math.Log(sum));
                scale += Math.Abs(max) + Math.Log(sum) + 1;
            }
            // float32 outputs as the forward pass computes them (the loss reads −log a; underflowed outputs fall back to z).
            var af = (float[])zf.Clone();
            Activations.SoftmaxRows<float>(af, width);
            double actual = LossFunctions.Sum<float>(Activation.Softmax, Loss.CrossEntropy, zf, af, yf, rows);
            Assert.Equal(expected, actual, 1e-6 * scale);
            Assert.Equal(expected, LossFunctions.Sum<double>(Activation.Softmax, Loss.CrossEntropy, z.Select(v => (double)(float)v).ToArray(), new double[rows * width], y, rows), 1e-12 * scale);
        }
    }
}

/// <summary>A large output block's loss is summed in two fixed halves (on two threads when free).</summary>
[Collection(Backprop.Tests.Kernels.KernelSettingsCollection.Name)]
public sealed class SplitLossTests
{
    [Theory]
    [InlineData(Activation.Sigmoid, Activation.Sigmoid)]
    [InlineData(Activation.Relu, Activation.Softmax)]
    public void Cost_and_gradient_of_a_large_batch_do_not_depend_on_the_thread_count(Activation hidden, Activation output)
    {
        Check<float>(hidden, output, 1e-6);
        Check<double>(hidden, output, 1e-13);

        static void Check<T>(Activation hidden, Activation output, double tolerance) where T : unmanaged, IFloatingPointIeee754<T>
        {
            // 2001 x 10 outputs = 20010 elements: above the split threshold, an odd number of rows.
            int m = 2001;
            Assert.True(m * 10 >= Backprop.Networks.Network<T>.SplitLossElements);
            var random = new Backprop.Numerics.NumPyRandom(3u);
            var spec = Backprop.Networks.NetworkSpec.Create([20, 7, 10], hidden, output);
            var net = new Backprop.Networks.Network<T>(spec);
            Backprop.Initialization.Initializer.Uniform(0.5).Initialize(net, random);
            var values = new double[m * 20];
            random.Rand(values);
            var x = Backprop.Numerics.Matrix<T>.FromDoubles(m, 20, values);
            var labels = Enumerable.Range(0, m).Select(i => (int)random.RandInt(10)).ToArray();
            var y = Backprop.Networks.Targets.OneHot<T>(labels, 10);
            int saved = Backprop.Numerics.Parallelism.MaxThreads;
            try
            {
                Backprop.Numerics.Parallelism.MaxThreads = 1;
                double c1 = net.CostAndGradient(x, y, 0.5);
                var g1 = (T[])net.Gradient.Clone();
                Backprop.Numerics.Parallelism.MaxThreads = 2;
                double c2 = net.CostAndGradient(x, y, 0.5);
                Assert.Equal(c1, c2);
                Assert.Equal(g1, net.Gradient);
                // The split sum equals the loss summed row by row over the whole batch.
                var z = new Backprop.Numerics.Matrix<T>(m, 10);
                var a = new Backprop.Numerics.Matrix<T>(m, 10);
                var h = new Backprop.Numerics.Matrix<T>(m, 7);
                net.Layers[0].Forward(x, h, h);
                net.Layers[1].Forward(h, z, a);
                double whole = 0;
                for (int r = 0; r < m; r++) whole += LossFunctions.Value<T>(output, LossFunctions.DefaultFor(output), z.Row(r), a.Row(r), y.Row(r));
                double expected = whole / m + 0.5 / (2.0 * m) * net.SquaredWeights();
                Assert.Equal(expected, c1, tolerance * Math.Max(1, Math.Abs(expected)));
            }
            finally { Backprop.Numerics.Parallelism.MaxThreads = saved; }
        }
    }
}
