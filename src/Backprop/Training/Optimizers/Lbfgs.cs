using System.Globalization;
using System.Numerics;
using Backprop.Numerics;
using System.Numerics.Tensors;

namespace Backprop.Training.Optimizers;

/// <summary>
/// Limited-memory BFGS (Nocedal &amp; Wright, Numerical Optimization, 2nd ed., Algorithm 7.4/7.5): the two-loop
/// recursion over the last <see cref="Memory"/> correction pairs with H₀ = (sᵀy / yᵀy)·I, and a line search
/// satisfying the strong Wolfe conditions (Algorithm 3.5 with the zoom of Algorithm 3.6, safeguarded cubic
/// interpolation), c₁ = 1e-4, c₂ = 0.9. The first step is scaled to length 1 (as L-BFGS-B does); later
/// iterations try the unit step first.
/// <para>
/// Stopping, with scipy's L-BFGS-B defaults: converged when max|∇f| ≤ <see cref="GradientTolerance"/> (pgtol) or when
/// the relative reduction (f_k − f_{k+1}) / max(|f_k|, |f_{k+1}|, 1) ≤ <see cref="CostTolerance"/>
/// (factr·ε = 2.22e-9). Not converged when the iteration limit is reached, the line search fails twice in a row
/// (the second time along steepest descent after discarding the memory), the cost or gradient becomes NaN or
/// infinite (the last accepted point is kept), or the callback returns false.
/// </para>
/// A pair with sᵀy ≤ ε·yᵀy (no positive curvature) is skipped. The search state is float64 whatever T is; the
/// objective sees the point rounded to T. <see cref="MinimizationResult.CostHistory"/> holds the cost after each
/// iteration (not the starting cost), like fmincg's fX.
/// </summary>
public sealed class Lbfgs : IMinimizer
{
    /// <summary>scipy's default ftol for L-BFGS-B: factr (1e7) · machine epsilon.</summary>
    public const double DefaultCostTolerance = 1e7 * 2.220446049250313e-16;

    public Lbfgs(int memory = 10, double gradientTolerance = 1e-5, double costTolerance = DefaultCostTolerance,
        int maxLineSearchEvaluations = 20, double c1 = 1e-4, double c2 = 0.9)
    {
        if (memory < 1) throw new ArgumentOutOfRangeException(nameof(memory), memory, "The memory must be at least 1.");
        if (!(gradientTolerance >= 0) || double.IsInfinity(gradientTolerance)) throw new ArgumentOutOfRangeException(nameof(gradientTolerance), gradientTolerance, "Must be finite and non-negative.");
        if (!(costTolerance >= 0) || double.IsInfinity(costTolerance)) throw new ArgumentOutOfRangeException(nameof(costTolerance), costTolerance, "Must be finite and non-negative.");
        if (maxLineSearchEvaluations < 1) throw new ArgumentOutOfRangeException(nameof(maxLineSearchEvaluations), maxLineSearchEvaluations, "Must be at least 1.");
        if (!(c1 > 0 && c1 < c2 && c2 < 1)) throw new ArgumentOutOfRangeException(nameof(c2), "The Wolfe constants must satisfy 0 < c1 < c2 < 1.");
        Memory = memory;
        GradientTolerance = gradientTolerance;
        CostTolerance = costTolerance;
        MaxLineSearchEvaluations = maxLineSearchEvaluations;
        C1 = c1;
        C2 = c2;
    }

    public int Memory { get; }
    public double GradientTolerance { get; }
    public double CostTolerance { get; }
    public int MaxLineSearchEvaluations { get; }
    public double C1 { get; }
    public double C2 { get; }
    public string Name => "lbfgs";

