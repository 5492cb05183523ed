using System.Numerics;

namespace Backprop.Training.Optimizers;

/// <summary>Shared argument checks and lazily sized state buffers for the step optimizers.</summary>
internal static class StepOptimizerState
{
    /// <summary>
    /// Checks the spans and the learning rate. <paramref name="stateLength"/> is the length the optimizer's
    /// state was sized for on its first step, or −1 before the first step (and after Reset).
    /// </summary>
    public static void Validate<T>(ReadOnlySpan<T> parameters, ReadOnlySpan<T> gradient, double learningRate, int stateLength)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (parameters.Length != gradient.Length)
            throw new ArgumentException($"The gradient has {gradient.Length} elements but there are {parameters.Length} parameters.", nameof(gradient));
        if (stateLength >= 0 && stateLength != parameters.Length)
            throw new ArgumentException($"This optimizer's state was sized for {stateLength} parameters on its first step but {parameters.Length} were passed; call Reset() before reusing it for another model.", nameof(parameters));
        if (!double.IsFinite(learningRate) || learningRate < 0)
            throw new ArgumentOutOfRangeException(nameof(learningRate), learningRate, "The learning rate must be finite and non-negative.");
    }

    /// <summary>A zeroed buffer of length n, reusing <paramref name="buffer"/> when it already has that length.</summary>
    public static T[] Ensure<T>(ref T[]? buffer, int n) where T : unmanaged
    {
        if (buffer is null || buffer.Length != n)
            buffer = new T[n];
        return buffer;
    }
}
