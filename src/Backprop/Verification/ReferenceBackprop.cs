using Backprop.Layers;
using Backprop.Losses;
using Backprop.Networks;
using Backprop.Numerics;

namespace Backprop.Verification;

/// <summary>
/// Backpropagation written the way the ex4 text teaches it: a for-loop over the examples, plain
/// scalar arithmetic on Theta matrices (bias in column 0), no GEMM and no vectorization. It is slow and
/// obviously correct; tests hold the fast vectorized engine against it.
/// <code>
/// for t = 1..m:  a1 = [1; x_t];  z(l+1) = Θl·al;  a(l+1) = [1; g(z(l+1))]
///                δL = aL − y_t (cross-entropy) or (aL − y_t)·g'(zL) (squared error)
///                δl = (Θlᵀ δ(l+1))[2:end] · g'(zl);   Δl += δ(l+1)·alᵀ
/// D = Δ/m + (λ/m)·Θ with the bias column not regularized
/// </code>
/// </summary>
public static class ReferenceBackprop
{
    /// <summary>The cost and the gradient (in the network's flat layout) at the network's parameters.</summary>
    public static (double Cost, double[] Gradient) CostAndGradient(Network<double> network, Matrix<double> x, Matrix<double> y, double lambda)
    {
        ArgumentNullException.ThrowIfNull(network);
        var spec = network.Spec;
        var thetas = MatlabTheta.Export(network);
        int layers = thetas.Length, m = x.Rows;
        var deltaAcc = thetas.Select(t => new double[t.Rows, t.Cols]).ToArray();
        double cost = 0;
        for (int t = 0; t < m; t++)
        {
            // Forward: a[l] includes the bias unit at index 0 for every layer but the output.
            var a = new double[layers + 1][];
            var z = new double[layers + 1][];
            a[0] = new double[x.Cols + 1];
            a[0][0] = 1;
            for (int i = 0; i < x.Cols; i++) a[0][i + 1] = x[t, i];
            for (int l = 0; l < layers; l++)
            {
                var theta = thetas[l];
                z[l + 1] = new double[theta.Rows];
                for (int j = 0; j < theta.Rows; j++)
                {
                    double s = 0;
                    for (int i = 0; i < theta.Cols; i++) s += theta[j, i] * a[l][i];
                    z[l + 1][j] = s;
                }
                var g = Activate(spec.Activations[l], z[l + 1]);
                bool output = l == layers - 1;
                a[l + 1] = output ? g : [1.0, .. g];
            }
            var h = a[layers];
            var yt = new double[h.Length];
            for (int k = 0; k < h.Length; k++) yt[k] = y[t, k];
            cost += Loss(spec.OutputActivation, spec.Loss, h, yt);

            // Backward.
            var delta = new double[h.Length];
            for (int k = 0; k < h.Length; k++)
            {
                delta[k] = h[k] - yt[k];
                if (spec.Loss == Losses.Loss.SquaredError) delta[k] *= Derivative(spec.OutputActivation, z[layers][k]);
            }
            for (int l = layers - 1; l >= 0; l--)
            {
                var theta = thetas[l];
                for (int j = 0; j < theta.Rows; j++)
                    for (int i = 0; i < theta.Cols; i++)
                        deltaAcc[l][j, i] += delta[j] * a[l][i];
                if (l == 0) break;
                var previous = new double[theta.Cols - 1];
                for (int i = 1; i < theta.Cols; i++)
                {
                    double s = 0;
                    for (int j = 0; j < theta.Rows; j++) s += theta[j, i] * delta[j];
                    previous[i - 1] = s * Derivative(spec.Activations[l - 1], z[l][i - 1]);
                }
                delta = previous;
            }
        }
        cost /= m;
        double reg = 0;
        foreach (var theta in thetas)
            for (int j = 0; j < theta.Rows; j++)
                for (int i = 1; i < theta.Cols; i++) reg += theta[j, i] * theta[j, i];
        cost += lambda / (2.0 * m) * reg;

        var gradientNetwork = new Network<double>(spec);
        for (int l = 0; l < layers; l++)
        {
            var d = new Matrix<double>(thetas[l].Rows, thetas[l].Cols);
            for (int j = 0; j < d.Rows; j++)
                for (int i = 0; i < d.Cols; i++)
                    d[j, i] = deltaAcc[l][j, i] / m + (i == 0 ? 0 : lambda / m * thetas[l][j, i]);
            MatlabTheta.Import(gradientNetwork.Layers[l], d);
        }
        return (cost, gradientNetwork.Parameters);
    }

    private static double[] Activate(Activation f, double[] z)
    {
        var g = new double[z.Length];
        switch (f)
        {
            case Activation.Softmax:
                double max = z.Max(), sum = 0;
                for (int k = 0; k < z.Length; k++) sum += g[k] = Math.Exp(z[k] - max);
                for (int k = 0; k < z.Length; k++) g[k] /= sum;
                return g;
            default:
                for (int k = 0; k < z.Length; k++) g[k] = f switch
                {
                    Activation.Sigmoid => 1.0 / (1.0 + Math.Exp(-z[k])),
                    Activation.Tanh => Math.Tanh(z[k]),
                    Activation.Relu => Math.Max(z[k], 0),
                    _ => z[k],
                };
                return g;
        }
    }

    private static double Derivative(Activation f, double z) => f switch
    {
        Activation.Sigmoid => 1.0 / (1.0 + Math.Exp(-z)) * (1 - 1.0 / (1.0 + Math.Exp(-z))),
        Activation.Tanh => 1 - Math.Tanh(z) * Math.Tanh(z),
        Activation.Relu => z > 0 ? 1 : 0,
        Activation.Identity => 1,
        _ => throw new NotSupportedException($"{f} has no element-wise derivative."),
    };

    private static double Loss(Activation output, Loss loss, double[] h, double[] y)
    {
        double s = 0;
        for (int k = 0; k < h.Length; k++)
            s += (loss, output) switch
            {
                (Losses.Loss.CrossEntropy, Activation.Sigmoid) => -y[k] * Math.Log(h[k]) - (1 - y[k]) * Math.Log(1 - h[k]),
                (Losses.Loss.CrossEntropy, _) => y[k] == 0 ? 0 : -y[k] * Math.Log(h[k]),
                _ => 0.5 * (h[k] - y[k]) * (h[k] - y[k]),
            };
        return s;
    }
}
