using System.Numerics;
using Backprop.Numerics;

namespace Backprop.Training.Optimizers;

/// <summary>
/// Adam, exactly as scikit-learn's <c>AdamOptimizer</c> (<c>sklearn.neural_network._stochastic_optimizers</c>):
/// <code>
/// t ← t + 1
/// m ← β1·m + (1 − β1)·g
/// v ← β2·v + (1 − β2)·g²
/// lr_t = lr·√(1 − β2^t) / (1 − β1^t)        (bias correction folded into the rate, computed in float64)
/// p ← p + (−lr_t·m) / (√v + ε)
/// </code>
/// <para>
/// PyTorch (<c>torch.optim.Adam</c>) corrects the second moment before adding ε:
/// <c>p ← p − lr/(1 − β1^t) · m / (√v/√(1 − β2^t) + ε)</c>, which equals the above with ε replaced by
/// ε·√(1 − β2^t). The two agree exactly (up to rounding) only when ε = 0; with the default ε = 1e-8
/// they differ noticeably only while √v is comparable to ε (tiny gradients, early steps).
/// The original paper (Kingma &amp; Ba, Algorithm 1) is PyTorch's form; its §2 "more efficient" form is this one.
/// </para>
/// Arithmetic is done in T with the coefficients rounded to T, as NumPy does for float32 arrays.
/// </summary>
public sealed class Adam<T> : IStepOptimizer<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private T[]? _m;
    private T[]? _v;
    private bool _started;

    public Adam(double beta1 = 0.9, double beta2 = 0.999, double epsilon = 1e-8)
    {
        if (!(beta1 >= 0 && beta1 < 1)) throw new ArgumentOutOfRangeException(nameof(beta1), beta1, "beta1 must be in [0, 1).");
        if (!(beta2 >= 0 && beta2 < 1)) throw new ArgumentOutOfRangeException(nameof(beta2), beta2, "beta2 must be in [0, 1).");
        if (!(epsilon >= 0) || !double.IsFinite(epsilon)) throw new ArgumentOutOfRangeException(nameof(epsilon), epsilon, "epsilon must be finite and non-negative.");
        Beta1 = beta1;
        Beta2 = beta2;
        Epsilon = epsilon;
    }

    public double Beta1 { get; }
    public double Beta2 { get; }
    public double Epsilon { get; }
    public string Name => "adam";

    /// <summary>Number of steps taken since construction or the last Reset.</summary>
    public long TimeStep { get; private set; }

    /// <summary>The bias-corrected rate lr_t used by the last step (sklearn's <c>learning_rate</c> attribute).</summary>
    public double LastEffectiveLearningRate { get; private set; }

    public ReadOnlySpan<T> FirstMoment => _started ? _m : default;
    public ReadOnlySpan<T> SecondMoment => _started ? _v : default;

    public void Step(Span<T> parameters, ReadOnlySpan<T> gradient, double learningRate)
    {
        StepOptimizerState.Validate<T>(parameters, gradient, learningRate, _started ? _m!.Length : -1);
        if (!_started)
        {
            int n = parameters.Length;
            StepOptimizerState.Ensure(ref _m, n);
            StepOptimizerState.Ensure(ref _v, n);
            _started = true;
        }
        TimeStep++;
        double lrT = learningRate * Math.Sqrt(1 - Math.Pow(Beta2, TimeStep)) / (1 - Math.Pow(Beta1, TimeStep));
        LastEffectiveLearningRate = lrT;
        job.Optimizer = this;
        job.NegativeRate = T.CreateChecked(-lrT);
        job.Apply(parameters, gradient);
    }

    private readonly StepJob job = new();

    /// <summary>The update on one range of the vectors (every element gets the same operations in any range).</summary>
    private sealed class StepJob : RangeUpdate<T>
    {
        public Adam<T>? Optimizer;
        public T NegativeRate;

        protected override void Update(Span<T> parameters, ReadOnlySpan<T> gradient, int start)
        {
            var o = Optimizer!;
            int count = parameters.Length;
            Span<T> m = o._m.AsSpan(start, count), v = o._v.AsSpan(start, count);
            // One pass over the four vectors (Numerics/OptimizerKernels.cs), the formula above element by element:
            // m ← (β1·m) + (g·(1−β1));  v ← (β2·v) + (g²·(1−β2));  p ← p + (−lr_t·m) / (√v + ε).
            OptimizerKernels.Adam(parameters, gradient, m, v,
                T.CreateChecked(o.Beta1), T.CreateChecked(1 - o.Beta1), T.CreateChecked(o.Beta2), T.CreateChecked(1 - o.Beta2),
                T.CreateChecked(o.Epsilon), NegativeRate);
        }
    }

    /// <summary>The step count and the two moments (none before the first step), for a checkpoint.</summary>
    internal (long Steps, T[][] Buffers) SaveState() => _started ? (TimeStep, [(T[])_m!.Clone(), (T[])_v!.Clone()]) : (0, []);

    /// <summary>Continues from <see cref="SaveState"/>'s output.</summary>
    internal void RestoreState(long steps, T[][] buffers)
    {
        Reset();
        if (buffers.Length == 0) return;
        if (buffers.Length != 2 || buffers[0].Length != buffers[1].Length) throw new ArgumentException("Adam's state is two moment vectors of the same length.");
        int n = buffers[0].Length;
        StepOptimizerState.Ensure(ref _m, n);
        StepOptimizerState.Ensure(ref _v, n);
        buffers[0].CopyTo(_m!, 0);
        buffers[1].CopyTo(_v!, 0);
        TimeStep = steps;
        _started = true;
    }

    /// <summary>Zeroes the moments and the step count; the buffers are kept.</summary>
    public void Reset()
    {
        if (_m is not null) Array.Clear(_m);
        if (_v is not null) Array.Clear(_v);
        _started = false;
        TimeStep = 0;
        LastEffectiveLearningRate = 0;
    }
}
