using System.Numerics;
using Backprop.Layers;
using Backprop.Networks;
using Backprop.Numerics;

namespace Backprop.Tests.Numerics;

/// <summary>
/// Mini-batches read in place (<see cref="RowSelection{T}"/>): every product, and the whole training step, must give
/// exactly — bit for bit — what the same call gives on the copied rows, on every kernel path (rows read through the
/// index by the dot and packing kernels, or gathered first where a kernel cannot).
/// </summary>
[Collection(KernelSettingsCollection.Name)]
public sealed class RowSelectionTests
{
    private static T[] Random<T>(Random random, int length) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var values = new T[length];
        for (int i = 0; i < length; i++) values[i] = T.CreateTruncating(random.NextDouble() * 2 - 1);
        return values;
    }

    /// <summary>A selection of <paramref name="count"/> rows (some repeated) of a matrix of <paramref name="rows"/> rows,
    /// starting partway into the index.</summary>
    private static (Matrix<T> Source, RowSelection<T> Selection, Matrix<T> Copied) Select<T>(Random random, int rows, int cols, int count)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var source = new Matrix<T>(rows, cols, Random<T>(random, rows * cols));
        var index = new int[count + 5];
        for (int i = 0; i < index.Length; i++) index[i] = random.Next(rows);
        var selection = new RowSelection<T>(source, index, 3, count);
        var copied = new Matrix<T>(count, cols);
        for (int r = 0; r < count; r++) source.Row(index[3 + r]).CopyTo(copied.Row(r));
        return (source, selection, copied);
    }

    // Batches the dot kernel reads in place (short and deep), and shapes it does not compute (taller than
    // ManagedGemm.DotMaxRows, or shallower than DotMinDepth), which go through the gathered copy.
    private static readonly (int M, int N, int K)[] ForwardShapes =
        [(100, 100, 784), (1, 3, 64), (7, 10, 100), (255, 25, 130), (300, 25, 70), (50, 10, 8), (2, 1, 1)];

    // dW = dZᵀ·X: m = units, n = inputs, k = batch rows (packed from the selection).
    private static readonly (int M, int N, int K)[] GradientShapes =
        [(100, 784, 100), (25, 40, 7), (10, 33, 300), (1, 1, 1), (9, 129, 64)];

    private static void CheckProducts<T>(int seed) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var random = new Random(seed);
        foreach (var (m, n, k) in ForwardShapes)
        {
            var (_, selection, copied) = Select<T>(random, m + 40, k, m);
            var w = new Matrix<T>(n, k, Random<T>(random, n * k));
            var bias = Random<T>(random, n);
            var expected = new Matrix<T>(m, n);
            var actual = new Matrix<T>(m, n);
            Gemm.MultiplyTransposeB(copied, w, expected, bias, Nonlinearity.Sigmoid);
            Gemm.MultiplyTransposeB(selection, w, actual, bias, Nonlinearity.Sigmoid);
            Assert.True(expected.Span.SequenceEqual(actual.Span), $"forward {m}x{n}x{k}");
        }
        foreach (var (m, n, k) in GradientShapes)
        {
            var (_, selection, copied) = Select<T>(random, k + 30, n, k);
            var dz = new Matrix<T>(k, m, Random<T>(random, k * m));
            var expected = new Matrix<T>(m, n, Random<T>(random, m * n));
            var actual = expected.Clone();
            T beta = T.CreateTruncating(0.5);
            Gemm.MultiplyTransposeA(dz, copied, expected, T.One, beta);
            Gemm.MultiplyTransposeA(dz, selection, actual, T.One, beta);
            Assert.True(expected.Span.SequenceEqual(actual.Span), $"gradient {m}x{n}x{k}");
        }
    }

    [Theory]
    [MemberData(nameof(GemmTests.Widths), MemberType = typeof(GemmTests))]
    public void ProductsOnSelectedRowsEqualTheProductsOnTheCopiedRows(int width)
    {
        GemmTests.AtWidth(width, () =>
        {
            CheckProducts<float>(1);
            CheckProducts<double>(2);
        });
    }

    [Fact]
    public void ProductsOnSelectedRowsAreIdenticalForOneAndTwoThreads()
    {
        int saved = Parallelism.MaxThreads;
        try
        {
            Parallelism.MaxThreads = 1;
            CheckProducts<float>(3);
            Parallelism.MaxThreads = 2;
            CheckProducts<float>(3);
        }
        finally { Parallelism.MaxThreads = saved; }
    }

    [Fact]
    public void AnotherProviderGetsTheSelectedRowsGathered()
    {
        if (GemmProvider.OpenBlas is not { } openBlas) return; // the library is not installed here
        var saved = Gemm.Provider;
        try
        {
            Gemm.Provider = openBlas;
            CheckProducts<float>(4);
            CheckProducts<double>(5);
        }
        finally { Gemm.Provider = saved; }
    }

    public static TheoryData<string> Networks() => new() { "sigmoid", "relu-softmax", "tanh-deep", "logistic" };

    private static NetworkSpec Spec(string name) => name switch
    {
        "sigmoid" => NetworkSpec.Create([784, 100, 10], Activation.Sigmoid, Activation.Sigmoid),
        "relu-softmax" => NetworkSpec.Create([130, 64, 10], Activation.Relu, Activation.Softmax),
        "tanh-deep" => NetworkSpec.Create([70, 33, 17, 3], Activation.Tanh, Activation.Softmax),
        _ => NetworkSpec.Create([784, 10], Activation.Sigmoid, Activation.Softmax),
    };

    [Theory]
    [MemberData(nameof(Networks))]
    public void ATrainingStepOnSelectedRowsEqualsTheStepOnTheCopiedRows(string name)
    {
        foreach (int batch in new[] { 100, 37, 1 })
        {
            Step<float>(name, batch);
            Step<double>(name, batch);
        }
    }

    private static void Step<T>(string name, int batch) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var random = new Random(batch);
        var spec = Spec(name);
        var net = new Network<T>(spec, Random<T>(random, spec.ParameterCount));
        var (_, selection, copied) = Select<T>(random, 500, spec.Inputs, batch);
        var y = Targets.OneHot<T>(Enumerable.Range(0, batch).Select(i => random.Next(spec.Outputs)).ToArray(), spec.Outputs);
        double expectedCost = net.CostAndGradient(copied, y, 0.7);
        var expected = (T[])net.Gradient.Clone();
        Array.Clear(net.Gradient);
        double cost = net.CostAndGradient(selection, y, 0.7);
        Assert.Equal(expectedCost, cost);
        Assert.True(expected.AsSpan().SequenceEqual(net.Gradient), $"{name}, batch {batch}: the gradients differ");
    }

    [Fact]
    public void TheManagedKernelsReadATrainingBatchInPlace()
    {
        var spec = NetworkSpec.Create([784, 100, 10], Activation.Relu, Activation.Softmax);
        var random = new Random(10);
        var net = new Network<float>(spec, Random<float>(random, spec.ParameterCount));
        var (_, selection, _) = Select<float>(random, 300, 784, 100);
        var y = Targets.OneHot<float>(Enumerable.Range(0, 100).Select(i => i % 10).ToArray(), 10);
        long before = GemmJob<float>.GatheredSelections;
        net.CostAndGradient(selection, y, 0.1);
        Assert.Equal(before, GemmJob<float>.GatheredSelections);
        // A shape the dot kernel does not compute (3 inputs) is gathered: same results, one copy per product.
        var small = new Network<float>(NetworkSpec.Create([3, 4, 2], Activation.Tanh, Activation.Softmax), Random<float>(random, 26));
        var (_, few, _) = Select<float>(random, 20, 3, 8);
        small.CostAndGradient(few, Targets.OneHot<float>([0, 1, 0, 1, 1, 0, 0, 1], 2), 0.1);
        Assert.Equal(before + 1, GemmJob<float>.GatheredSelections);
    }

    [Fact]
    public void ATrainingStepOnSelectedRowsAllocatesNothingOnceWarm()
    {
        var spec = NetworkSpec.Create([784, 100, 10], Activation.Sigmoid, Activation.Sigmoid);
        var random = new Random(9);
        var net = new Network<float>(spec, Random<float>(random, spec.ParameterCount));
        var x = new Matrix<float>(1000, 784, Random<float>(random, 1000 * 784));
        var order = Enumerable.Range(0, 1000).Reverse().ToArray();
        var y = Targets.OneHot<float>(Enumerable.Range(0, 100).Select(i => i % 10).ToArray(), 10);
        for (int i = 0; i < 3; i++) net.CostAndGradient(new RowSelection<float>(x, order, 100 * i, 100), y, 0.5);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 10; i++) net.CostAndGradient(new RowSelection<float>(x, order, 100 * i, 100), y, 0.5);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void BadSelectionsAreRefusedWithWhatWasExpected()
    {
        var x = new Matrix<double>(4, 3);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new RowSelection<double>(x, [0, 1, 4], 0, 3));
        Assert.Contains("entry 2 is 4", e.Message);
        Assert.Contains("rows 0..3", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new RowSelection<double>(x, [0, -1], 0, 2));
        e = Assert.Throws<ArgumentOutOfRangeException>(() => new RowSelection<double>(x, [0, 1], 1, 2));
        Assert.Contains("[1, 3)", e.Message);

        var net = new Network<double>(NetworkSpec.Create([3, 2, 2], Activation.Sigmoid, Activation.Sigmoid));
        var selection = new RowSelection<double>(x, [3, 2, 1], 0, 3);
        var a = Assert.Throws<ArgumentException>(() => net.CostAndGradient(selection, new Matrix<double>(2, 2)));
        Assert.Contains("3x2", a.Message);
        var wide = new Matrix<double>(4, 5);
        a = Assert.Throws<ArgumentException>(() => net.CostAndGradient(new RowSelection<double>(wide, [0], 0, 1), new Matrix<double>(1, 2)));
        Assert.Contains("5 columns", a.Message);
        a = Assert.Throws<ArgumentException>(() => net.CostAndGradient(new RowSelection<double>(x, [0], 0, 0), new Matrix<double>(0, 2)));
        Assert.Contains("empty batch", a.Message);
    }
}
