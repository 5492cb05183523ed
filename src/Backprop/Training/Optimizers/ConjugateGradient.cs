using System.Numerics;
using Backprop.Numerics;
using System.Numerics.Tensors;

namespace Backprop.Training.Optimizers;

/// <summary>
/// Nonlinear conjugate gradient: a faithful port of Carl Edward Rasmussen's <c>fmincg.m</c> (1999–2002, the version
/// shipped with the Coursera Machine Learning exercises), itself a variant of his <c>minimize.m</c>.
/// <list type="bullet">
/// <item>Polak-Ribière search directions, reset to steepest descent when the new direction is not downhill.</item>
/// <item>Line search: cubic/quadratic interpolation and cubic extrapolation (at most <see cref="Ext"/> times the
/// current step) until the Wolfe-Powell conditions hold with <see cref="Rho"/> and <see cref="Sig"/>; at most
/// <see cref="Max"/> evaluations per line search; the next initial step is scaled by the slope ratio (at most
/// <see cref="Ratio"/>).</item>
/// <item>A failed line search restarts along steepest descent; two failures in a row stop the run.</item>
/// <item><c>maxIterations</c> is fmincg's <c>length</c>: the number of line searches (positive length), or with
/// <see cref="CountFunctionEvaluations"/> the number of function evaluations (negative length).</item>
/// <item><see cref="Reduction"/> is <c>length(2)</c>: the expected reduction of the cost in the first line search.</item>
/// </list>
/// Kept quirks of the original, deliberately: after a failed line search the point is restored but the gradient
/// swapped in is the one at the last point tried (fmincg's <c>tmp = df1; df1 = df2; df2 = tmp</c> after the
/// restore), and <see cref="MinimizationResult.Iterations"/> is fmincg's counter <c>i</c>, which includes failed
/// line searches. <see cref="MinimizationResult.CostHistory"/> is fmincg's <c>fX</c>: the cost after each
/// successful line search. MATLAB's <c>sqrt</c> of a negative number is complex; here it is NaN, which the
/// extrapolation branch treats alike (<c>~isreal(z2) || isnan(z2)</c>) and which makes the interpolation branch bisect.
/// <para>
/// The search state (point, direction, slopes, steps) is float64 whatever T is; the objective sees the point
/// rounded to T and its gradient is widened to float64.
/// </para>
/// Stopping: a run that stops after two failed line searches in a row is reported as converged when neither search
/// found a cost lower than the current one by more than <see cref="FailureDecreaseTolerance"/> (relative): a minimum
/// to numerical precision. When they did (unbounded below, inconsistent gradient), or when the run is out of
/// iterations, it is not converged. A NaN or
/// infinite cost or gradient stops the run with Converged = false and the last accepted point.
/// </summary>
public sealed class ConjugateGradient : IMinimizer
{
    /// <summary>Wolfe-Powell sufficient-decrease constant.</summary>
    public const double Rho = 0.01;
    /// <summary>Wolfe-Powell curvature constant.</summary>
    public const double Sig = 0.5;
    /// <summary>Don't re-evaluate within 0.1 of the limit of the current bracket.</summary>
    public const double Int = 0.1;
    /// <summary>Extrapolate at most 3 times the current bracket.</summary>
    public const double Ext = 3.0;
    /// <summary>At most 20 function evaluations per line search.</summary>
    public const int Max = 20;
    /// <summary>Maximum allowed slope ratio.</summary>
    public const double Ratio = 100;
    /// <summary>Relative decrease of the cost below which two failed line searches in a row count as convergence.</summary>
    public const double FailureDecreaseTolerance = 1e-10;
    /// <summary>MATLAB's realmin: the smallest positive normal double.</summary>
    private const double RealMin = 2.2250738585072014e-308;

    /// <param name="reduction">fmincg's <c>red</c> (<c>length(2)</c>): the first step is red/(1+|∇f|²). Default 1.</param>
    /// <param name="countFunctionEvaluations">Count function evaluations instead of line searches (fmincg's negative length).</param>
    public ConjugateGradient(double reduction = 1.0, bool countFunctionEvaluations = false)
    {
        if (!double.IsFinite(reduction) || reduction <= 0)
            throw new ArgumentOutOfRangeException(nameof(reduction), reduction, "The reduction must be positive and finite.");
        Reduction = reduction;
        CountFunctionEvaluations = countFunctionEvaluations;
    }

    public double Reduction { get; }
    public bool CountFunctionEvaluations { get; }
    public string Name => "fmincg";