    public MinimizationResult Minimize<T>(Objective<T> objective, Span<T> parameters, int maxIterations, Func<IterationReport, bool>? onIteration = null)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ObjectiveEvaluator<T>.CheckArguments(objective, parameters, maxIterations);
        var eval = new ObjectiveEvaluator<T>(objective, parameters.Length);
        double[] x = ObjectiveEvaluator<T>.Load(parameters);
        var result = new Run<T>(this, eval, x).Execute(maxIterations, onIteration);
        ObjectiveEvaluator<T>.Store(x, parameters);
        return result;
    }

    /// <summary>max |v_i| (TensorPrimitives.MaxMagnitude returns the signed element).</summary>
    private static double MaxAbs(ReadOnlySpan<double> v) => Math.Abs(TensorPrimitives.MaxMagnitude(v));

    private static string F(double v) => v.ToString("G4", CultureInfo.InvariantCulture);

    /// <summary>The state of one minimization; the final point is left in the x array passed in.</summary>
    private sealed class Run<T>(Lbfgs o, ObjectiveEvaluator<T> eval, double[] x) where T : unmanaged, IFloatingPointIeee754<T>
    {
        private readonly int _n = x.Length;
        private readonly double[] _g = new double[x.Length];
        private readonly double[] _d = new double[x.Length];
        private readonly double[] _xt = new double[x.Length];   // trial point
        private readonly double[] _gt = new double[x.Length];
        private readonly double[] _xLo = new double[x.Length];  // best point of the zoom bracket
        private readonly double[] _gLo = new double[x.Length];
        private readonly double[][] _s = NewRows(o.Memory, x.Length);
        private readonly double[][] _y = NewRows(o.Memory, x.Length);
        private readonly double[] _rho = new double[o.Memory];
        private readonly double[] _alpha = new double[o.Memory];
        private readonly List<double> _history = [];
        private int _pairs, _newest = -1;
        private double _f;
        private int _iteration;

        private static double[][] NewRows(int m, int n)
        {
            var rows = new double[m][];
            for (int k = 0; k < m; k++) rows[k] = new double[n];
            return rows;
        }

        private MinimizationResult Result(bool converged, string message)
            => new(_f, _iteration, eval.Evaluations, converged, message, _history.ToArray());

        private MinimizationResult Diverged()
            => Result(false, $"Stopped: {eval.Problem} at iteration {_iteration + 1} (function evaluation {eval.Evaluations}); the parameters are the last accepted point.");

        public MinimizationResult Execute(int maxIterations, Func<IterationReport, bool>? onIteration)
        {
            _f = eval.Evaluate(x, _g);
            if (eval.Problem is not null)
                return Result(false, $"Stopped: {eval.Problem} at iteration 0 (the starting point).");
            double gmax = MaxAbs(_g);
            if (gmax <= o.GradientTolerance)
                return Result(true, $"Converged: max|gradient| = {F(gmax)} <= {F(o.GradientTolerance)} at the starting point.");

            bool retriedSteepest = false;
            while (_iteration < maxIterations)
            {
                Direction();
                double dphi0 = TensorPrimitives.Dot<double>(_g, _d);
                if (!(dphi0 < 0))
                {
                    // Not a descent direction (rounding, or curvature pairs gone bad): forget them.
                    _pairs = 0; _newest = -1;
                    TensorPrimitives.Negate<double>(_g, _d);
                    dphi0 = TensorPrimitives.Dot<double>(_g, _d);
                }
                // Steepest descent (first iteration, or after a reset): a step of length at most 1; otherwise the unit step.
                double initial = _pairs == 0 ? Math.Min(1.0, 1.0 / TensorPrimitives.Norm<double>(_d)) : 1.0;

                var status = LineSearch(dphi0, initial, out double fNew);
                if (status == SearchStatus.Diverged) return Diverged();
                if (status == SearchStatus.Failed)
                {
                    if (_pairs > 0 && !retriedSteepest)
                    {
                        _pairs = 0; _newest = -1;
                        retriedSteepest = true;
                        continue;
                    }
                    return Result(false, $"Line search failed at iteration {_iteration + 1}: no step satisfying the Wolfe conditions within {o.MaxLineSearchEvaluations} evaluations (the gradient may be inconsistent with the cost, or the minimum is reached to numerical precision).");
                }
                retriedSteepest = false;

                // Accept the step: s = x⁺ − x, y = g⁺ − g.
                int slot = (_newest + 1) % o.Memory;
                var s = _s[slot];
                var y = _y[slot];
                TensorPrimitives.Subtract<double>(_xt, x, s);
                TensorPrimitives.Subtract<double>(_gt, _g, y);
                double sy = TensorPrimitives.Dot<double>(s, y), yy = TensorPrimitives.Dot<double>(y, y);
                if (sy > double.Epsilon * yy && sy > 0)
                {
                    _rho[slot] = 1 / sy;
                    _newest = slot;
                    _pairs = Math.Min(_pairs + 1, o.Memory);
                }
                _xt.CopyTo(x, 0);
                _gt.CopyTo(_g, 0);
                double fOld = _f;
                _f = fNew;
                _iteration++;
                _history.Add(_f);

                if (onIteration is not null && !onIteration(new IterationReport(_iteration, _f, eval.Evaluations) { Point = x }))
                    return Result(false, $"Stopped by the callback at iteration {_iteration}.");
                gmax = MaxAbs(_g);
                if (gmax <= o.GradientTolerance)
                    return Result(true, $"Converged: max|gradient| = {F(gmax)} <= {F(o.GradientTolerance)} at iteration {_iteration}.");
                double reduction = (fOld - _f) / Math.Max(Math.Max(Math.Abs(fOld), Math.Abs(_f)), 1);
                if (reduction <= o.CostTolerance)
                    return Result(true, $"Converged: relative reduction of the cost {F(reduction)} <= {F(o.CostTolerance)} at iteration {_iteration}.");
            }
            return Result(false, $"Reached the limit of {maxIterations} iterations (max|gradient| = {F(MaxAbs(_g))}).");
        }

        /// <summary>d = −H·g by the two-loop recursion.</summary>
        private void Direction()
        {
            TensorPrimitives.Negate<double>(_g, _d);
            if (_pairs == 0) return;
            int m = o.Memory;
            for (int k = 0, j = _newest; k < _pairs; k++, j = (j - 1 + m) % m)
            {
                _alpha[j] = _rho[j] * TensorPrimitives.Dot<double>(_s[j], _d);
                UnfusedOps.MultiplyAdd<double>(_y[j], -_alpha[j], _d);
            }
            double gamma = 1 / (_rho[_newest] * TensorPrimitives.Dot<double>(_y[_newest], _y[_newest]));
            TensorPrimitives.Multiply<double>(_d, gamma, _d);
            int oldest = (_newest - _pairs + 1 + m) % m;
            for (int k = 0, j = oldest; k < _pairs; k++, j = (j + 1) % m)
            {
                double beta = _rho[j] * TensorPrimitives.Dot<double>(_y[j], _d);
                UnfusedOps.MultiplyAdd<double>(_s[j], _alpha[j] - beta, _d);
            }
        }

        private enum SearchStatus { Ok, Failed, Diverged }

        /// <summary>φ(a) at x + a·d into _xt/_gt; returns φ and writes φ'.</summary>
        private double Phi(double a, out double dphi)
        {
            x.CopyTo(_xt, 0);
            UnfusedOps.MultiplyAdd<double>(_d, a, _xt);
            double f = eval.Evaluate(_xt, _gt);
            dphi = TensorPrimitives.Dot<double>(_gt, _d);
            return f;
        }

        /// <summary>Strong-Wolfe line search (N&amp;W Algorithm 3.5); on Ok the accepted point is in _xt/_gt.</summary>
        private SearchStatus LineSearch(double dphi0, double a1, out double fAccepted)
        {
            double phi0 = _f;
            double aPrev = 0, fPrev = phi0, dPrev = dphi0;
            double a = a1;
            int evals = 0;
            fAccepted = phi0;
            const double aMax = 1e20;
            while (evals < o.MaxLineSearchEvaluations)
            {
                double fa = Phi(a, out double da);
                evals++;
                if (eval.Problem is not null) return SearchStatus.Diverged;
                if (fa > phi0 + o.C1 * a * dphi0 || (evals > 1 && fa >= fPrev))
                    return Zoom(phi0, dphi0, aPrev, fPrev, dPrev, a, fa, da, evals, loIsStart: aPrev == 0, out fAccepted);
                if (Math.Abs(da) <= -o.C2 * dphi0)
                {
                    fAccepted = fa;
                    return SearchStatus.Ok;
                }
                if (da >= 0)
                {
                    // Bracket [a, aPrev] with a the better end: remember a as lo.
                    _xt.CopyTo(_xLo, 0); _gt.CopyTo(_gLo, 0);
                    return Zoom(phi0, dphi0, a, fa, da, aPrev, fPrev, dPrev, evals, loIsStart: false, out fAccepted);
                }
                _xt.CopyTo(_xLo, 0); _gt.CopyTo(_gLo, 0);
                aPrev = a; fPrev = fa; dPrev = da;
                a = Math.Min(aMax, 2 * a);   // expand (as scipy's scalar_search_wolfe2)
            }
            return SearchStatus.Failed;
        }

        /// <summary>N&amp;W Algorithm 3.6. lo satisfies sufficient decrease and has the lower cost; its point is in _xLo/_gLo unless it is the start.</summary>
        private SearchStatus Zoom(double phi0, double dphi0, double lo, double fLo, double dLo, double hi, double fHi, double dHi,
            int evals, bool loIsStart, out double fAccepted)
        {
            fAccepted = phi0;
            while (evals < o.MaxLineSearchEvaluations)
            {
                double width = hi - lo;
                if (Math.Abs(width) * TensorPrimitives.Norm<double>(_d) <= 1e-16 * Math.Max(1, TensorPrimitives.Norm<double>(x)))
                    break;
                double a = Cubic(lo, fLo, dLo, hi, fHi, dHi);
                double left = Math.Min(lo, hi) + 0.1 * Math.Abs(width), right = Math.Max(lo, hi) - 0.1 * Math.Abs(width);
                if (!double.IsFinite(a) || a < left || a > right)
                    a = lo + 0.5 * width;
                double fa = Phi(a, out double da);
                evals++;
                if (eval.Problem is not null) return SearchStatus.Diverged;
                if (fa > phi0 + o.C1 * a * dphi0 || fa >= fLo)
                {
                    hi = a; fHi = fa; dHi = da;
                }
                else
                {
                    if (Math.Abs(da) <= -o.C2 * dphi0)
                    {
                        fAccepted = fa;
                        return SearchStatus.Ok;
                    }
                    if (da * (hi - lo) >= 0)
                    {
                        hi = lo; fHi = fLo; dHi = dLo;
                    }
                    lo = a; fLo = fa; dLo = da;
                    loIsStart = false;
                    _xt.CopyTo(_xLo, 0); _gt.CopyTo(_gLo, 0);
                }
            }
            // Out of evaluations (or the bracket collapsed): settle for lo if it decreased the cost (weak acceptance).
            if (!loIsStart && lo > 0 && fLo < phi0)
            {
                _xLo.CopyTo(_xt, 0); _gLo.CopyTo(_gt, 0);
                fAccepted = fLo;
                return SearchStatus.Ok;
            }
            return SearchStatus.Failed;
        }

        /// <summary>Minimizer of the cubic interpolating (a, fa, da) and (b, fb, db) (N&amp;W eq. 3.59); NaN if none.</summary>
        private static double Cubic(double a, double fa, double da, double b, double fb, double db)
        {
            double d1 = da + db - 3 * (fa - fb) / (a - b);
            double disc = d1 * d1 - da * db;
            if (!(disc >= 0)) return double.NaN;
            double d2 = Math.Sign(b - a) * Math.Sqrt(disc);
            return b - (b - a) * (db + d2 - d1) / (db - da + 2 * d2);
        }
    }
}
