using System.Globalization;
using System.Numerics;
using System.Numerics.Tensors;

namespace Backprop.Training;

/// <summary>How the trainer averages the parameters along the optimizer's path.</summary>
public enum AveragingKind
{
    None,
    /// <summary>Exponential moving average (Polyak–Ruppert with exponential forgetting): avg ← d·avg + (1 − d)·θ after every step.</summary>
    Ema,
    /// <summary>Stochastic weight averaging: the equal-weight mean of θ after every step from a start epoch on.</summary>
    Swa,
}

/// <summary>
/// A running average of a parameter vector, updated after every optimizer step — the semantics of PyTorch's
/// <c>torch.optim.swa_utils.AveragedModel</c>: the first update copies θ; later ones compute
/// EMA: avg ← d·avg + (1 − d)·θ, or SWA: avg ← avg + (θ − avg)/(n + 1) with n the updates so far.
/// Arithmetic is in <typeparamref name="T"/>, as PyTorch's is in the parameters' dtype.
/// </summary>
public sealed class ParameterAverage<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly T[] average;

    private ParameterAverage(AveragingKind kind, int length, double decay)
    {
        if (length < 0) throw new ArgumentOutOfRangeException(nameof(length), $"The parameter count must be ≥ 0, got {length}.");
        Kind = kind;
        Decay = decay;
        average = new T[length];
    }

    /// <summary>Exponential moving average with decay d in [0, 1) per update.</summary>
    public static ParameterAverage<T> Ema(int length, double decay) =>
        decay is >= 0 and < 1
            ? new(AveragingKind.Ema, length, decay)
            : throw new ArgumentOutOfRangeException(nameof(decay), string.Create(CultureInfo.InvariantCulture, $"The EMA decay must be in [0, 1), got {decay}."));

    /// <summary>Equal-weight running mean of every update (SWA).</summary>
    public static ParameterAverage<T> Uniform(int length) => new(AveragingKind.Swa, length, 0);

    public AveragingKind Kind { get; }
    /// <summary>The EMA decay d (0 for SWA).</summary>
    public double Decay { get; }
    /// <summary>Updates so far (PyTorch's <c>n_averaged</c>).</summary>
    public long Count { get; private set; }
    /// <summary>The averaged parameters (all zero before the first update).</summary>
    public ReadOnlySpan<T> Average => average;

    public void Update(ReadOnlySpan<T> parameters)
    {
        if (parameters.Length != average.Length)
            throw new ArgumentException($"The average holds {average.Length} parameters; got {parameters.Length}.", nameof(parameters));
        if (Count == 0)
            parameters.CopyTo(average);
        else
        {
            // EMA: avg + (1 − d)·(θ − avg);  SWA: avg + (θ − avg)/(n + 1).   Lerp(a, b, w) = a·(1 − w) + b·w.
            T weight = Kind == AveragingKind.Ema ? T.CreateTruncating(1 - Decay) : T.One / T.CreateTruncating(Count + 1);
            TensorPrimitives.Lerp<T>(average, parameters, weight, average);
        }
        Count++;
    }

    /// <summary>Writes the average into <paramref name="destination"/> (e.g. the network's parameters).</summary>
    public void CopyTo(Span<T> destination) => average.CopyTo(destination);

    /// <summary>Continues from a checkpoint's average and update count.</summary>
    internal void Restore(ReadOnlySpan<T> values, long count)
    {
        if (values.Length != average.Length) throw new ArgumentException($"The average holds {average.Length} parameters; the checkpoint has {values.Length}.");
        values.CopyTo(average);
        Count = count;
    }

    public void Reset()
    {
        Array.Clear(average);
        Count = 0;
    }
}
