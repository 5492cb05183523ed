using System.Numerics;
using System.Text.Json;
using Backprop.Training.Optimizers;

namespace Backprop.Tests.Training.Optimizers;

/// <summary>The objectives of make_minimizer_fixtures.py, written with the same formulas (in T).</summary>
internal static class TestObjectives
{
    /// <summary>scipy.optimize.rosen / rosen_der.</summary>
    public static double Rosenbrock<T>(ReadOnlySpan<T> x, Span<T> g) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int n = x.Length;
        T c100 = T.CreateChecked(100), c200 = T.CreateChecked(200), c400 = T.CreateChecked(400), c2 = T.CreateChecked(2);
        Span<double> terms = stackalloc double[n - 1];
        for (int k = 0; k < n - 1; k++)
        {
            T a = x[k + 1] - x[k] * x[k], b = T.One - x[k];
            terms[k] = double.CreateChecked(c100 * (a * a) + b * b);
        }
        double f = NumpySum(terms);
        g[0] = -c400 * x[0] * (x[1] - x[0] * x[0]) - c2 * (T.One - x[0]);
        for (int k = 1; k < n - 1; k++)
            g[k] = c200 * (x[k] - x[k - 1] * x[k - 1]) - c400 * (x[k + 1] - x[k] * x[k]) * x[k] - c2 * (T.One - x[k]);
        g[n - 1] = c200 * (x[n - 1] - x[n - 2] * x[n - 2]);
        return f;
    }

    /// <summary>np.sum's pairwise summation (8 accumulators per block of ≤ 128, halves above), bit-for-bit.</summary>
    public static double NumpySum(ReadOnlySpan<double> a)
    {
        int n = a.Length;
        if (n < 8)
        {
            double res = 0;
            for (int i = 0; i < n; i++) res += a[i];
            return res;
        }
        if (n <= 128)
        {
            Span<double> r = stackalloc double[8];
            a[..8].CopyTo(r);
            int i = 8;
            for (; i < n - n % 8; i += 8)
                for (int j = 0; j < 8; j++) r[j] += a[i + j];
            double res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
            for (; i < n; i++) res += a[i];
            return res;
        }
        int n2 = n / 2;
        n2 -= n2 % 8;
        return NumpySum(a[..n2]) + NumpySum(a[n2..]);
    }

    /// <summary>Regularized logistic regression (Coursera ex2 costFunctionReg), bias column prepended, bias not regularized.</summary>
    public sealed class Logistic
    {
        private readonly double[][] _x;   // rows with the leading 1
        private readonly double[] _y;
        private readonly double _lambda;

        public Logistic(JsonElement data)
        {
            _x = OptimFixtures.Rows(data.GetProperty("X")).Select(r => r.Prepend(1.0).ToArray()).ToArray();
            _y = OptimFixtures.Doubles(data.GetProperty("y"));
            _lambda = data.GetProperty("lambda").GetDouble();
        }

        public int Dimension => _x[0].Length;

        public double Cost<T>(ReadOnlySpan<T> theta, Span<T> grad) where T : unmanaged, IFloatingPointIeee754<T>
        {
            int m = _y.Length, n = theta.Length;
            Span<double> gd = stackalloc double[n];
            gd.Clear();
            var terms = new double[m];
            for (int r = 0; r < m; r++)
            {
                double z = 0;
                for (int c = 0; c < n; c++) z += _x[r][c] * double.CreateChecked(theta[c]);
                double h = 1 / (1 + Math.Exp(-z));
                terms[r] = -_y[r] * Math.Log(h) - (1 - _y[r]) * Math.Log(1 - h);
                for (int c = 0; c < n; c++) gd[c] += _x[r][c] * (h - _y[r]);
            }
            Span<double> squares = stackalloc double[n - 1];
            for (int c = 1; c < n; c++) squares[c - 1] = double.CreateChecked(theta[c]) * double.CreateChecked(theta[c]);
            // J = (1/m)·Σ terms + λ/(2m)·Σ θ[1:]²   (same operation order as the NumPy reference)
            double j = (1.0 / m) * NumpySum(terms) + _lambda / (2 * m) * NumpySum(squares);
            for (int c = 0; c < n; c++)
            {
                double v = (1.0 / m) * gd[c];
                if (c > 0) v += _lambda / m * double.CreateChecked(theta[c]);
                grad[c] = T.CreateChecked(v);
            }
            return j;
        }
    }

    public static Objective<T> Get<T>(string name, JsonElement root) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (name.StartsWith("rosenbrock", StringComparison.Ordinal)) return Rosenbrock<T>;
        var lr = new Logistic(root.GetProperty("logistic"));
        return lr.Cost<T>;
    }
}
