using BenchmarkDotNet.Attributes;
using Backprop.Numerics;
using Backprop.Training;

namespace Backprop.Benchmarks;

/// <summary>
/// Elastic distortion of an MNIST epoch's worth of images: 600 mini-batches of 100 28x28 images (60 000 in all) per
/// operation, as the trainer distorts them (draws from the generator, then the images on the worker pool).
/// </summary>
[MemoryDiagnoser]
public class AugmentationBenchmarks
{
    private ElasticDistortion<float> elastic32 = null!;
    private ElasticDistortion<double> elastic64 = null!;
    private Matrix<float> batch32 = null!;
    private Matrix<double> batch64 = null!;
    private readonly NumPyRandom random = new(1u);

    [Params(1, 2)]
    public int Threads { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        Parallelism.MaxThreads = Threads;
        elastic32 = new ElasticDistortion<float>(28, 28);
        elastic64 = new ElasticDistortion<double>(28, 28);
        var source = new Random(3);
        batch32 = new Matrix<float>(100, 784);
        batch64 = new Matrix<double>(100, 784);
        for (int i = 0; i < batch32.Length; i++) batch64.Span[i] = batch32.Span[i] = (float)source.NextDouble();
    }

    [Benchmark]
    public void ElasticFloat32()
    {
        for (int b = 0; b < 600; b++) elastic32.DistortRows(batch32, random);
    }

    [Benchmark]
    public void ElasticFloat64()
    {
        for (int b = 0; b < 600; b++) elastic64.DistortRows(batch64, random);
    }
}
