using System.Numerics;
using Backprop.Numerics;

namespace Backprop.Training.Optimizers;

/// <summary>Plain gradient descent: p ← p − lr·g. Stateless; identical in scikit-learn (momentum = 0) and PyTorch (torch.optim.SGD).</summary>
public sealed class GradientDescent<T> : IStepOptimizer<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly StepJob job = new();

    public string Name => "gd";

    public unsafe void Step(Span<T> parameters, ReadOnlySpan<T> gradient, double learningRate)
    {
        StepOptimizerState.Validate<T>(parameters, gradient, learningRate, -1);
        fixed (T* p = parameters, g = gradient)
        {
            job.P = p; job.G = g; job.Length = parameters.Length;
            job.NegativeRate = T.CreateChecked(-learningRate);
            ElementwiseParallel.Run(job, parameters.Length);
            job.P = job.G = null;
        }
    }

    public void Reset() { }

    /// <summary>p + g·(−lr) on one range of the vectors (bit-identical to p − lr·g: negation is exact).</summary>
    private sealed unsafe class StepJob : IParallelJob
    {
        public T* P, G;
        public int Length;
        public T NegativeRate;

        public void Run(int part, int parts)
        {
            var (start, count) = ElementwiseParallel.Range(part, parts, Length);
            UnfusedOps.MultiplyAdd(new ReadOnlySpan<T>(G + start, count), NegativeRate, new Span<T>(P + start, count));
        }
    }
}
