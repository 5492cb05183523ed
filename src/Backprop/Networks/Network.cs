using System.Numerics;
using System.Numerics.Tensors;
using Backprop.Layers;
using Backprop.Losses;
using Backprop.Numerics;
using Backprop.Training.Optimizers;

namespace Backprop.Networks;

/// <summary>
/// A multilayer perceptron. All weights and biases live in one flat vector <see cref="Parameters"/>
/// (layer by layer: W [out, in] row-major, then b [out]); each <see cref="DenseLayer{T}"/> is a view into
/// it, and <see cref="Gradient"/> has the same layout. Full-batch optimizers and the gradient check work
/// on the flat vectors directly.
/// <para>Cost (the ex4 / scikit-learn convention): J = (1/m) Σᵢ loss(xᵢ, yᵢ) + λ/(2m) Σ_layers Σ W², biases
/// never regularized, m = the number of rows passed in (the batch).</para>
/// </summary>
public sealed class Network<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Rows per chunk when predicting on many samples (bounds the workspace; large enough that each chunk
    /// splits into row pieces of hundreds of rows over the worker pool).</summary>
    public const int PredictionChunk = 4096;

    private readonly DenseLayer<T>[] layers;
    private readonly Workspace<T> workspace;

    /// <summary>A network with all parameters zero (see Initialization) or the given flat vector (copied).</summary>
    public Network(NetworkSpec spec, ReadOnlySpan<T> parameters = default)
    {
        ArgumentNullException.ThrowIfNull(spec);
        Spec = spec;
        Parameters = new T[spec.ParameterCount];
        Gradient = new T[spec.ParameterCount];
        if (!parameters.IsEmpty)
        {
            if (parameters.Length != Parameters.Length)
                throw new ArgumentException($"Network {spec} has {Parameters.Length} parameters; got a vector of {parameters.Length}.", nameof(parameters));
            parameters.CopyTo(Parameters);
        }
        layers = new DenseLayer<T>[spec.LayerCount];
        int offset = 0;
        for (int l = 0; l < spec.LayerCount; l++)
        {
            layers[l] = new DenseLayer<T>(spec.LayerSizes[l], spec.LayerSizes[l + 1], spec.Activations[l], Parameters, Gradient, offset);
            offset += layers[l].ParameterCount;
        }
        workspace = new Workspace<T>(spec.LayerSizes);
    }

    public NetworkSpec Spec { get; }
    /// <summary>Every weight and bias, layer by layer (W row-major, then b).</summary>
    public T[] Parameters { get; }
    /// <summary>dCost/dParameters from the last <see cref="CostAndGradient(Matrix{T}, Matrix{T}, double, Dropout{T})"/>, same layout.</summary>
    public T[] Gradient { get; }
    public IReadOnlyList<DenseLayer<T>> Layers => layers;
    public int ParameterCount => Parameters.Length;

    // ── Forward: Z = X·Wᵀ + b, A = f(Z), layer after layer ──

    /// <summary>
    /// Runs X [m, inputs] through every layer and returns the output activations [m, outputs]: a view into
    /// the network's workspace, valid until the next call on this network.
    /// </summary>
    public Matrix<T> Forward(Matrix<T> x)
    {
        CheckInput(x);
        return Forward(x, null);
    }

    private Matrix<T> Forward(Matrix<T> x, Dropout<T>? dropout) => ForwardFrom(0, x, workspace.For(x.Rows), dropout);

    /// <summary>Layers <paramref name="first"/>.. on <paramref name="input"/>, the output of the layer before.</summary>
    private Matrix<T> ForwardFrom(int first, Matrix<T> input, Workspace<T>.Views ws, Dropout<T>? dropout)
    {
        for (int l = first; l < layers.Length; l++)
        {
            // Training with dropout: layer l sees its input thinned by the mask, X̃ = X ⊙ M [rows, in].
            if (dropout is not null) input = dropout.Apply(l, input);
            // Only the output layer keeps Z (for an overflow-safe loss); hidden layers compute A in place.
            var z = l == layers.Length - 1 ? ws.OutputZ : ws.Activations[l];
            layers[l].Forward(input, z, ws.Activations[l]);
            input = ws.Activations[l];
        }
        return input;
    }

    // ── Loss: J = (1/m) Σ loss + λ/(2m) Σw² ──

    /// <summary>
    /// The cost J at the current parameters (see the class remarks), without the gradient. With
    /// <paramref name="dropout"/>, the cost of the thinned network its current masks define (no new draw).
    /// </summary>
    public double Cost(Matrix<T> x, Matrix<T> targets, double lambda = 0, Dropout<T>? dropout = null)
    {
        CheckTargets(x, targets);
        CheckLambda(lambda);
        dropout?.Check(Spec, x.Rows);
        Forward(x, dropout);
        return DataLoss(workspace.For(x.Rows), targets) + RegularizationCost(lambda, x.Rows);
    }

    /// <summary>Output blocks of at least this many elements are summed in two halves of whole rows (a fixed split,
    /// whatever the thread count, so the cost is the same for 1 and 2 threads), the halves on two threads when free.</summary>
    internal const int SplitLossElements = 16384;

    private double DataLoss(Workspace<T>.Views ws, Matrix<T> targets)
    {
        var a = ws.Activations[^1];
        var z = ws.OutputZ;
        if (a.Rows < 2 || (long)a.Rows * a.Cols < SplitLossElements)
            return LossFunctions.Sum<T>(Spec.OutputActivation, Spec.Loss, z.Span, a.Span, targets.Span, a.Rows) / a.Rows;
        double sum = Concurrent.SumOfHalves(a.Rows, (Spec, z, a, targets), static (s, start, rows) =>
            LossFunctions.Sum<T>(s.Spec.OutputActivation, s.Spec.Loss, s.z.RowSlice(start, rows).Span,
                s.a.RowSlice(start, rows).Span, s.targets.RowSlice(start, rows).Span, rows));
        return sum / a.Rows;
    }

    private double RegularizationCost(double lambda, int m) => lambda == 0 ? 0 : L2Term(lambda, m, SquaredWeights());

    /// <summary>λ/(2m)·Σw², given Σw².</summary>
    private static double L2Term(double lambda, int m, double squaredWeights) => lambda / (2.0 * m) * squaredWeights;

    /// <summary>Σ of the squared weights of every layer (biases excluded), in float64.</summary>
    public double SquaredWeights()
    {
        double sum = 0;
        foreach (var layer in layers) sum += NumericKernels.SumOfSquares<T>(layer.Weights.Span);
        return sum;
    }

    // ── Backward: the output delta, then each layer's dW, db and the delta of the layer before ──

    /// <summary>
    /// The cost J and, into <see cref="Gradient"/>, dJ/dParameters by backpropagation vectorized over the
    /// batch. Allocates nothing once the workspace for this batch size exists. With <paramref name="dropout"/>
    /// (training), the cost and exact gradient of the thinned network its current masks define.
    /// </summary>
    public double CostAndGradient(Matrix<T> x, Matrix<T> targets, double lambda = 0, Dropout<T>? dropout = null)
    {
        CheckTargets(x, targets);
        CheckLambda(lambda);
        dropout?.Check(Spec, x.Rows);
        var ws = workspace.For(x.Rows);
        double cost;
        if (dropout is null)
        {
            layers[0].Forward(x, layers.Length == 1 ? ws.OutputZ : ws.Activations[0], ws.Activations[0]);
            cost = RestOfForwardAndCost(ws, targets, lambda);
        }
        else
        {
            Forward(x, dropout);
            cost = DataLoss(ws, targets) + RegularizationCost(lambda, x.Rows);
        }
        Backward(x, default, targets, ws, T.CreateTruncating(lambda / x.Rows), dropout);
        return cost;
    }

    /// <summary>
    /// <see cref="CostAndGradient(Matrix{T}, Matrix{T}, double, Dropout{T})"/> on a mini-batch read in place: the rows
    /// <paramref name="x"/> selects from a larger matrix (a shuffled batch of the training set), with their
    /// <paramref name="targets"/> [batch, outputs]. The first layer's products read the rows where they are instead of
    /// a copy; the result is bit-identical to the call on the copied rows.
    /// </summary>
    public double CostAndGradient(RowSelection<T> x, Matrix<T> targets, double lambda = 0)
    {
        ArgumentNullException.ThrowIfNull(x.Source, nameof(x));
        CheckInput(x.Source);
        CheckTargets(x.Count, targets);
        CheckLambda(lambda);
        var ws = workspace.For(x.Count);
        layers[0].Forward(x, layers.Length == 1 ? ws.OutputZ : ws.Activations[0], ws.Activations[0]);
        double cost = RestOfForwardAndCost(ws, targets, lambda);
        Backward(null, x, targets, ws, T.CreateTruncating(lambda / x.Count), null);
        return cost;
    }

    /// <summary>
    /// Layers 1.. on the first layer's output, then J = data loss + L2 term. The L2 term's Σw² reads only the weights,
    /// so when the rest of the forward pass is too small to split (a 100-sample batch through a 10-unit output layer)
    /// it is summed on the second core meanwhile; the same sums either way.
    /// </summary>
    private double RestOfForwardAndCost(Workspace<T>.Views ws, Matrix<T> targets, double lambda)
    {
        int rows = targets.Rows;
        bool small = true;
        for (int l = 1; l < layers.Length; l++) small &= Concurrent.IsSmall((long)rows * layers[l].Inputs * layers[l].Outputs);
        if (lambda == 0 || !small) return RestOfForwardAndDataLoss(ws, targets) + RegularizationCost(lambda, rows);
        // Σw² reads only the weights: on the second core while the rest of the forward pass and the data loss run.
        var (dataLoss, squaredWeights) = Concurrent.Both((Network: this, Views: ws, Targets: targets),
            static s => s.Network.RestOfForwardAndDataLoss(s.Views, s.Targets),
            static s => s.Network.SquaredWeights());
        return dataLoss + L2Term(lambda, rows, squaredWeights);
    }

    private double RestOfForwardAndDataLoss(Workspace<T>.Views ws, Matrix<T> targets)
    {
        ForwardFrom(1, ws.Activations[0], ws, null);
        return DataLoss(ws, targets);
    }

    /// <summary>Backpropagation through every layer; the input is <paramref name="x"/>, or the rows <paramref name="rows"/> selects when it is null.</summary>
    private void Backward(Matrix<T>? x, RowSelection<T> rows, Matrix<T> targets, Workspace<T>.Views ws, T l2, Dropout<T>? dropout)
    {
        int last = layers.Length - 1;
        T invM = T.One / T.CreateTruncating(targets.Rows);
        var outA = ws.Activations[last];
        var outDelta = ws.Deltas[last];
        // Element-wise over the whole (contiguous) block: one call instead of one per row.
        LossFunctions.Delta<T>(Spec.OutputActivation, Spec.Loss, outA.Span, targets.Span, invM, outDelta.Span);
        for (int l = last; l >= 0; l--)
        {
            if (l == 0 && x is null)
            {
                layers[0].Backward(rows, ws.Deltas[0], l2);
                break;
            }
            var input = l == 0 ? x! : ws.Activations[l - 1];
            if (dropout is not null) input = dropout.Thinned(l, input);
            var dInput = l == 0 ? null : ws.Deltas[l - 1];
            if (dropout is not null && dInput is not null && dropout.Rates[l] > 0)
            {
                // Dropout before layer l: dJ/dÃ = dZ·W, dJ/dA = dJ/dÃ ⊙ M, then dJ/dZ = dJ/dA ⊙ f'(z) from the unthinned A [rows, size].
                layers[l].Backward(input, ws.Deltas[l], l2, dInput);
                dropout.Backward(l, dInput.Span);
                Activations.MultiplyDerivative<T>(layers[l - 1].Activation, ws.Activations[l - 1].Span, dInput.Span);
            }
            else
            {
                // dInput = (delta·W) ⊙ f′(input): the derivative is fused into the product.
                layers[l].Backward(input, ws.Deltas[l], l2, dInput, l == 0 ? null : layers[l - 1].Activation);
            }
        }
    }

    // ── Gradient: the flat vectors for full-batch minimizers ──

    /// <summary>An objective over the flat parameter vector for full-batch minimizers (L-BFGS, CG).</summary>
    public Objective<T> CreateObjective(Matrix<T> x, Matrix<T> targets, double lambda = 0)
    {
        CheckTargets(x, targets);
        CheckLambda(lambda);
        return (parameters, gradient) =>
        {
            if (parameters != (ReadOnlySpan<T>)Parameters) parameters.CopyTo(Parameters);
            double cost = CostAndGradient(x, targets, lambda);
            Gradient.CopyTo(gradient);
            return cost;
        };
    }

    // ── Prediction ──

    /// <summary>Output activations for every row of X (class probabilities for sigmoid/softmax outputs) into <paramref name="output"/> [m, outputs].</summary>
    public void PredictProba(Matrix<T> x, Matrix<T> output)
    {
        CheckInput(x);
        if (output.Rows != x.Rows || output.Cols != Spec.Outputs)
            throw new ArgumentException($"The output matrix must be {x.Rows}x{Spec.Outputs}, got {output.Rows}x{output.Cols}.", nameof(output));
        for (int start = 0; start < x.Rows; start += PredictionChunk)
        {
            int count = Math.Min(PredictionChunk, x.Rows - start);
            Forward(x.RowSlice(start, count)).Span.CopyTo(output.RowSlice(start, count).Span);
        }
    }

    public Matrix<T> PredictProba(Matrix<T> x)
    {
        var output = new Matrix<T>(x.Rows, Spec.Outputs);
        PredictProba(x, output);
        return output;
    }

    /// <summary>The index of the largest output per row (the predicted class, 0-based); for one output unit, 1 when it exceeds ½.</summary>
    public int[] Predict(Matrix<T> x)
    {
        CheckInput(x);
        var labels = new int[x.Rows];
        for (int start = 0; start < x.Rows; start += PredictionChunk)
        {
            int count = Math.Min(PredictionChunk, x.Rows - start);
            var output = Forward(x.RowSlice(start, count));
            for (int r = 0; r < count; r++)
            {
                var row = output.Row(r);
                labels[start + r] = row.Length == 1
                    ? (row[0] > T.CreateTruncating(0.5) ? 1 : 0)
                    : TensorPrimitives.IndexOfMax<T>(row);
            }
        }
        return labels;
    }

    /// <summary>A copy of this network with elements converted to <typeparamref name="TOther"/>.</summary>
    public Network<TOther> Convert<TOther>() where TOther : unmanaged, IFloatingPointIeee754<TOther>
    {
        var p = new TOther[Parameters.Length];
        Numerics.Convert.Copy<T, TOther>(Parameters, p);
        return new Network<TOther>(Spec, p);
    }

    public override string ToString() => $"Network<{typeof(T).Name}> {Spec} ({ParameterCount} parameters)";

    private void CheckInput(Matrix<T> x)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (x.Cols != Spec.Inputs)
            throw new ArgumentException($"Network {Spec} takes {Spec.Inputs} input features; the data has {x.Cols} columns.", nameof(x));
    }

    private void CheckTargets(Matrix<T> x, Matrix<T> targets)
    {
        CheckInput(x);
        CheckTargets(x.Rows, targets);
    }

    /// <summary>Targets for a batch of <paramref name="rows"/> samples (at least one).</summary>
    private void CheckTargets(int rows, Matrix<T> targets)
    {
        ArgumentNullException.ThrowIfNull(targets);
        if (targets.Rows != rows || targets.Cols != Spec.Outputs)
            throw new ArgumentException($"Targets must be {rows}x{Spec.Outputs} (one row per sample, one column per output unit); got {targets.Rows}x{targets.Cols}.", nameof(targets));
        if (rows == 0)
            throw new ArgumentException("The cost of an empty batch is undefined; pass at least one sample.", "x");
    }

    private static void CheckLambda(double lambda)
    {
        if (!double.IsFinite(lambda) || lambda < 0)
            throw new ArgumentOutOfRangeException(nameof(lambda), $"The regularization strength must be a finite number ≥ 0, got {lambda}.");
    }
}
