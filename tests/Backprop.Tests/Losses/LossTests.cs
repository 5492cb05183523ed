using System.Numerics;
using Backprop.Layers;
using Backprop.Losses;
using static Backprop.Tests.VectorCases;

namespace Backprop.Tests.Losses;

/// <summary>The loss table (Losses/Loss.cs): each loss's value and delta, and the vectorized sums against scalar ones.</summary>
public sealed class LossTests
{
    [Fact]
    public void SigmoidCrossEntropySumMatchesAScalarSumInFloat32AndFloat64()
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
    public void SoftmaxCrossEntropySumInFloat32MatchesTheFloat64Formula()
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

    [Fact]
    public void EachLossIsItsTextbookFormula()
    {
        double[] z = [-1.5, 0.25, 2.0], y = [0, 1, 0];
        var sigmoid = z.Select(v => 1 / (1 + Math.Exp(-v))).ToArray();
        double bce = 0;
        for (int k = 0; k < 3; k++) bce -= y[k] * Math.Log(sigmoid[k]) + (1 - y[k]) * Math.Log(1 - sigmoid[k]);
        Assert.Equal(bce, SigmoidCrossEntropy.Value<double>(z, y), 1e-14);
        Assert.Equal(bce, LossFunctions.Value<double>(Activation.Sigmoid, Loss.CrossEntropy, z, sigmoid, y), 1e-14);

        double sum = z.Sum(Math.Exp);
        double nll = -Math.Log(Math.Exp(z[1]) / sum);
        Assert.Equal(nll, SoftmaxCrossEntropy.Value<double>(z, y), 1e-14);

        double[] a = [0.5, -1, 3];
        Assert.Equal(0.5 * (0.25 + 4 + 9), SquaredError.Value<double>(a, y), 1e-15);
        Assert.Equal(SquaredError.Value<double>(a, y), LossFunctions.Value<double>(Activation.Identity, Loss.SquaredError, z, a, y));
    }

    [Fact]
    public void CrossEntropyStaysFiniteWhereTheOutputsSaturate()
    {
        // σ(±800) rounds to 0 or 1, where log h would be −∞: the loss is computed from z instead.
        double[] z = [800, -800], y = [0, 1];
        Assert.Equal(1600, SigmoidCrossEntropy.Value<double>(z, y), 1e-9);
        Assert.Equal(1600, SoftmaxCrossEntropy.Value<double>(z, y), 1e-9);
    }

    [Theory]
    [InlineData(Activation.Sigmoid, Loss.CrossEntropy)]
    [InlineData(Activation.Softmax, Loss.CrossEntropy)]
    [InlineData(Activation.Sigmoid, Loss.SquaredError)]
    [InlineData(Activation.Tanh, Loss.SquaredError)]
    [InlineData(Activation.Identity, Loss.SquaredError)]
    public void DeltaIsTheDerivativeOfTheMeanLossWithRespectToZ(Activation output, Loss loss)
    {
        // dCost/dZ by central differences of (1/m)·Σ loss(f(z)) against Delta, for a batch of two rows of three.
        const int m = 2, width = 3;
        double[] z = [0.3, -1.2, 0.8, 1.5, 0.1, -0.4], y = [0, 1, 0, 1, 0, 0];
        var a = Outputs(output, z, width);
        var delta = new double[z.Length];
        LossFunctions.Delta<double>(output, loss, a, y, 1.0 / m, delta);
        for (int i = 0; i < z.Length; i++)
        {
            const double h = 1e-6;
            var up = (double[])z.Clone(); up[i] += h;
            var down = (double[])z.Clone(); down[i] -= h;
            double numeric = (MeanLoss(up) - MeanLoss(down)) / (2 * h);
            Assert.Equal(numeric, delta[i], 1e-8);
        }

        double MeanLoss(double[] zz) => LossFunctions.Sum<double>(output, loss, zz, Outputs(output, zz, width), y, m) / m;
    }

    [Fact]
    public void PairsWithoutAWellDefinedDeltaAreRefused()
    {
        Assert.Throws<ArgumentException>(() => LossFunctions.Validate(Activation.Tanh, Loss.CrossEntropy));
        Assert.Throws<ArgumentException>(() => LossFunctions.Validate(Activation.Softmax, Loss.SquaredError));
        Assert.Throws<ArgumentException>(() => LossFunctions.Value<double>(Activation.Relu, Loss.CrossEntropy, [1.0], [1.0], [1.0]));
        Assert.Equal(Loss.CrossEntropy, LossFunctions.Parse(LossFunctions.Name(Loss.CrossEntropy)));
        Assert.Equal(Loss.SquaredError, LossFunctions.Parse(LossFunctions.Name(Loss.SquaredError)));
        Assert.Equal(Loss.SquaredError, LossFunctions.DefaultFor(Activation.Tanh));
    }

    private static double[] Outputs(Activation output, double[] z, int width)
    {
        var a = (double[])z.Clone();
        for (int r = 0; r < a.Length; r += width) Activations.Apply(output, a.AsSpan(r, width));
        return a;
    }
}
