using System.Numerics;

namespace Backprop.Training.Optimizers;

/// <summary>
/// The cost of a model at the flat parameter vector <paramref name="parameters"/>; writes dCost/dParameters
/// into <paramref name="gradient"/> (same length) and returns the cost (as float64, whatever T is).
/// </summary>
public delegate double Objective<T>(ReadOnlySpan<T> parameters, Span<T> gradient)
    where T : unmanaged, IFloatingPointIeee754<T>;

/// <summary>
/// A first-order update rule applied once per (mini-)batch: gradient descent, momentum, Nesterov, Adam.
/// It owns its state (velocity, moments), sized on the first call; no allocation after that.
/// </summary>
public interface IStepOptimizer<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    string Name { get; }
    /// <summary>parameters -= update(gradient) with the given learning rate.</summary>
    void Step(Span<T> parameters, ReadOnlySpan<T> gradient, double learningRate);
    /// <summary>Forgets all state (velocity, moments, step count).</summary>
    void Reset();
}

/// <summary>What a full-batch minimizer reports after each of its iterations.</summary>
public readonly record struct IterationReport(int Iteration, double Cost, int FunctionEvaluations)
{
    /// <summary>The accepted point after this iteration (float64), so callers can evaluate the model mid-run; empty if the minimizer does not expose it.</summary>
    public ReadOnlyMemory<double> Point { get; init; }
}

/// <summary>The outcome of a full-batch minimization.</summary>
public sealed record MinimizationResult(double Cost, int Iterations, int FunctionEvaluations, bool Converged, string Message, IReadOnlyList<double> CostHistory);

/// <summary>
/// A full-batch minimizer over the flat parameter vector: L-BFGS, fmincg-style conjugate gradient.
/// The parameters span holds the start point and receives the minimizer.
/// The callback may return false to stop early.
/// </summary>
public interface IMinimizer
{
    string Name { get; }
    MinimizationResult Minimize<T>(Objective<T> objective, Span<T> parameters, int maxIterations, Func<IterationReport, bool>? onIteration = null)
        where T : unmanaged, IFloatingPointIeee754<T>;
}
