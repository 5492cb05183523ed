using BenchmarkDotNet.Attributes;
using Backprop.Layers;
using Backprop.Networks;
using Backprop.Numerics;

namespace Backprop.Benchmarks;

/// <summary>The products of the standard workloads, each transpose form, float32 and float64, managed vs OpenBLAS.</summary>
[MemoryDiagnoser]
public class GemmBenchmarks
{
    private float[] af = [], bf = [], cf = [];
    private double[] ad = [], bd = [], cd = [];

    /// <summary>m x n x k and the form: NT = forward X·Wᵀ, NN = dX = dZ·W, TN = dW = dZᵀ·X.</summary>
    [Params("NT 100x100x784", "TN 100x784x100", "NN 100x784x100", "NT 5000x25x400", "TN 25x400x5000", "NN 1024x1024x1024")]
    public string Shape { get; set; } = "NT 100x100x784";

    [Params("managed", "openblas")]
    public string Provider { get; set; } = "managed";

    private bool ta, tb;
    private int m, n, k;

    [GlobalSetup]
    public void Setup()
    {
        var parts = Shape.Split(' ');
        ta = parts[0][0] == 'T';
        tb = parts[0][1] == 'T';
        var dims = parts[1].Split('x').Select(int.Parse).ToArray();
        (m, n, k) = (dims[0], dims[1], dims[2]);
        var random = new Random(1);
        af = Enumerable.Range(0, m * k).Select(_ => (float)random.NextDouble()).ToArray();
        bf = Enumerable.Range(0, n * k).Select(_ => (float)random.NextDouble()).ToArray();
        cf = new float[m * n];
        ad = af.Select(v => (double)v).ToArray();
        bd = bf.Select(v => (double)v).ToArray();
        cd = new double[m * n];
        Gemm.Provider = Provider == "openblas" ? GemmProvider.OpenBlas ?? GemmProvider.Managed : GemmProvider.Managed;
    }

    [Benchmark]
    public void Float32() => Gemm.Compute(ta, tb, m, n, k, 1f, af, 0, ta ? m : k, bf, 0, tb ? k : n, 0f, cf, 0, n);

    [Benchmark]
    public void Float64() => Gemm.Compute(ta, tb, m, n, k, 1.0, ad, 0, ta ? m : k, bd, 0, tb ? k : n, 0.0, cd, 0, n);
}

/// <summary>One training step (cost + gradient) of 784-100-10 on a batch of 100: the fused kernels end to end.</summary>
[MemoryDiagnoser]
public class TrainingStepBenchmarks
{
    private Network<float> net = null!;
    private Matrix<float> x = null!, y = null!;

    [Params(Activation.Sigmoid, Activation.Relu)]
    public Activation Hidden { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(2);
        net = new Network<float>(NetworkSpec.Create([784, 100, 10], Hidden, Hidden == Activation.Relu ? Activation.Softmax : Activation.Sigmoid));
        for (int i = 0; i < net.Parameters.Length; i++) net.Parameters[i] = (float)(random.NextDouble() * 0.1 - 0.05);
        // Allocated as the data loaders do (storage on a cache line, so rows of 784 floats are aligned).
        x = new Matrix<float>(100, 784);
        for (int i = 0; i < x.Length; i++) x.Span[i] = (float)random.NextDouble();
        y = Targets.OneHot<float>(Enumerable.Range(0, 100).Select(i => i % 10).ToArray(), 10);
    }

    [Benchmark]
    public double CostAndGradient() => net.CostAndGradient(x, y, 0.01);

    [Benchmark]
    public Matrix<float> Forward() => net.Forward(x);
}
