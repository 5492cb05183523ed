using System.Numerics;

namespace Backprop.Training.Optimizers;

/// <summary>Plain gradient descent: p ← p − lr·g. Stateless; identical in scikit-learn (momentum = 0) and PyTorch (torch.optim.SGD).</summary>
public sealed class GradientDescent<T> : IStepOptimizer<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public string Name => "gd";

    public void Step(Span<T> parameters, ReadOnlySpan<T> gradient, double learningRate)
    {
        StepOptimizerState.Validate<T>(parameters, gradient, learningRate, -1);
        // p + g·(−lr) is bit-identical to p − lr·g (negation is exact).
        UnfusedOps.MultiplyAdd(gradient, T.CreateChecked(-learningRate), parameters);
    }

    public void Reset() { }
}
