using System.Numerics;
using Backprop.Numerics;

namespace Backprop.Layers;

/// <summary>
/// A fully connected layer. Its weights W [out, in] and bias b [out] are views into the network's flat
/// parameter vector (W row-major, then b), and its gradients are views at the same offsets into the
/// flat gradient vector. Forward and backward sit side by side.
/// <para>Each is a product with its element-wise tail fused in (<see cref="Gemm"/>): the bias and f after the forward
/// product, the penalty after dW's, f′ after dX's. Verification/ReferenceBackprop.cs computes the same per sample.</para>
/// </summary>
public sealed class DenseLayer<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    internal DenseLayer(int inputs, int outputs, Activation activation, T[] parameters, T[] gradient, int offset)
    {
        Inputs = inputs;
        Outputs = outputs;
        Activation = activation;
        Offset = offset;
        Weights = new Matrix<T>(parameters, offset, outputs, inputs);
        Bias = parameters.AsMemory(offset + outputs * inputs, outputs);
        WeightsGradient = new Matrix<T>(gradient, offset, outputs, inputs);
        BiasGradient = gradient.AsMemory(offset + outputs * inputs, outputs);
    }

    public int Inputs { get; }
    public int Outputs { get; }
    public Activation Activation { get; }
    /// <summary>Where this layer's W starts in the flat parameter vector; b follows W.</summary>
    public int Offset { get; }
    public int ParameterCount => Outputs * (Inputs + 1);

    /// <summary>W [out, in]: row j holds the weights into unit j.</summary>
    public Matrix<T> Weights { get; }
    /// <summary>b [out].</summary>
    public Memory<T> Bias { get; }
    /// <summary>dCost/dW [out, in].</summary>
    public Matrix<T> WeightsGradient { get; }
    /// <summary>dCost/db [out].</summary>
    public Memory<T> BiasGradient { get; }

    private Nonlinearity F => Activations.Function(Activation);

    /// <summary>
    /// Forward: Z = X·Wᵀ + b, A = f(Z).   X [batch, in] · W [out, in]ᵀ -> Z [batch, out].
    /// <paramref name="z"/> may be the same matrix as <paramref name="a"/> when Z need not be kept.
    /// </summary>
    public void Forward(Matrix<T> x, Matrix<T> z, Matrix<T> a) => Gemm.MultiplyTransposeB(x, Weights, z, Bias, F, a);

    /// <summary>The same on a mini-batch read in place: row r of X is <paramref name="x"/>.Row(r).</summary>
    public void Forward(RowSelection<T> x, Matrix<T> z, Matrix<T> a) => Gemm.MultiplyTransposeB(x, Weights, z, Bias, F, a);

    /// <summary>
    /// Backward, given dZ = dCost/dZ [batch, out] and the layer input X [batch, in]:
    /// dW = dZᵀ·X + l2·W   ([batch, out]ᵀ · [batch, in] -> [out, in]);
    /// db = Σ over the batch of dZ  ([out]; the bias is never regularized);
    /// dX = dZ·W   ([batch, out] · [out, in] -> [batch, in]) when <paramref name="dx"/> is given, times the derivative
    /// of <paramref name="inputActivation"/> through X when given: dX = (dZ·W) ⊙ f′(X), the previous layer's delta.
    /// </summary>
    public void Backward(Matrix<T> x, Matrix<T> dz, T l2, Matrix<T>? dx, Activation? inputActivation = null)
    {
        if (dx is null)
        {
            WeightsAndBiasGradient(x, dz, l2);
            return;
        }
        var pieces = new BackwardPieces(this, x, dz, l2, dx, inputActivation);
        if (Concurrent.IsSmall((long)dz.Rows * Inputs * Outputs))
        {
            // Two products too small to split (a 100-sample batch through a 100-10 output layer): side by side.
            Concurrent.Both(pieces, static p => p.WeightsAndBias(), static p => p.Input());
            return;
        }
        pieces.WeightsAndBias();
        pieces.Input();
    }

    /// <summary>The gradients of a first layer (no dX) on a mini-batch read in place: dW = dZᵀ·X + l2·W, db = Σ dZ,
    /// where row r of X is <paramref name="x"/>.Row(r).   [batch, out]ᵀ · [batch, in] -> [out, in].</summary>
    public void Backward(RowSelection<T> x, Matrix<T> dz, T l2)
    {
        Gemm.MultiplyTransposeA(dz, x, WeightsGradient, l2, Weights);
        BiasGradientOf(dz);
    }

    /// <summary>dW = dZᵀ·X + l2·W (the penalty fused into the product), db = Σ dZ.</summary>
    private void WeightsAndBiasGradient(Matrix<T> x, Matrix<T> dz, T l2)
    {
        Gemm.MultiplyTransposeA(dz, x, WeightsGradient, l2, Weights);
        BiasGradientOf(dz);
    }

    /// <summary>dX = dZ·W, times f′ through X when the input's activation is given (fused into the product).</summary>
    private void InputGradient(Matrix<T> x, Matrix<T> dz, Matrix<T> dx, Activation? inputActivation)
    {
        if (inputActivation is Activation f) Gemm.Multiply(dz, Weights, dx, Activations.Function(f), x);
        else Gemm.Multiply(dz, Weights, dx, T.One, T.Zero);
    }

    /// <summary>db = Σ over the batch of dZ.</summary>
    private void BiasGradientOf(Matrix<T> dz)
    {
        var db = BiasGradient.Span;
        db.Clear();
        NumericKernels.AddRows(db, dz.Span, dz.Rows);
    }

    /// <summary>The two independent halves of a backward pass with dX.</summary>
    private readonly record struct BackwardPieces(DenseLayer<T> Layer, Matrix<T> X, Matrix<T> Dz, T L2, Matrix<T> Dx, Activation? InputActivation)
    {
        public void WeightsAndBias() => Layer.WeightsAndBiasGradient(X, Dz, L2);
        public void Input() => Layer.InputGradient(X, Dz, Dx, InputActivation);
    }
}
