using System.Diagnostics;
using System.Numerics;
using Backprop.Initialization;
using Backprop.Layers;
using Backprop.Networks;
using Backprop.Numerics;
using Backprop.Training;

namespace Backprop.Benchmarks;

/// <summary>One workload's timings: median, min and max over the repetitions, and the arithmetic rate at the median.</summary>
public sealed record WorkloadResult(string Name, string DType, int Repeat, double MedianMs, double MinMs, double MaxMs, double Gflop)
{
    /// <summary>GFLOP/s at the median time.</summary>
    public double Gflops => MedianMs > 0 ? Gflop / (MedianMs / 1000) : 0;
}

/// <summary>
/// The standard performance workloads of <c>backprop bench</c> (the same shapes run by bench/peers/run_peers.py
/// in PyTorch and NumPy). Data are uniform random numbers from a fixed seed; what is timed is exactly one
/// iteration / epoch / inference pass / product, after untimed warm-up runs (at least one, and at least 1 s).
/// <list type="table">
/// <item><term>W1</term><description>ex4 full-batch cost + gradient: X 5000x400, 400-25-10 sigmoid/sigmoid, λ = 1, one iteration.</description></item>
/// <item><term>W2-sigmoid, W2-relu</term><description>one MNIST-sized epoch: 60000x784, 784-100-10 (sigmoid/sigmoid cross-entropy or ReLU/softmax), batch 100, shuffled, SGD lr 0.1 with L2 λ = 0.01 (ex4 convention, per batch).</description></item>
/// <item><term>W3</term><description>inference (class probabilities) of 784-100-10 sigmoid on 10000x784.</description></item>
/// <item><term>sgemm-2048, dgemm-2048</term><description>C = A·B with 2048x2048 matrices, float32 / float64.</description></item>
/// </list>
/// A <c>scale</c> below 1 shrinks the sample counts and the GEMM size (for quick smoke runs; the names stay).
/// </summary>
public static class Workloads
{
    public static IReadOnlyList<string> Names { get; } = ["W1", "W2-sigmoid", "W2-relu", "W3", "sgemm-2048", "dgemm-2048"];

    /// <summary>The L2 strength of the W2 epochs (ex4 convention: λ/(2m)·Σw² per batch of m = 100).</summary>
    public const double W2Lambda = 0.01;
    public const double W2LearningRate = 0.1;

    /// <summary>Runs one workload by name (case-insensitive). <paramref name="float64"/> picks the element type of
    /// W1–W3; sgemm is always float32 and dgemm float64.</summary>
    public static WorkloadResult Run(string name, bool float64, int repeat, double scale = 1.0)
    {
        if (repeat < 1) throw new ArgumentOutOfRangeException(nameof(repeat), $"Repeat must be at least 1, got {repeat}.");
        if (!(scale > 0 && scale <= 1)) throw new ArgumentOutOfRangeException(nameof(scale), $"Scale must be in (0, 1], got {scale}.");
        string canonical = Names.FirstOrDefault(n => string.Equals(n, name, StringComparison.OrdinalIgnoreCase))
            ?? throw new ArgumentException($"Unknown workload '{name}': expected one of {string.Join(", ", Names)}.");
        return canonical switch
        {
            "sgemm-2048" => GemmWorkload<float>(canonical, repeat, scale),
            "dgemm-2048" => GemmWorkload<double>(canonical, repeat, scale),
            _ => float64 ? Network<double>(canonical, repeat, scale) : Network<float>(canonical, repeat, scale),
        };
    }

