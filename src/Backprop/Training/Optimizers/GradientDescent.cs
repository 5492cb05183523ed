using System.Numerics;
using Backprop.Numerics;

namespace Backprop.Training.Optimizers;

/// <summary>Plain gradient descent: p ← p − lr·g. Stateless; identical in scikit-learn (momentum = 0) and PyTorch (torch.optim.SGD).</summary>
public sealed class GradientDescent<T> : IStepOptimizer<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly StepJob job = new();

    public string Name => "gd";

    public void Step(Span<T> parameters, ReadOnlySpan<T> gradient, double learningRate)
    {
        StepOptimizerState.Validate<T>(parameters, gradient, learningRate, -1);
        job.NegativeRate = T.CreateChecked(-learningRate);
        job.Apply(parameters, gradient);
    }

    public void Reset() { }

    /// <summary>p + g·(−lr) on one range of the vectors (bit-identical to p − lr·g: negation is exact).</summary>
    private sealed class StepJob : RangeUpdate<T>
    {
        public T NegativeRate;

        protected override void Update(Span<T> parameters, ReadOnlySpan<T> gradient, int start) =>
            UnfusedOps.MultiplyAdd(gradient, NegativeRate, parameters);
    }
}