    public MinimizationResult Minimize<T>(Objective<T> objective, Span<T> parameters, int maxIterations, Func<IterationReport, bool>? onIteration = null)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ObjectiveEvaluator<T>.CheckArguments(objective, parameters, maxIterations);
        var eval = new ObjectiveEvaluator<T>(objective, parameters.Length);
        double[] X = ObjectiveEvaluator<T>.Load(parameters);
        var result = Run(eval, X, maxIterations, onIteration);
        ObjectiveEvaluator<T>.Store(X, parameters);
        return result;
    }

    /// <summary>The fmincg loop; leaves the final point in <paramref name="X"/>.</summary>
    private MinimizationResult Run<T>(ObjectiveEvaluator<T> eval, double[] X, int maxIterations, Func<IterationReport, bool>? onIteration)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int n = X.Length;
        int length = CountFunctionEvaluations ? -maxIterations : maxIterations;
        int absLength = maxIterations;
        int countEpochs = length < 0 ? 1 : 0;      // i = i + (length<0)
        int countIterations = length > 0 ? 1 : 0; // i = i + (length>0)
        double red = Reduction;

        double[] X0 = new double[n], df0 = new double[n], df1 = new double[n], df2 = new double[n], s = new double[n];
        var fX = new List<double>();

        int i = 0;
        bool lsFailed = false;
        double lowestTried = double.PositiveInfinity;   // lowest cost seen during the current line search
        double lowestInFailures = double.PositiveInfinity;
        double f1 = eval.Evaluate(X, df1);
        if (eval.Problem is not null)
            return Finish(false, $"Stopped: {eval.Problem} at iteration 0 (the starting point).");
        i += countEpochs;
        TensorPrimitives.Negate(df1, s);                              // s = -df1
        double d1 = -Dot(s, s);                                        // d1 = -s'*s
        double z1 = red / (1 - d1);                                    // z1 = red/(1-d1)

        string message;
        bool converged;
        while (i < absLength)
        {
            i += countIterations;

            X.CopyTo(X0, 0); double f0 = f1; df1.CopyTo(df0, 0);
            UnfusedOps.MultiplyAdd<double>(s, z1, X);                  // X = X + z1*s
            double f2 = eval.Evaluate(X, df2);
            lowestTried = f2;
            i += countEpochs;
            if (eval.Problem is not null) return Diverged();
            double d2 = Dot(df2, s);
            double f3 = f1, d3 = d1, z3 = -z1;
            int M = length > 0 ? Max : Math.Min(Max, -length - i);
            bool success = false;
            double limit = -1;
            double z2, A, B;
            while (true)
            {
                while (((f2 > f1 + z1 * Rho * d1) || (d2 > -Sig * d1)) && (M > 0))
                {
                    limit = z1;                                        // tighten the bracket
                    if (f2 > f1)
                    {
                        z2 = z3 - (0.5 * d3 * z3 * z3) / (d3 * z3 + f2 - f3);   // quadratic fit
                    }
                    else
                    {
                        A = 6 * (f2 - f3) / z3 + 3 * (d2 + d3);                  // cubic fit
                        B = 3 * (f3 - f2) - z3 * (d3 + 2 * d2);
                        z2 = (Math.Sqrt(B * B - A * d2 * z3 * z3) - B) / A;      // numerical error possible - ok!
                    }
                    if (double.IsNaN(z2) || double.IsInfinity(z2))
                        z2 = z3 / 2;                                   // numerical problem: bisect
                    z2 = MatlabMax(MatlabMin(z2, Int * z3), (1 - Int) * z3);  // not too close to the limits
                    z1 += z2;
                    UnfusedOps.MultiplyAdd<double>(s, z2, X);          // X = X + z2*s
                    f2 = eval.Evaluate(X, df2);
                    lowestTried = Math.Min(lowestTried, f2);
                    M--; i += countEpochs;
                    if (eval.Problem is not null) return Diverged();
                    d2 = Dot(df2, s);
                    z3 -= z2;                                          // z3 now relative to z2's location
                }
                if (f2 > f1 + z1 * Rho * d1 || d2 > -Sig * d1)
                    break;                                             // failure
                else if (d2 > Sig * d1)
                {
                    success = true; break;                             // success
                }
                else if (M == 0)
                    break;                                             // failure
                A = 6 * (f2 - f3) / z3 + 3 * (d2 + d3);                // cubic extrapolation
                B = 3 * (f3 - f2) - z3 * (d3 + 2 * d2);
                z2 = -d2 * z3 * z3 / (B + Math.Sqrt(B * B - A * d2 * z3 * z3));   // num. error possible - ok!
                if (double.IsNaN(z2) || double.IsInfinity(z2) || z2 < 0)    // (~isreal: NaN here) or wrong sign
                {
                    if (limit < -0.5) z2 = z1 * (Ext - 1);             // no upper limit: extrapolate the maximum
                    else z2 = (limit - z1) / 2;                        // otherwise bisect
                }
                else if ((limit > -0.5) && (z2 + z1 > limit))          // beyond the bracket?
                    z2 = (limit - z1) / 2;                             // bisect
                else if ((limit < -0.5) && (z2 + z1 > z1 * Ext))       // beyond the extrapolation limit
                    z2 = z1 * (Ext - 1.0);
                else if (z2 < -z3 * Int)
                    z2 = -z3 * Int;
                else if ((limit > -0.5) && (z2 < (limit - z1) * (1.0 - Int)))  // too close to the limit?
                    z2 = (limit - z1) * (1.0 - Int);
                f3 = f2; d3 = d2; z3 = -z2;                            // point 3 = point 2
                z1 += z2;
                UnfusedOps.MultiplyAdd<double>(s, z2, X);              // X = X + z2*s
                f2 = eval.Evaluate(X, df2);
                lowestTried = Math.Min(lowestTried, f2);
                M--; i += countEpochs;
                if (eval.Problem is not null) return Diverged();
                d2 = Dot(df2, s);
            }                                                          // end of line search

            if (success)
            {
                f1 = f2; fX.Add(f1);
                // s = (df2'*df2 - df1'*df2)/(df1'*df1)*s - df2        Polak-Ribière
                double beta = (Dot(df2, df2) - Dot(df1, df2)) / Dot(df1, df1);
                TensorPrimitives.Multiply(s, beta, s);
                TensorPrimitives.Subtract(s, df2, s);
                (df1, df2) = (df2, df1);                               // swap derivatives
                d2 = Dot(df1, s);
                if (d2 > 0)                                            // new slope must be negative
                {
                    TensorPrimitives.Negate(df1, s);                   // otherwise steepest descent
                    d2 = -Dot(s, s);
                }
                z1 *= MatlabMin(Ratio, d1 / (d2 - RealMin));  // slope ratio but max RATIO
                d1 = d2;
                lsFailed = false;
                if (onIteration is not null && !onIteration(new IterationReport(i, f1, eval.Evaluations) { Point = X }))
                    return Finish(false, $"Stopped by the callback at iteration {i}.");
            }
            else
            {
                X0.CopyTo(X, 0); f1 = f0; df0.CopyTo(df1, 0);           // restore the point from before the failed line search
                lowestInFailures = lsFailed ? Math.Min(lowestInFailures, lowestTried) : lowestTried;
                if (lsFailed || i > absLength)                         // failed twice in a row, or out of time
                {
                    if (lsFailed)
                    {
                        // fmincg just gives up here. Call it convergence only when neither failed search found a
                        // markedly lower cost (beyond rounding): otherwise the cost still decreases (unbounded
                        // below, or a gradient inconsistent with the cost) and no Wolfe step was found.
                        converged = !(lowestInFailures < f1 - FailureDecreaseTolerance * Math.Max(1, Math.Abs(f1)));
                        message = converged
                            ? $"Converged: line search failed twice in a row at iteration {i} without finding a lower cost (a minimum to numerical precision)."
                            : $"Line search failed twice in a row at iteration {i}: the cost decreases along the search direction but no step satisfies the Wolfe conditions (unbounded below, or a gradient inconsistent with the cost).";
                    }
                    else
                    {
                        converged = false;
                        message = LimitMessage();
                    }
                    return Finish(converged, message);
                }
                (df1, df2) = (df2, df1);                               // swap derivatives
                TensorPrimitives.Negate(df1, s);                       // try steepest
                d1 = -Dot(s, s);
                z1 = 1 / (1 - d1);
                lsFailed = true;
            }
        }
        return Finish(false, LimitMessage());

        string LimitMessage() => CountFunctionEvaluations
            ? $"Reached the limit of {maxIterations} function evaluations ({fX.Count} successful line searches)."
            : $"Reached the limit of {maxIterations} iterations.";

        MinimizationResult Diverged()
        {
            // Restore the point the line search started from, the last accepted one (fmincg would carry on with a NaN; we stop).
            X0.CopyTo(X, 0);
            return Finish(false, $"Stopped: {eval.Problem} at iteration {i} (function evaluation {eval.Evaluations}); the parameters are the last accepted point.");
        }

        MinimizationResult Finish(bool conv, string msg) => new(f1, i, eval.Evaluations, conv, msg, fX.ToArray());
    }

    /// <summary>
    /// Left-to-right dot product, the order of the reference BLAS ddot that MATLAB/NumPy results are compared with.
    /// fmincg's line search amplifies last-bit differences (Rosenbrock drifts by 1e-10 after a few dozen iterations
    /// with a reordered sum), and one dot per evaluation is negligible next to the objective.
    /// </summary>
    private static double Dot(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        double sum = 0;
        for (int k = 0; k < a.Length; k++) sum += a[k] * b[k];
        return sum;
    }

    // MATLAB's min/max on real scalars: NaN is ignored (cannot occur here after the bisect guard, kept for fidelity).
    private static double MatlabMin(double a, double b) => double.IsNaN(a) ? b : double.IsNaN(b) ? a : Math.Min(a, b);
    private static double MatlabMax(double a, double b) => double.IsNaN(a) ? b : double.IsNaN(b) ? a : Math.Max(a, b);
}
