using System.Numerics;
using System.Numerics.Tensors;
using Backprop.Numerics;
using static Backprop.Tests.VectorCases;

namespace Backprop.Tests.Numerics;

/// <summary>The element-wise operations Numerics owns (Elementwise, NumericKernels) against plain loops.</summary>
public sealed class ElementwiseTests
{
    [Fact]
    public void AddRowsEqualsAddingTheRowsOneByOneBitForBit()
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
                    NumericKernels.AddRows<T>(actual, block, rows);
                    Assert.Equal(expected, actual);
                }
            Assert.Throws<ArgumentException>(() => NumericKernels.AddRows<T>(new T[4], new T[7], 2));
        }
    }

    [Fact]
    public void BlockSoftmaxOfNarrowFloat32RowsEqualsTheElementByElementStepsBitForBit()
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
                Elementwise.SoftmaxRows<float>(block, width);
                for (int i = 0; i < block.Length; i++)
                    Assert.True(BitConverter.SingleToInt32Bits(expected[i]) == BitConverter.SingleToInt32Bits(block[i]) || (float.IsNaN(expected[i]) && float.IsNaN(block[i])),
                        $"width {width}, {rows} rows, element {i}: expected {expected[i]}, got {block[i]}");
            }
    }

    [Fact]
    public void SelectAtLeastKeepsTheDrawsAtOrAboveTheThreshold()
    {
        var draws = Enumerable.Range(0, 37).Select(i => (uint)(i * 0x0800_0000u)).ToArray();
        var single = new float[37];
        var full = new double[37];
        Elementwise.SelectAtLeast(draws, 0x8000_0000u, 2f, single);
        Elementwise.SelectAtLeast(draws, 0x8000_0000u, 2.0, full);
        for (int i = 0; i < draws.Length; i++)
        {
            Assert.Equal(draws[i] >= 0x8000_0000u ? 2f : 0f, single[i]);
            Assert.Equal(draws[i] >= 0x8000_0000u ? 2.0 : 0.0, full[i]);
        }
    }

    [Fact]
    public void ApplyAnyLengthGivesEveryElementTheVectorResult()
    {
        var random = new Random(12);
        var x = Values<float>(random, 100, -8, 8);
        var whole = (float[])x.Clone();
        Elementwise.ApplyAnyLength(Nonlinearity.Tanh, whole);
        for (int n = 1; n <= 9; n++)
        {
            var part = x[..n];
            Elementwise.ApplyAnyLength(Nonlinearity.Tanh, part);
            Assert.Equal(whole[..n], part);
        }
    }
}
