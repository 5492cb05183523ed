using System.Numerics;
using Backprop.Numerics;

namespace Backprop.Layers;

/// <summary>The activation functions a layer can use.</summary>
public enum Activation
{
    Sigmoid,
    Tanh,
    Relu,
    Identity,
    /// <summary>Output layers only: a probability distribution over the row.</summary>
    Softmax,
}

/// <summary>
/// Activations as a small table: each activation's value a = f(z), applied in place to a pre-activation row
/// Z [batch, units], and its derivative, written through the output a so that the forward pass need not keep z:
/// <code>
/// activation   f(z)                       f′ through a = f(z)
/// sigmoid      1 / (1 + e^−z)             a (1 − a)
/// tanh         tanh z                     1 − a²
/// relu         max(z, 0)                  [a &gt; 0]
/// identity     z                          1
/// softmax      e^zₖ / Σⱼ e^zⱼ  (per row)   (full Jacobian: only as an output, with the cross-entropy loss)
/// </code>
/// The maths is <see cref="Scalar"/>'s and the vector kernels are <see cref="Elementwise"/>'s: this table names them.
/// </summary>
public static class Activations
{
    public static Activation Parse(string name) => name.Trim().ToLowerInvariant() switch
    {
        "sigmoid" or "logistic" => Activation.Sigmoid,
        "tanh" => Activation.Tanh,
        "relu" => Activation.Relu,
        "identity" or "linear" or "none" => Activation.Identity,
        "softmax" => Activation.Softmax,
        _ => throw new ArgumentException($"Unknown activation '{name}': expected sigmoid, tanh, relu, identity or softmax."),
    };

    public static string Name(Activation activation) => activation.ToString().ToLowerInvariant();

    /// <summary>The function <see cref="Numerics"/> computes for this activation.</summary>
    public static Nonlinearity Function(Activation activation) => activation switch
    {
        Activation.Sigmoid => Nonlinearity.Sigmoid,
        Activation.Tanh => Nonlinearity.Tanh,
        Activation.Relu => Nonlinearity.Relu,
        Activation.Identity => Nonlinearity.Identity,
        Activation.Softmax => Nonlinearity.Softmax,
        _ => throw new ArgumentOutOfRangeException(nameof(activation), activation, null),
    };

    /// <summary>f(z) of one element (not softmax, which needs its row).</summary>
    public static T Value<T>(Activation activation, T z) where T : IFloatingPointIeee754<T> => Scalar.Value(Function(activation), z);

    /// <summary>f′ of one element, written through its output a = f(z).</summary>
    public static T Derivative<T>(Activation activation, T a) where T : IFloatingPointIeee754<T> => Scalar.Derivative(Function(activation), a);

    /// <summary>a = f(z), in place over one row Z [units] (softmax needs the whole row).</summary>
    public static void Apply<T>(Activation activation, Span<T> row) where T : unmanaged, IFloatingPointIeee754<T> =>
        Elementwise.Apply(Function(activation), row);

    /// <summary>dZ = dA ⊙ f′(z), with f′ written through a = f(z), in place over dA [rows, units]; the result of each
    /// element does not depend on the span's length or where the element sits in it.</summary>
    public static void MultiplyDerivative<T>(Activation activation, ReadOnlySpan<T> a, Span<T> dA) where T : unmanaged, IFloatingPointIeee754<T> =>
        Elementwise.MultiplyDerivative(Function(activation), a, dA);

    /// <summary>Softmax of every row of a block of whole rows (rows of <paramref name="width"/> elements).</summary>
    public static void SoftmaxRows<T>(Span<T> block, int width) where T : unmanaged, IFloatingPointIeee754<T> => Elementwise.SoftmaxRows(block, width);

    /// <summary>Overflow-safe softmax of one row: exp(z − max z) / Σ exp(z − max z).</summary>
    public static void Softmax<T>(Span<T> row) where T : unmanaged, IFloatingPointIeee754<T> => Elementwise.Softmax(row);
}
