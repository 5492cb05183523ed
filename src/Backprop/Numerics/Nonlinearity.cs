using System.Numerics;

namespace Backprop.Numerics;

/// <summary>
/// The functions the element-wise operations apply after a product (a layer's activation, in the engine's words).
/// Numerics owns them so that its kernels need nothing of the engine; <c>Layers.Activations</c> maps each activation here.
/// </summary>
public enum Nonlinearity
{
    Sigmoid,
    Tanh,
    Relu,
    Identity,
    /// <summary>Row-wise: a probability distribution over the row.</summary>
    Softmax,
}

/// <summary>
/// The scalar definition of each <see cref="Nonlinearity"/>: its value a = f(z) and its derivative written through
/// the output, f′ = g(a), so that a backward pass needs only the activations. The vector kernels
/// (<see cref="Elementwise"/>) compute the same functions; the reference GEMM provider uses these directly.
/// </summary>
public static class Scalar
{
    /// <summary>a = f(z) for an element-wise function (softmax needs a row: <see cref="Softmax{T}"/>).</summary>
    public static T Value<T>(Nonlinearity f, T z) where T : IFloatingPointIeee754<T> => f switch
    {
        Nonlinearity.Sigmoid => T.One / (T.One + T.Exp(-z)),   // σ(z) = 1/(1 + e^−z)
        Nonlinearity.Tanh => T.Tanh(z),
        Nonlinearity.Relu => T.Max(z, T.Zero),                  // max(z, 0)
        Nonlinearity.Identity => z,
        _ => throw new NotSupportedException($"{f} is not element-wise."),
    };

    /// <summary>f′ written through a = f(z): sigmoid a(1 − a), tanh 1 − a², ReLU [a &gt; 0], identity 1.</summary>
    public static T Derivative<T>(Nonlinearity f, T a) where T : IFloatingPointIeee754<T> => f switch
    {
        Nonlinearity.Sigmoid => a * (T.One - a),
        Nonlinearity.Tanh => T.One - a * a,
        Nonlinearity.Relu => a > T.Zero ? T.One : T.Zero,
        Nonlinearity.Identity => T.One,
        _ => throw new NotSupportedException("Softmax has a full Jacobian; it is only used as an output with the cross-entropy loss, whose delta is fused."),
    };

    /// <summary>Overflow-safe softmax of one row, element by element: exp(z − max z) / Σ exp(z − max z).</summary>
    public static void Softmax<T>(Span<T> row) where T : IFloatingPointIeee754<T>
    {
        if (row.IsEmpty) return;
        T max = row[0];
        for (int k = 1; k < row.Length; k++) if (row[k] > max || T.IsNaN(row[k])) max = row[k];
        T sum = T.Zero;
        for (int k = 0; k < row.Length; k++) sum += row[k] = T.Exp(row[k] - max);
        for (int k = 0; k < row.Length; k++) row[k] /= sum;
    }
}
