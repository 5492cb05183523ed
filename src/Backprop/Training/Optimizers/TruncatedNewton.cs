using System.Globalization;
using System.Numerics;

namespace Backprop.Training.Optimizers;

/// <summary>
/// Truncated Newton (TNC): a port of the unconstrained path of Stephen G. Nash's TNBC as converted to C by
/// Jean-Sébastien Roy (<c>tnc.c</c>, the engine of SciPy's <c>minimize(method='TNC')</c> and <c>fmin_tnc</c>).
/// <list type="bullet">
/// <item>Each outer iteration solves the Newton equations H·p = −g approximately by preconditioned linear conjugate
/// gradient (at most <c>maxCGit</c> = clamp(n/2, 1, 50) steps), each step one Hessian-vector product by a forward
/// difference of gradients, H·v ≈ (∇f(x + δv) − ∇f(x))/δ with δ = accuracy·(‖x‖ + 1). The inner solve stops when
/// the quadratic model stops decreasing enough (Nash's q-test), on negative curvature, or one evaluation before
/// the budget.</item>
/// <item>Preconditioner: a two-step self-scaled BFGS update (the last step and the step accumulated since the last
/// reset) on top of a diagonal that the CG iterations refine (Nash's diagonal BFGS scaling).</item>
/// <item>Line search: Gill and Murray's safeguarded cubic-interpolation search (getptc) with the descent constant
/// 1e-4 and η = 0.25 (|φ'(α)| ≤ η·|φ'(0)|), at most 64 trial points, steps bounded by stepmx (10, multiplied by
/// 100 whenever a search reaches 90% of the bound).</item>
/// <item>Like tnc.c, it works on the scaled variables (x − x₀)/(1 + |x₀|) (the unbounded case of its scaling) and
/// rescales f by 1/‖g‖ whenever |log₁₀‖g‖| &gt; 1.3.</item>
/// </list>
/// <para>
/// <c>maxIterations</c> passed to <see cref="Minimize{T}"/> is SciPy's <c>maxfun</c>: the bound on function
/// evaluations, counting the first one, every line-search trial and every Hessian-vector product (so <c>maxfun =
/// 250</c> is <c>Minimize(f, x, 250)</c>). <see cref="MinimizationResult.Iterations"/> is the number of outer
/// (Newton) iterations and <see cref="MinimizationResult.CostHistory"/> the cost after each; the callback is
/// invoked once per outer iteration.
/// </para>
/// <para>
/// Stopping, as tnc.c (defaults of SciPy): converged when ‖g‖ ≤ pgtol·fscale (g in the scaled variables, times the
/// f-scale), when |f_k − f_{k+1}| ≤ ftol, or when the step length ‖x_{k+1} − x_k‖ ≤ xtol (scaled variables). Not
/// converged when the evaluation budget is spent (a line search cut short keeps the point it started from, as tnc.c
/// does), the line search fails, a cost or gradient becomes NaN, or infinite in a Hessian-vector product (the last
/// accepted point is kept), or the callback returns false. A line-search trial with an infinite cost or gradient
/// halves the trial step instead (tnc.c has no such guard). Bounds are not supported: this is the unconstrained
/// minimizer.
/// </para>
/// The search state is float64 whatever T is; the objective sees the point rounded to T. The default finite-difference
/// accuracy is √ε of T (1.5e-8 for double as in SciPy, 3.5e-4 for float, whose gradients are too coarse for 1e-8);
/// the default tolerances are SciPy's for double (ftol = xtol = 1.5e-8, pgtol = 1.2e-6) whatever T.
/// </summary>
public sealed class TruncatedNewton : IMinimizer
{
    /// <param name="maxCGIterations">Hessian-vector products per outer iteration; null = clamp(n/2, 1, 50); 0 = steepest descent.</param>
    /// <param name="eta">Severity of the line search: |φ'(α)| ≤ η·|φ'(0)|; in (0, 1).</param>
    /// <param name="maxStep">stepmx: the initial bound on a step's length (scaled variables).</param>
    /// <param name="accuracy">Relative precision of the finite differences; null = √ε of T.</param>
    /// <param name="minimumCost">fmin: an estimate of the minimum cost, used for the first trial step.</param>
    /// <param name="costTolerance">ftol; null = √ε(double) = 1.5e-8 (SciPy's: its default accuracy).</param>
    /// <param name="stepTolerance">xtol; null = √ε (1.5e-8).</param>
    /// <param name="gradientTolerance">pgtol; null = 1e-2·√(√ε(double)) = 1.2e-6 (SciPy's default).</param>
    /// <param name="rescale">Rescale f when |log₁₀ ‖g‖| exceeds this.</param>
    public TruncatedNewton(int? maxCGIterations = null, double eta = 0.25, double maxStep = 10, double? accuracy = null,
        double minimumCost = 0, double? costTolerance = null, double? stepTolerance = null, double? gradientTolerance = null,
        double rescale = 1.3)
    {
        if (maxCGIterations is < 0) throw new ArgumentOutOfRangeException(nameof(maxCGIterations), maxCGIterations, "Must be ≥ 0.");
        if (!(eta > 0 && eta < 1)) throw new ArgumentOutOfRangeException(nameof(eta), eta, "η must be in (0, 1).");
        if (!(maxStep > 0) || !double.IsFinite(maxStep)) throw new ArgumentOutOfRangeException(nameof(maxStep), maxStep, "Must be positive and finite.");
        if (accuracy is double a && !(a > 0 && a < 1)) throw new ArgumentOutOfRangeException(nameof(accuracy), accuracy, "Must be in (0, 1).");
        if (!double.IsFinite(minimumCost)) throw new ArgumentOutOfRangeException(nameof(minimumCost), minimumCost, "Must be finite.");
        CheckTolerance(costTolerance, nameof(costTolerance));
        CheckTolerance(stepTolerance, nameof(stepTolerance));
        CheckTolerance(gradientTolerance, nameof(gradientTolerance));
        if (!(rescale >= 0) || double.IsNaN(rescale)) throw new ArgumentOutOfRangeException(nameof(rescale), rescale, "Must be ≥ 0.");
        MaxCGIterations = maxCGIterations;
        Eta = eta;
        MaxStep = maxStep;
        Accuracy = accuracy;
        MinimumCost = minimumCost;
        CostTolerance = costTolerance;
        StepTolerance = stepTolerance;
        GradientTolerance = gradientTolerance;
        Rescale = rescale;
    }

