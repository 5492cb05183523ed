using System.Numerics;

namespace Backprop.Training.Optimizers;

/// <summary>
/// Evaluates an <see cref="Objective{T}"/> at a float64 point: the point is rounded to T, the gradient widened back
/// to float64. Counts evaluations and detects non-finite costs and gradients. One instance per Minimize call.
/// </summary>
internal sealed class ObjectiveEvaluator<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly Objective<T> _objective;
    private readonly T[] _x;
    private readonly T[] _g;

    public ObjectiveEvaluator(Objective<T> objective, int length)
    {
        _objective = objective;
        _x = new T[length];
        _g = new T[length];
    }

    public int Evaluations { get; private set; }

    /// <summary>Null when cost and gradient are finite, otherwise what went wrong ("cost became NaN", ...).</summary>
    public string? Problem { get; private set; }

    public double Evaluate(ReadOnlySpan<double> x, Span<double> gradient)
    {
        if (typeof(T) == typeof(double))
        {
            x.CopyTo(System.Runtime.InteropServices.MemoryMarshal.Cast<T, double>(_x.AsSpan()));
        }
        else
        {
            for (int i = 0; i < x.Length; i++) _x[i] = T.CreateTruncating(x[i]);
        }
        Array.Clear(_g);
        Evaluations++;
        double cost = _objective(_x, _g);
        if (typeof(T) == typeof(double))
        {
            System.Runtime.InteropServices.MemoryMarshal.Cast<T, double>(_g.AsSpan()).CopyTo(gradient);
        }
        else
        {
            for (int i = 0; i < gradient.Length; i++) gradient[i] = double.CreateTruncating(_g[i]);
        }
        Problem = null;
        if (!double.IsFinite(cost))
            Problem = double.IsNaN(cost) ? "the cost became NaN" : "the cost became infinite";
        else
        {
            foreach (double v in gradient)
            {
                if (!double.IsFinite(v))
                {
                    Problem = double.IsNaN(v) ? "the gradient became NaN" : "the gradient became infinite";
                    break;
                }
            }
        }
        return cost;
    }

    /// <summary>Rounds the float64 point back into the caller's parameters.</summary>
    public static void Store(ReadOnlySpan<double> x, Span<T> parameters)
    {
        for (int i = 0; i < x.Length; i++) parameters[i] = T.CreateTruncating(x[i]);
    }

    public static double[] Load(ReadOnlySpan<T> parameters)
    {
        var x = new double[parameters.Length];
        for (int i = 0; i < x.Length; i++) x[i] = double.CreateTruncating(parameters[i]);
        return x;
    }

    public static void CheckArguments(Objective<T> objective, ReadOnlySpan<T> parameters, int maxIterations)
    {
        ArgumentNullException.ThrowIfNull(objective);
        if (maxIterations <= 0)
            throw new ArgumentOutOfRangeException(nameof(maxIterations), maxIterations, "maxIterations must be positive.");
        if (parameters.IsEmpty)
            throw new ArgumentException("There are no parameters to minimize over.", nameof(parameters));
        foreach (T v in parameters)
            if (!T.IsFinite(v))
                throw new ArgumentException("The starting parameters contain NaN or infinity.", nameof(parameters));
    }
}
