using System.Numerics;
using Backprop.Numerics;

namespace Backprop.Training.Optimizers;

/// <summary>
/// Gradient descent with (optionally Nesterov) momentum, exactly as scikit-learn's <c>SGDOptimizer</c>
/// (<c>sklearn.neural_network._stochastic_optimizers</c>):
/// <code>
/// v ← μ·v − lr·g
/// p ← p + v                      (classical)
/// p ← p + μ·v − lr·g             (Nesterov, with the v just updated)
/// </code>
/// The velocity starts at zero and is in parameter units (the learning rate is inside it).
/// <para>
/// PyTorch (<c>torch.optim.SGD(momentum=μ, dampening=0)</c>) keeps the velocity in gradient units instead:
/// <c>b ← μ·b + g; p ← p − lr·b</c> (Nesterov: <c>p ← p − lr·(g + μ·b)</c>). With a constant learning rate
/// the two are the same sequence (v = −lr·b); when the learning rate changes between steps they differ:
/// here the old velocity keeps the old rate, in PyTorch the whole buffer is rescaled by the new rate.
/// </para>
/// Arithmetic is done in T with μ and lr rounded to T, as NumPy does for float32 arrays.
/// </summary>
public sealed class Momentum<T> : IStepOptimizer<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private T[]? _velocity;
    private bool _started;

    public Momentum(double momentum = 0.9, bool nesterov = false)
    {
        if (!(momentum >= 0 && momentum < 1))
            throw new ArgumentOutOfRangeException(nameof(momentum), momentum, "Momentum must be in [0, 1).");
        MomentumCoefficient = momentum;
        Nesterov = nesterov;
    }

    /// <summary>μ.</summary>
    public double MomentumCoefficient { get; }
    public bool Nesterov { get; }
    public string Name => Nesterov ? "nesterov" : "momentum";

    /// <summary>The current velocity (empty before the first step).</summary>
    public ReadOnlySpan<T> Velocity => _started ? _velocity : default;

    public void Step(Span<T> parameters, ReadOnlySpan<T> gradient, double learningRate)
    {
        StepOptimizerState.Validate<T>(parameters, gradient, learningRate, _started ? _velocity!.Length : -1);
        if (!_started)
        {
            StepOptimizerState.Ensure(ref _velocity, parameters.Length);
            _started = true;
        }
        job.Optimizer = this;
        job.Mu = T.CreateChecked(MomentumCoefficient);
        job.NegativeRate = T.CreateChecked(-learningRate);
        job.Apply(parameters, gradient);
    }

    private readonly StepJob job = new();

    /// <summary>The update on one range of the vectors (every element gets the same operations in any range).</summary>
    private sealed class StepJob : RangeUpdate<T>
    {
        public Momentum<T>? Optimizer;
        public T Mu, NegativeRate;

        protected override void Update(Span<T> parameters, ReadOnlySpan<T> gradient, int start)
        {
            // v = μ·v − lr·g computed as (μ·v) + (g·(−lr)), the same two roundings as NumPy; then p += v, or for
            // Nesterov p += μ·v_new − lr·g. One pass over the vectors (Numerics/OptimizerKernels.cs).
            OptimizerKernels.Momentum(parameters, gradient, Optimizer!._velocity.AsSpan(start, parameters.Length), Mu, NegativeRate, Optimizer.Nesterov);
        }
    }

    /// <summary>The velocity (none before the first step), for a checkpoint.</summary>
    internal T[][] SaveState() => _started ? [(T[])_velocity!.Clone()] : [];

    /// <summary>Continues from <see cref="SaveState"/>'s output.</summary>
    internal void RestoreState(T[][] buffers)
    {
        Reset();
        if (buffers.Length == 0) return;
        if (buffers.Length != 1) throw new ArgumentException("Momentum's state is one velocity vector.");
        StepOptimizerState.Ensure(ref _velocity, buffers[0].Length);
        buffers[0].CopyTo(_velocity!, 0);
        _started = true;
    }

    public void Reset()
    {
        if (_velocity is not null) Array.Clear(_velocity);
        _started = false;
    }
}