    private static WorkloadResult Network<T>(string name, int repeat, double scale) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var random = new NumPyRandom(2026u);
        switch (name)
        {
            case "W1":
            {
                int m = Scaled(5000, scale);
                var spec = NetworkSpec.Create([400, 25, 10], Activation.Sigmoid, Activation.Sigmoid);
                var net = new Network<T>(spec);
                Initializer.Ex4().Initialize(net, random);
                var x = RandomMatrix<T>(random, m, 400);
                var y = Targets.OneHot<T>(RandomLabels(random, m, 10), 10);
                return Time<T>(name, repeat, scale, TrainingFlop(spec, m), () => net.CostAndGradient(x, y, 1.0));
            }
            case "W2-sigmoid":
            case "W2-relu":
            {
                int m = Scaled(60000, scale);
                var spec = name == "W2-relu"
                    ? NetworkSpec.Create([784, 100, 10], Activation.Relu, Activation.Softmax)
                    : NetworkSpec.Create([784, 100, 10], Activation.Sigmoid, Activation.Sigmoid);
                var net = new Network<T>(spec);
                Initializer.Uniform(0.05).Initialize(net, random);
                var x = RandomMatrix<T>(random, m, 784);
                var labels = RandomLabels(random, m, 10);
                var options = new TrainingOptions
                {
                    Optimizer = OptimizerKind.Sgd, Epochs = 1, BatchSize = 100, Shuffle = true, LearningRate = W2LearningRate,
                    Lambda = W2Lambda, TrackTrainAccuracy = false, Seed = 1,
                };
                var trainer = new Trainer<T>(net, options);
                return Time<T>(name, repeat, scale, TrainingFlop(spec, m), () => trainer.Fit(x, labels));
            }
            case "W3":
            {
                int m = Scaled(10000, scale);
                var spec = NetworkSpec.Create([784, 100, 10], Activation.Sigmoid, Activation.Sigmoid);
                var net = new Network<T>(spec);
                Initializer.Uniform(0.05).Initialize(net, random);
                var x = RandomMatrix<T>(random, m, 784);
                var output = new Matrix<T>(m, 10);
                return Time<T>(name, repeat, scale, ForwardFlop(spec, m), () => net.PredictProba(x, output));
            }
            default:
                throw new ArgumentException($"Unknown workload '{name}'.");
        }
    }

    private static WorkloadResult GemmWorkload<T>(string name, int repeat, double scale) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int n = Math.Max(8, (int)Math.Round(2048 * Math.Cbrt(scale)));
        var random = new NumPyRandom(7u);
        var a = RandomMatrix<T>(random, n, n);
        var b = RandomMatrix<T>(random, n, n);
        var c = new Matrix<T>(n, n);
        // [n, n] x [n, n] -> [n, n]
        return Time<T>(name, repeat, scale, 2.0 * n * n * n / 1e9, () => Gemm.Multiply(a, b, c, T.One, T.Zero));
    }

    private static WorkloadResult Time<T>(string name, int repeat, double scale, double gflop, Action action) where T : unmanaged, IFloatingPointIeee754<T>
    {
        // Warm-up: JIT tiers, workspaces, packing buffers, worker threads. At least one run, and runs for at least
        // 1 s in all (so that short workloads reach steady state: the JIT's tier-1 code is installed in the background,
        // and after 300 ms of warm-up the first workload of a process still measured up to twice its steady time —
        // W1 float64 3.9 ms against 1.6 ms; with tiered compilation off, or after 1 s, it measured 1.6 ms at once).
        long warm = Stopwatch.GetTimestamp();
        for (int w = 0; w < 100_000; w++)
        {
            action();
            if (Stopwatch.GetElapsedTime(warm).TotalMilliseconds > 1000 * scale) break; // shrunk smoke runs warm up less
        }
        var ms = new double[repeat];
        for (int i = 0; i < repeat; i++)
        {
            long start = Stopwatch.GetTimestamp();
            action();
            ms[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        }
        Array.Sort(ms);
        double median = repeat % 2 == 1 ? ms[repeat / 2] : (ms[repeat / 2 - 1] + ms[repeat / 2]) / 2;
        return new WorkloadResult(name, typeof(T) == typeof(double) ? "float64" : "float32", repeat, median, ms[0], ms[^1], gflop);
    }

    private static int Scaled(int n, double scale) => Math.Max(100, (int)Math.Round(n * scale / 100) * 100);

    private static Matrix<T> RandomMatrix<T>(NumPyRandom random, int rows, int cols) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var values = new double[rows * cols];
        random.Rand(values);
        return Matrix<T>.FromDoubles(rows, cols, values);
    }

    private static int[] RandomLabels(NumPyRandom random, int n, int classes)
    {
        var labels = new int[n];
        for (int i = 0; i < n; i++) labels[i] = (int)random.RandInt(classes);
        return labels;
    }

    /// <summary>GFLOP of one forward pass over m samples: 2·m·Σ in·out.</summary>
    public static double ForwardFlop(NetworkSpec spec, int m)
    {
        double macs = 0;
        for (int l = 0; l < spec.LayerCount; l++) macs += (double)spec.LayerSizes[l] * spec.LayerSizes[l + 1];
        return 2.0 * m * macs / 1e9;
    }

    /// <summary>GFLOP of forward + backward over m samples: forward, dW for every layer, dX for all but the first.</summary>
    public static double TrainingFlop(NetworkSpec spec, int m)
    {
        double first = (double)spec.LayerSizes[0] * spec.LayerSizes[1];
        return 3 * ForwardFlop(spec, m) - 2.0 * m * first / 1e9;
    }
}
