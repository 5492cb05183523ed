using System.Numerics;
using System.Numerics.Tensors;

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
/// Activations as a small table: the value, applied in place to a pre-activation row, and the derivative,
/// expressed through the activation's output a = f(z) so that the forward pass need not keep z.
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

    /// <summary>a = f(z), in place over one row (softmax needs the whole row).</summary>
    public static void Apply<T>(Activation activation, Span<T> row) where T : unmanaged, IFloatingPointIeee754<T>
    {
        switch (activation)
        {
            case Activation.Sigmoid: TensorPrimitives.Sigmoid<T>(row, row); break;
            case Activation.Tanh: TensorPrimitives.Tanh<T>(row, row); break;
            case Activation.Relu: TensorPrimitives.Max<T>(row, T.Zero, row); break;
            case Activation.Identity: break;
            case Activation.Softmax: Softmax(row); break;
            default: throw new ArgumentOutOfRangeException(nameof(activation), activation, null);
        }
    }

    /// <summary>dZ = dA ⊙ f'(z), with f'(z) written through a = f(z):
    /// sigmoid a(1−a), tanh 1−a², ReLU [a &gt; 0], identity 1. In place over dA.</summary>
    public static void MultiplyDerivative<T>(Activation activation, ReadOnlySpan<T> a, Span<T> dA) where T : unmanaged, IFloatingPointIeee754<T>
    {
        switch (activation)
        {
            case Activation.Sigmoid:
                for (int i = 0; i < dA.Length; i++) dA[i] *= a[i] * (T.One - a[i]);
                break;
            case Activation.Tanh:
                for (int i = 0; i < dA.Length; i++) dA[i] *= T.One - a[i] * a[i];
                break;
            case Activation.Relu:
                for (int i = 0; i < dA.Length; i++) if (!(a[i] > T.Zero)) dA[i] = T.Zero;
                break;
            case Activation.Identity:
                break;
            case Activation.Softmax:
                throw new NotSupportedException("Softmax has a full Jacobian; it is only used as an output with the cross-entropy loss, whose delta is fused.");
            default:
                throw new ArgumentOutOfRangeException(nameof(activation), activation, null);
        }
    }

    /// <summary>Overflow-safe softmax: exp(z − max z) / Σ exp(z − max z).</summary>
    public static void Softmax<T>(Span<T> row) where T : unmanaged, IFloatingPointIeee754<T>
    {
        T max = TensorPrimitives.Max<T>(row);
        TensorPrimitives.Subtract<T>(row, max, row);
        TensorPrimitives.Exp<T>(row, row);
        T sum = TensorPrimitives.Sum<T>(row);
        TensorPrimitives.Divide<T>(row, sum, row);
    }
}