    private static void CheckTolerance(double? value, string name)
    {
        if (value is double v && (!(v >= 0) || double.IsInfinity(v)))
            throw new ArgumentOutOfRangeException(name, value, "Must be finite and non-negative.");
    }

    public int? MaxCGIterations { get; }
    public double Eta { get; }
    public double MaxStep { get; }
    public double? Accuracy { get; }
    public double MinimumCost { get; }
    public double? CostTolerance { get; }
    public double? StepTolerance { get; }
    public double? GradientTolerance { get; }
    public double Rescale { get; }
    public string Name => "tnc";

    private const double Eps = 2.220446049250313e-16;   // DBL_EPSILON

    /// <param name="maxIterations">The bound on function evaluations (SciPy's maxfun).</param>
    public MinimizationResult Minimize<T>(Objective<T> objective, Span<T> parameters, int maxIterations, Func<IterationReport, bool>? onIteration = null)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ObjectiveEvaluator<T>.CheckArguments(objective, parameters, maxIterations);
        var eval = new ObjectiveEvaluator<T>(objective, parameters.Length);
        double[] x = ObjectiveEvaluator<T>.Load(parameters);
        double accuracy = Accuracy ?? Math.Sqrt(MachineEpsilon<T>());
        var result = new Run<T>(this, eval, x, accuracy).Execute(maxIterations, onIteration);
        ObjectiveEvaluator<T>.Store(x, parameters);
        return result;
    }

    /// <summary>The gap between 1 and the next T (T.Epsilon is the smallest subnormal).</summary>
    private static double MachineEpsilon<T>() where T : unmanaged, IFloatingPointIeee754<T>
        => double.CreateTruncating(T.BitIncrement(T.One) - T.One);

    private static string F(double v) => v.ToString("G4", CultureInfo.InvariantCulture);

    /// <summary>Left-to-right dot product, as tnc.c's ddot1.</summary>
    private static double Dot(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        double sum = 0;
        for (int i = 0; i < a.Length; i++) sum += b[i] * a[i];
        return sum;
    }

    /// <summary>Euclidean norm with running rescaling against overflow, as tnc.c's dnrm21 (the reference BLAS dnrm2).</summary>
    private static double Norm(ReadOnlySpan<double> v)
    {
        double ssq = 1, scale = 0;
        foreach (double e in v)
        {
            if (e == 0) continue;
            double abs = Math.Abs(e);
            if (scale < abs)
            {
                double ratio = scale / abs;
                ssq = 1 + ssq * ratio * ratio;
                scale = abs;
            }
            else
            {
                double ratio = abs / scale;
                ssq += ratio * ratio;
            }
        }
        return scale * Math.Sqrt(ssq);
    }

    /// <summary>y += a·x.</summary>
    private static void Axpy(double a, ReadOnlySpan<double> x, Span<double> y)
    {
        for (int i = 0; i < x.Length; i++) y[i] += a * x[i];
    }

    private enum Outcome { LocalMinimum, CostConverged, StepConverged, MaxEvaluations, LineSearchFailed, NoProgress, Callback, Diverged }

    private enum SearchResult { Ok, MaxEvaluations, Failed, Diverged }

    /// <summary>One minimization. x holds the start point and receives the result (unscaled).</summary>
    private sealed class Run<T>(TruncatedNewton o, ObjectiveEvaluator<T> eval, double[] xOut, double accuracy)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        private readonly int _n = xOut.Length;
        private readonly double _accuracy = accuracy;
        private double[] _xscale = [], _xoffset = [];
        private double _fscale = 1;
        private double[] _x = [], _g = [], _gfull = [], _unscaled = [];
        private readonly List<double> _history = [];
        private int _maxfun;

        // Preconditioner state shared by the direction and the main loop.
        private double[] _diagb = [], _sk = [], _yk = [], _sr = [], _yr = [];
        private bool _upd1 = true, _lreset;
        private double _yksk, _yrsr;

        // Work arrays of the direction, the preconditioner and the line search.
        private readonly double[] _r = new double[xOut.Length], _v = new double[xOut.Length], _zk = new double[xOut.Length],
            _emat = new double[xOut.Length], _gv = new double[xOut.Length], _xv = new double[xOut.Length],
            _hg = new double[xOut.Length], _hyk = new double[xOut.Length], _hyr = new double[xOut.Length], _bsk = new double[xOut.Length],
            _trial = new double[xOut.Length], _trialGradient = new double[xOut.Length], _bestGradient = new double[xOut.Length],
            _point = new double[xOut.Length];

        /// <summary>f and the full gradient at the scaled point xs; the gradient goes into gfull (unscaled).</summary>
        private double Evaluate(ReadOnlySpan<double> xs, Span<double> gfull)
        {
            for (int i = 0; i < _n; i++) _unscaled[i] = xs[i] * _xscale[i] + _xoffset[i];
            return eval.Evaluate(_unscaled, gfull);
        }

        /// <summary>g = ∇f in the scaled variables, times fscale.</summary>
        private void ScaleGradient(ReadOnlySpan<double> gfull, Span<double> g)
        {
            for (int i = 0; i < _n; i++) g[i] = gfull[i] * (_xscale[i] * _fscale);
        }

        public MinimizationResult Execute(int maxfun, Func<IterationReport, bool>? onIteration)
        {
            _maxfun = maxfun;
            _gfull = new double[_n];
            _unscaled = new double[_n];
            // The first evaluation, at the caller's point (unscaled: scale 1, offset 0 for now).
            _xscale = Enumerable.Repeat(1.0, _n).ToArray();
            _xoffset = new double[_n];
            double f = Evaluate(xOut, _gfull);
            if (eval.Problem is not null)
                return new MinimizationResult(f, 0, eval.Evaluations, false, $"Stopped: {eval.Problem} at iteration 0 (the starting point).", []);
            double cost = f;   // the cost at the accepted point as the objective returned it (f is rescaled below)

            // Unbounded variables: scale by 1 + |x₀|, offset x₀, so the scaled start is 0.
            for (int i = 0; i < _n; i++) { _xscale[i] = 1 + Math.Abs(xOut[i]); _xoffset[i] = xOut[i]; }
            double rteps = Math.Sqrt(Eps);
            int maxCG = o.MaxCGIterations ?? Math.Clamp(_n / 2, 1, 50);
            maxCG = Math.Min(maxCG, _n);
            // SciPy's tolerances for its default accuracy √ε(double), whatever T's finite-difference accuracy.
            double ftol = o.CostTolerance ?? rteps;
            double xtol = o.StepTolerance ?? rteps;
            double pgtol = o.GradientTolerance ?? 1e-2 * Math.Sqrt(rteps);
            double stepmx = o.MaxStep;

            _x = new double[_n];
            _g = new double[_n];
            var oldg = new double[_n];
            var pk = new double[_n];
            _diagb = Enumerable.Repeat(1.0, _n).ToArray();
            _sk = new double[_n]; _yk = new double[_n]; _sr = new double[_n]; _yr = new double[_n];

            double difnew = 0, epsred = 0.05;
            int icycle = _n - 1, niter = 0;
            bool newcon = true;
            f *= _fscale;
            ScaleGradient(_gfull, _g);
            double gnorm = Norm(_g);
            double fLastReset = f;
            double alpha = 0;
            Outcome outcome;

            while (true)
            {
                if (Norm(_g) <= pgtol * _fscale) { outcome = Outcome.LocalMinimum; break; }
                if (eval.Evaluations >= _maxfun) { outcome = Outcome.MaxEvaluations; break; }

                // Rescale f (and everything measured in it) so that ‖g‖ ≈ 1 when it has drifted by more than 10^rescale.
                double newscale = Norm(_g);
                if (newscale > Eps && Math.Abs(Math.Log10(newscale)) > o.Rescale)
                {
                    newscale = 1 / newscale;
                    f *= newscale;
                    _fscale *= newscale;
                    gnorm *= newscale;
                    fLastReset *= newscale;
                    difnew *= newscale;
                    for (int i = 0; i < _n; i++) _g[i] *= newscale;
                    Array.Fill(_diagb, 1.0);
                    _upd1 = true;
                    icycle = _n - 1;
                    newcon = true;
                }

                double xnorm = Norm(_x);
                int oldnfeval = eval.Evaluations;
                if (!Direction(pk, maxCG, gnorm, xnorm)) { outcome = Outcome.Diverged; break; }

                if (!newcon)
                {
                    if (!_lreset)
                    {
                        // Accumulate the steps (and gradient changes) since the last reset.
                        for (int i = 0; i < _n; i++) { _sr[i] += _sk[i]; _yr[i] += _yk[i]; }
                        icycle++;
                    }
                    else
                    {
                        _sk.CopyTo(_sr, 0);
                        _yk.CopyTo(_yr, 0);
                        fLastReset = f;
                        icycle = 1;
                    }
                }

                _g.CopyTo(oldg, 0);
                double oldf = f;
                double oldgtp = Dot(pk, _g);
                double ustpmax = stepmx / (Norm(pk) + Eps);   // no bounds: the constrained maximum step is this one
                double spe = ustpmax;

                // tnc.c passes fmin / fscale (not · fscale) for the first trial step; kept as is.
                alpha = InitialStep(f, o.MinimumCost / _fscale, oldgtp, spe);
                var search = LineSearch(pk, ref f, ref cost, ref alpha, ftol, spe);
                if (search == SearchResult.Diverged) { outcome = Outcome.Diverged; break; }
                if (search == SearchResult.Failed) { outcome = Outcome.LineSearchFailed; break; }
                if (alpha >= 0.9 * ustpmax) stepmx *= 1e2;   // the step bound was reached: allow longer steps
                if (alpha - spe >= -Eps * 10.0)
                {
                    newcon = true;   // tnc.c treats a step up to the bound like hitting a new constraint
                }
                else
                {
                    if (search != SearchResult.Ok) { outcome = Outcome.MaxEvaluations; break; }
                    newcon = false;
                }
                if (newcon && eval.Evaluations == oldnfeval) { outcome = Outcome.NoProgress; break; }

                niter++;
                _history.Add(cost);
                if (onIteration is not null)
                {
                    Unscale(_x, _point);
                    if (!onIteration(new IterationReport(niter, cost, eval.Evaluations) { Point = _point }))
                    { outcome = Outcome.Callback; break; }
                }

                double difold = difnew;
                difnew = oldf - f;
                if (icycle == 1)
                {
                    // First iteration of a new cycle: adapt the reduction that triggers the next reset.
                    if (difnew > difold * 2.0) epsred += epsred;
                    if (difnew < difold * 0.5) epsred *= 0.5;
                }

                ScaleGradient(_gfull, _g);
                gnorm = Norm(_g);

                if (!newcon)
                {
                    if (Math.Abs(difnew) <= ftol * _fscale) { outcome = Outcome.CostConverged; break; }
                    if (alpha * Norm(pk) <= xtol) { outcome = Outcome.StepConverged; break; }

                    // The step and gradient change for the preconditioner; reset it every n−1 iterations or on a poor reduction.
                    for (int i = 0; i < _n; i++) { _yk[i] = _g[i] - oldg[i]; _sk[i] = alpha * pk[i]; }
                    _yksk = Dot(_yk, _sk);
                    if (icycle == _n - 1 || difnew < epsred * (fLastReset - f))
                        _lreset = true;
                    else
                    {
                        _yrsr = Dot(_yr, _sr);
                        _lreset = _yrsr <= 0.0;
                    }
                    _upd1 = false;
                }
            }

            Unscale(_x, xOut);
            double gmax = 0;
            foreach (double v in _gfull) gmax = Math.Max(gmax, Math.Abs(v));
            string message = outcome switch
            {
                Outcome.LocalMinimum => $"Converged: local minimum, |projected gradient| <= {F(pgtol)} (scaled) after {niter} iterations.",
                Outcome.CostConverged => $"Converged: |f_n - f_(n-1)| <= {F(ftol)} (scaled) at iteration {niter}.",
                Outcome.StepConverged => $"Converged: |x_n - x_(n-1)| <= {F(xtol)} (scaled) at iteration {niter}.",
                Outcome.MaxEvaluations => $"Reached the limit of {_maxfun} function evaluations after {niter} iterations (max|gradient| = {F(gmax)}).",
                Outcome.LineSearchFailed => $"Line search failed at iteration {niter + 1}: no lower point found (the minimum may be reached to numerical precision, or the gradient is inconsistent with the cost).",
                Outcome.NoProgress => $"Unable to progress at iteration {niter + 1}.",
                Outcome.Callback => $"Stopped by the callback at iteration {niter}.",
                _ => $"Stopped: {eval.Problem} at iteration {niter + 1} (function evaluation {eval.Evaluations}); the parameters are the last accepted point.",
            };
            bool converged = outcome is Outcome.LocalMinimum or Outcome.CostConverged or Outcome.StepConverged;
            return new MinimizationResult(cost, niter, eval.Evaluations, converged, message, _history.ToArray());
        }

        private void Unscale(ReadOnlySpan<double> xs, Span<double> result)
        {
            for (int i = 0; i < _n; i++) result[i] = xs[i] * _xscale[i] + _xoffset[i];
        }

        /// <summary>tnc.c's initialStep: 2·|f − fmin| / |gᵀp| when that is below 1, capped by the maximum step.</summary>
        private static double InitialStep(double f, double fmin, double gtp, double smax)
        {
            double d = Math.Abs(f - fmin);
            double alpha = 1.0;
            if (d * 2.0 <= -gtp && d >= Eps) alpha = d * -2.0 / gtp;
            return alpha >= smax ? smax : alpha;
        }

        // ---- The Newton direction: preconditioned CG on H·p = −g ----

        /// <summary>tnc_direction: writes the search direction into zsol; false if an evaluation gave NaN/∞.</summary>
        private bool Direction(double[] zsol, int maxCG, double gnorm, double xnorm)
        {
            if (maxCG == 0)
            {
                for (int i = 0; i < _n; i++) zsol[i] = -_g[i];
                return true;
            }
            double rhsnrm = gnorm;
            const double tol = 1e-12;
            double qold = 0, rzold = 0;
            double[] r = _r, v = _v, zk = _zk, emat = _emat, gv = _gv;
            Array.Clear(v);
            InitPreconditioner(emat);
            for (int i = 0; i < _n; i++) { r[i] = -_g[i]; zsol[i] = 0; }

            for (int k = 0; k < maxCG; k++)
            {
                MSolve(r, zk);
                double rz = Dot(r, zk);
                if (rz / rhsnrm < tol || eval.Evaluations >= _maxfun - 1)
                {
                    // Residual negligible or the budget nearly spent: truncate (steepest descent if nothing yet).
                    if (k == 0) for (int i = 0; i < _n; i++) zsol[i] = -_g[i];
                    break;
                }
                double beta = k == 0 ? 0.0 : rz / rzold;
                for (int i = 0; i < _n; i++) v[i] = zk[i] + beta * v[i];

                if (!HessianTimesVector(v, gv, xnorm)) return false;
                double vgv = Dot(v, gv);
                if (vgv / rhsnrm < tol)
                {
                    // (Near-)negative curvature: truncate (the preconditioned gradient if nothing yet).
                    if (k == 0)
                    {
                        MSolve(_g, zsol);
                        for (int i = 0; i < _n; i++) zsol[i] = -zsol[i];
                    }
                    break;
                }
                DiagonalScaling(emat, v, gv, r);

                double step = rz / vgv;
                Axpy(step, v, zsol);
                Axpy(-step, gv, r);

                // Nash's truncation test on the quadratic model q = ½(gᵀp + rᵀp).
                double gtp = Dot(zsol, _g);
                double pr = Dot(r, zsol);
                double qnew = (gtp + pr) * 0.5;
                double qtest = (k + 1) * (1.0 - qold / qnew);
                if (qtest <= 0.5) break;
                if (gtp > 0.0)
                {
                    Axpy(-step, v, zsol);   // not a descent direction: undo the last step
                    break;
                }
                qold = qnew;
                rzold = rz;
            }
            emat.CopyTo(_diagb, 0);   // keep the refined diagonal for the next iteration
            return true;
        }

        /// <summary>H·v ≈ (∇f(x + δv) − ∇f(x))/δ, δ = accuracy·(‖x‖ + 1); false if the gradient was NaN/∞.</summary>
        private bool HessianTimesVector(double[] v, double[] gv, double xnorm)
        {
            double delta = _accuracy * (xnorm + 1.0);
            var xv = _xv;
            for (int i = 0; i < _n; i++) xv[i] = _x[i] + delta * v[i];
            Evaluate(xv, gv);
            if (eval.Problem is not null) return false;
            ScaleGradient(gv, gv);
            double dinv = 1.0 / delta;
            for (int i = 0; i < _n; i++) gv[i] = (gv[i] - _g[i]) * dinv;
            return true;
        }

        /// <summary>Refines the diagonal preconditioner with a diagonal BFGS update from the CG step.</summary>
        private void DiagonalScaling(double[] e, double[] v, double[] gv, double[] r)
        {
            double vr = 1.0 / Dot(v, r);
            double vgv = 1.0 / Dot(v, gv);
            for (int i = 0; i < _n; i++)
            {
                e[i] += -r[i] * r[i] * vr + gv[i] * gv[i] * vgv;
                if (e[i] <= 1e-6) e[i] = 1.0;
            }
        }

        /// <summary>y = M⁻¹g: the diagonal alone, or the two-step self-scaled BFGS update of it.</summary>
        private void MSolve(double[] g, double[] y)
        {
            if (_upd1)
            {
                for (int i = 0; i < _n; i++) y[i] = g[i] / _diagb[i];
                return;
            }
            double gsk = Dot(g, _sk);
            double[] hg = _hg, hyk = _hyk;
            if (_lreset)
            {
                for (int i = 0; i < _n; i++)
                {
                    double rdiagb = 1.0 / _diagb[i];
                    hg[i] = g[i] * rdiagb;
                    hyk[i] = _yk[i] * rdiagb;
                }
                double ykhyk = Dot(_yk, hyk);
                double ghyk = Dot(g, hyk);
                SelfScaledBfgs(_sk, hg, hyk, _yksk, ykhyk, gsk, ghyk, y);
            }
            else
            {
                var hyr = _hyr;
                for (int i = 0; i < _n; i++)
                {
                    double rdiagb = 1.0 / _diagb[i];
                    hg[i] = g[i] * rdiagb;
                    hyk[i] = _yk[i] * rdiagb;
                    hyr[i] = _yr[i] * rdiagb;
                }
                double gsr = Dot(g, _sr);
                double ghyr = Dot(g, hyr);
                double yrhyr = Dot(_yr, hyr);
                SelfScaledBfgs(_sr, hg, hyr, _yrsr, yrhyr, gsr, ghyr, hg);
                double yksr = Dot(_yk, _sr);
                double ykhyr = Dot(_yk, hyr);
                SelfScaledBfgs(_sr, hyk, hyr, _yrsr, yrhyr, yksr, ykhyr, hyk);
                double ykhyk = Dot(hyk, _yk);
                double ghyk = Dot(hyk, g);
                SelfScaledBfgs(_sk, hg, hyk, _yksk, ykhyk, gsk, ghyk, y);
            }
        }

        /// <summary>H_{j+1}·v from H_j·v, H_j·y_j and the pair (s_j, y_j) (γ = 1); result may alias hjv.</summary>
        private static void SelfScaledBfgs(double[] sj, double[] hjv, double[] hjyj, double yjsj, double yjhyj,
            double vsj, double vhyj, double[] result)
        {
            const double gamma = 1.0;
            double delta = 0, beta = 0;
            if (yjsj != 0.0)
            {
                delta = (gamma * yjhyj / yjsj + 1.0) * vsj / yjsj - gamma * vhyj / yjsj;
                beta = -gamma * vsj / yjsj;
            }
            for (int i = 0; i < sj.Length; i++) result[i] = gamma * hjv[i] + delta * sj[i] + beta * hjyj[i];
        }

        /// <summary>The diagonal of the BFGS-updated preconditioner, the start of this iteration's diagonal scaling.</summary>
        private void InitPreconditioner(double[] emat)
        {
            if (_upd1)
            {
                _diagb.CopyTo(emat, 0);
                return;
            }
            var bsk = _bsk;
            double yksk = _yksk == 0.0 ? 1.0 : _yksk;
            if (_lreset)
            {
                for (int i = 0; i < _n; i++) bsk[i] = _diagb[i] * _sk[i];
                double sds = Dot(_sk, bsk);
                if (sds == 0.0) sds = 1.0;
                for (int i = 0; i < _n; i++)
                {
                    double td = _diagb[i];
                    emat[i] = td - td * td * _sk[i] * _sk[i] / sds + _yk[i] * _yk[i] / yksk;
                }
            }
            else
            {
                for (int i = 0; i < _n; i++) bsk[i] = _diagb[i] * _sr[i];
                double sds = Dot(_sr, bsk);
                double srds = Dot(_sk, bsk);
                double yrsk = Dot(_yr, _sk);
                double yrsr = _yrsr == 0.0 ? 1.0 : _yrsr;
                if (sds == 0.0) sds = 1.0;
                for (int i = 0; i < _n; i++)
                {
                    double td = _diagb[i];
                    bsk[i] = td * _sk[i] - bsk[i] * srds / sds + _yr[i] * yrsk / yrsr;
                    emat[i] = td - td * td * _sr[i] * _sr[i] / sds + _yr[i] * _yr[i] / yrsr;
                }
                sds = Dot(_sk, bsk);
                if (sds == 0.0) sds = 1.0;
                // SciPy's tnc.c (1.10 and its reformatted source) writes emat -= bsk²/sds + yk²/yksk, subtracting the yk term
                // that Nash's TN and the earlier C add; kept, so that the iterates are SciPy's.
                for (int i = 0; i < _n; i++) emat[i] -= bsk[i] * bsk[i] / sds + _yk[i] * _yk[i] / yksk;
            }
        }

        // ---- Gill and Murray's line search ----

        /// <summary>
        /// tnc.c's linearSearch: on Ok, x += α·p, f (rescaled), cost (as returned) and gfull are those of the new point. On MaxEvaluations or Failed
        /// the point is unchanged and α is the best step found so far (0 if none).
        /// </summary>
        private SearchResult LineSearch(double[] p, ref double f, ref double cost, ref double alpha, double ftol, double xbnd)
        {
            const int maxlsit = 64;
            double[] temp = _trial, tempgfull = _trialGradient, newgfull = _bestGradient;
            ScaleGradient(_gfull, temp);
            double gu = Dot(temp, p);
            double xnorm = Norm(_x);
            double rteps = Math.Sqrt(Eps);
            double pe = Norm(p) + Eps;
            var s = new StepSearch
            {
                RelTol = rteps * (xnorm + 1.0) / pe,
                AbsTol = -Eps * (1.0 + Math.Abs(f)) / (gu - Eps),
                TinyTol = Eps * (xnorm + 1.0) / pe,
                Big = 1.0 / (Eps * Eps),
                RtSmall = Eps,
                FPrecision = ftol,
                XBound = xbnd,
            };
            double u = alpha, fu = f, bestCost = cost;
            int itcnt = 0;
            var itest = s.Init(o.Eta, 1e-4, ref u, fu, gu);
            while (itest == StepSearch.Status.Evaluate)
            {
                if (++itcnt > maxlsit || eval.Evaluations >= _maxfun) break;
                double ualpha = s.XMin + u;
                for (int i = 0; i < _n; i++) temp[i] = _x[i] + ualpha * p[i];
                fu = Evaluate(temp, tempgfull);
                if (eval.Problem is not null)
                {
                    // A NaN stops the run. An infinite cost (or gradient) is a step too long for the objective (an
                    // overflowing cross-entropy): halve the trial step, where tnc.c would feed ∞ to its interpolation.
                    if (eval.Problem.Contains("NaN", StringComparison.Ordinal)) { alpha = s.XMin; return SearchResult.Diverged; }
                    u *= 0.5;
                    continue;
                }
                double trialCost = fu;
                fu *= _fscale;
                ScaleGradient(tempgfull, temp);
                gu = Dot(temp, p);
                itest = s.Iterate(ref u, ref fu, ref gu);
                if (s.XMin == ualpha)
                {
                    tempgfull.CopyTo(newgfull, 0);   // a new best point
                    bestCost = trialCost;
                }
            }
            alpha = s.XMin;
            if (itest == StepSearch.Status.Ok)
            {
                f = s.FMin;
                cost = bestCost;
                Axpy(alpha, p, _x);
                newgfull.CopyTo(_gfull, 0);
                return SearchResult.Ok;
            }
            if (itcnt > maxlsit || itest != StepSearch.Status.Evaluate) return SearchResult.Failed;
            return SearchResult.MaxEvaluations;
        }
    }

    /// <summary>
    /// getptc (Gill and Murray): proposes the next trial step along the search line from the interval of uncertainty
    /// [a, b] (relative to the best point xmin), the best and second-best points, and safeguarded cubic interpolation.
    /// </summary>
    private sealed class StepSearch
    {
        public enum Status { Ok, Evaluate, InvalidInput, Failed }

        public double RelTol, AbsTol, TinyTol, Big, RtSmall, FPrecision, XBound;
        public double XMin, FMin;
        private double _gmin, _xw, _fw, _gw, _a, _b, _oldf, _b1, _scxbnd, _e, _step, _factor, _gtest1, _gtest2, _tol;
        private bool _bracketed;

        /// <summary>getptcInit: u is the first trial step (in), then the step to evaluate (out); fu, gu at the origin.</summary>
        public Status Init(double eta, double rmu, ref double u, double fu, double gu)
        {
            if (u <= 0.0 || XBound <= TinyTol || gu > 0.0) return Status.InvalidInput;
            if (XBound < AbsTol) AbsTol = XBound;
            _tol = AbsTol;
            _a = 0; _xw = 0; XMin = 0;
            _oldf = fu; FMin = fu; _fw = fu;
            _gw = gu; _gmin = gu;
            _step = u;
            _factor = 5.0;
            _bracketed = false;
            // The upper end of the interval is the step bound plus its tolerance.
            _scxbnd = XBound;
            _b = _scxbnd + RelTol * Math.Abs(_scxbnd) + AbsTol;
            _e = _b + _b;
            _b1 = _b;
            _gtest1 = -rmu * gu;
            _gtest2 = -eta * gu;
            return NextStep(ref u);
        }

        /// <summary>getptcIter: takes f and φ' at the trial step u (relative to XMin); proposes the next or stops.</summary>
        public Status Iterate(ref double u, ref double fu, ref double gu)
        {
            bool moved = false;
            if (fu <= FMin)
            {
                double chordu = _oldf - (XMin + u) * _gtest1;
                if (fu > chordu)
                {
                    // Lower but not sufficiently: make u the upper end and replace f, φ' there by chord-based values
                    // so the interpolation bisects or takes the secant of f(α) = chord(α).
                    double chordm = _oldf - XMin * _gtest1;
                    gu = -_gmin;
                    double denom = chordm - FMin;
                    if (Math.Abs(denom) < 1e-15)
                    {
                        denom = 1e-15;
                        if (chordm - FMin < 0.0) denom = -denom;
                    }
                    if (XMin != 0.0) gu = _gmin * (chordu - fu) / denom;
                    fu = 0.5 * u * (_gmin + gu) + FMin;
                    if (fu < FMin) fu = FMin;
                }
                else
                {
                    // A new best point: the origin moves there.
                    _fw = FMin; FMin = fu;
                    _gw = _gmin; _gmin = gu;
                    XMin += u;
                    _a -= u; _b -= u;
                    _xw = -u;
                    _scxbnd -= u;
                    if (gu <= 0.0) _a = 0.0;
                    else { _b = 0.0; _bracketed = true; }
                    _tol = Math.Abs(XMin) * RelTol + AbsTol;
                    moved = true;
                }
            }
            if (!moved)
            {
                // f increased: the origin stays, u narrows the interval and becomes the second-best point.
                if (u < 0.0) _a = u;
                else { _b = u; _bracketed = true; }
                _xw = u; _fw = fu; _gw = gu;
            }

            double twotol = _tol + _tol;
            double xmidpt = 0.5 * (_a + _b);
            bool converged = Math.Abs(xmidpt) <= twotol - 0.5 * (_b - _a)
                || (Math.Abs(_gmin) <= _gtest2 && FMin < _oldf && (Math.Abs(XMin - XBound) > _tol || !_bracketed));
            if (converged)
            {
                if (XMin != 0.0) return Status.Ok;
                // No decrease yet: give up if f changed no more than its precision, else shrink the tolerances.
                if (Math.Abs(_oldf - _fw) <= FPrecision) return Status.Failed;
                _tol = 0.1 * _tol;
                if (_tol < TinyTol) return Status.Failed;
                RelTol = 0.1 * RelTol;
                AbsTol = 0.1 * AbsTol;
                twotol = 0.1 * twotol;
            }
            return Interpolate(ref u, xmidpt, twotol);
        }

        /// <summary>The trial step: a cubic fit through xmin and xw when acceptable, else bisection or extrapolation.</summary>
        private Status Interpolate(ref double u, double xmidpt, double twotol)
        {
            double r = 0, q = 0, s = 0;
            bool skipFit = false;
            if (Math.Abs(_e) > _tol)
            {
                // Cubic through (0, fmin, gmin) and (xw, fw, gw).
                r = 3.0 * (FMin - _fw) / _xw + _gmin + _gw;
                double absr = Math.Abs(r);
                q = absr;
                if (_gw != 0.0 && _gmin != 0.0)
                {
                    // √(r² − gmin·gw) without underflow or overflow.
                    double abgw = Math.Abs(_gw), abgmin = Math.Abs(_gmin);
                    s = Math.Sqrt(abgmin) * Math.Sqrt(abgw);
                    if (_gw / abgw * _gmin > 0.0)
                    {
                        if (r >= s || r <= -s)
                            q = Math.Sqrt(Math.Abs(r + s)) * Math.Sqrt(Math.Abs(r - s));
                        else
                        {
                            r = 0; q = 0;
                            skipFit = true;
                        }
                    }
                    else
                    {
                        double sumsq = 1.0, p = 0.0, scale;
                        if (absr >= s)
                        {
                            if (absr > RtSmall) p = absr * RtSmall;
                            if (s >= p) { double value = s / absr; sumsq = 1.0 + value * value; }
                            scale = absr;
                        }
                        else
                        {
                            if (s > RtSmall) p = s * RtSmall;
                            if (absr >= p) { double value = absr / s; sumsq = 1.0 + value * value; }
                            scale = s;
                        }
                        sumsq = Math.Sqrt(sumsq);
                        q = Big;
                        if (scale < Big / sumsq) q = scale * sumsq;
                    }
                }
                if (!skipFit)
                {
                    // The minimum of the cubic, as the ratio s/q.
                    if (_xw < 0.0) q = -q;
                    s = _xw * (_gmin - r - q);
                    q = _gw - _gmin + q + q;
                    if (q > 0.0) s = -s;
                    if (q <= 0.0) q = -q;
                    r = _e;
                    if (_b1 != _step || _bracketed) _e = _step;
                }
            }

            // An artificial bound on the step.
            double a1 = _a;
            _b1 = _b;
            _step = xmidpt;
            if (!_bracketed || (_a == 0.0 && _xw < 0.0) || (_b == 0.0 && _xw > 0.0))
            {
                if (_bracketed)
                {
                    // The minimum is not bracketed by 0 and xw: the step must lie within (a1, b1).
                    double d1 = _xw, d2 = _a == 0.0 ? _b : _a;
                    u = -d1 / d2;
                    _step = 5.0 * d2 * (0.1 + 1.0 / u) / 11.0;
                    if (u < 1.0) _step = 0.5 * d2 * Math.Sqrt(u);
                }
                else
                {
                    // Not bracketed: extrapolate by a growing factor, up to the bound.
                    _step = -_factor * _xw;
                    if (_step > _scxbnd) _step = _scxbnd;
                    if (_step != _scxbnd) _factor = 5.0 * _factor;
                }
                if (_step <= 0.0) a1 = _step;
                if (_step > 0.0) _b1 = _step;
            }

            // Reject the interpolated step outside the interval or longer than half the last-but-one step.
            if (Math.Abs(s) <= Math.Abs(0.5 * q * r) || s <= q * a1 || s >= q * _b1)
                _e = _b - _a;
            else
            {
                _step = s / q;
                if (_step - _a < twotol || _b - _step < twotol)   // not too close to a or b
                    _step = xmidpt <= 0.0 ? -_tol : _tol;
            }
            return NextStep(ref u);
        }

        /// <summary>Clamps the step to the bound (moving the bound in by its tolerance) and to at least tol.</summary>
        private Status NextStep(ref double u)
        {
            if (_step >= _scxbnd)
            {
                _step = _scxbnd;
                _scxbnd -= (RelTol * Math.Abs(XBound) + AbsTol) / (1.0 + RelTol);
            }
            u = _step;
            if (Math.Abs(_step) < _tol && _step < 0.0) u = -_tol;
            if (Math.Abs(_step) < _tol && _step >= 0.0) u = _tol;
            return Status.Evaluate;
        }
    }
}
