using Backprop.Layers;
using Backprop.Losses;

namespace Backprop.Networks;

/// <summary>
/// The architecture of a multilayer perceptron: layer sizes from input to output, one activation per
/// non-input layer (the last is the output activation) and the loss the output is trained on.
/// </summary>
public sealed record NetworkSpec
{
    public NetworkSpec(IReadOnlyList<int> layerSizes, IReadOnlyList<Activation> activations, Loss loss)
    {
        ArgumentNullException.ThrowIfNull(layerSizes);
        ArgumentNullException.ThrowIfNull(activations);
        if (layerSizes.Count < 2)
            throw new ArgumentException($"A network needs at least an input and an output layer; got {layerSizes.Count} layer size(s).");
        for (int i = 0; i < layerSizes.Count; i++)
            if (layerSizes[i] < 1)
                throw new ArgumentException($"Layer {i} has size {layerSizes[i]}; every layer needs at least one unit.");
        if (activations.Count != layerSizes.Count - 1)
            throw new ArgumentException($"{layerSizes.Count} layers need {layerSizes.Count - 1} activations (one per non-input layer), got {activations.Count}.");
        for (int i = 0; i < activations.Count - 1; i++)
            if (activations[i] == Activation.Softmax)
                throw new ArgumentException($"Softmax is an output activation; hidden layer {i + 1} cannot use it.");
        LossFunctions.Validate(activations[^1], loss);
        LayerSizes = layerSizes.ToArray();
        Activations = activations.ToArray();
        Loss = loss;
    }

    /// <summary>Same hidden activation everywhere; the loss defaults to the one that goes with the output.</summary>
    public static NetworkSpec Create(IReadOnlyList<int> layerSizes, Activation hidden = Activation.Sigmoid,
        Activation output = Activation.Sigmoid, Loss? loss = null)
    {
        ArgumentNullException.ThrowIfNull(layerSizes);
        var activations = Enumerable.Repeat(hidden, Math.Max(layerSizes.Count - 2, 0)).Append(output).ToArray();
        return new NetworkSpec(layerSizes, activations, loss ?? LossFunctions.DefaultFor(output));
    }

    public IReadOnlyList<int> LayerSizes { get; }
    public IReadOnlyList<Activation> Activations { get; }
    public Loss Loss { get; }

    public int Inputs => LayerSizes[0];
    public int Outputs => LayerSizes[^1];
    public Activation OutputActivation => Activations[^1];
    public int LayerCount => LayerSizes.Count - 1;

    /// <summary>Weights plus biases of every layer: Σ out·(in + 1).</summary>
    public int ParameterCount
    {
        get
        {
            long n = 0;
            for (int l = 0; l < LayerCount; l++) n += (long)LayerSizes[l + 1] * (LayerSizes[l] + 1);
            return n <= Array.MaxLength ? (int)n : throw new ArgumentException($"The network has {n} parameters; at most {Array.MaxLength} are supported.");
        }
    }

    /// <summary>e.g. "400-25-10 sigmoid/sigmoid cross-entropy".</summary>
    public override string ToString() =>
        $"{string.Join("-", LayerSizes)} {string.Join("/", Activations.Select(Layers.Activations.Name))} {LossFunctions.Name(Loss)}";

    public bool Equals(NetworkSpec? other) => other is not null && LayerSizes.SequenceEqual(other.LayerSizes)
        && Activations.SequenceEqual(other.Activations) && Loss == other.Loss;

    public override int GetHashCode() => ToString().GetHashCode(StringComparison.Ordinal);
}
