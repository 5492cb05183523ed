using System.Numerics;
using Backprop.Layers;
using Backprop.Numerics;

namespace Backprop.Networks;

/// <summary>
/// The course's MATLAB weight layout: one Theta matrix per layer, rows = units of the next layer,
/// column 0 = the bias, columns 1..in = the weights (Theta1 is 25x401 for 400-25-10). The optimizers of
/// the course work on the unrolled vector <c>[Theta1(:); Theta2(:); …]</c>, each Theta in column-major order.
/// </summary>
public static class MatlabTheta
{
    /// <summary>Theta [out, 1 + in] of one layer: column 0 the bias, then W.</summary>
    public static Matrix<T> Export<T>(DenseLayer<T> layer) where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(layer);
        var theta = new Matrix<T>(layer.Outputs, layer.Inputs + 1);
        var bias = layer.Bias.Span;
        for (int j = 0; j < layer.Outputs; j++)
        {
            var row = theta.Row(j);
            row[0] = bias[j];
            layer.Weights.Row(j).CopyTo(row[1..]);
        }
        return theta;
    }

    /// <summary>Every layer's Theta, Theta1 first.</summary>
    public static Matrix<T>[] Export<T>(Network<T> network) where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(network);
        return network.Layers.Select(Export).ToArray();
    }

    /// <summary>Copies Theta [out, 1 + in] into a layer's bias and weights.</summary>
    public static void Import<T>(DenseLayer<T> layer, Matrix<T> theta, string name = "Theta") where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(layer);
        ArgumentNullException.ThrowIfNull(theta);
        if (theta.Rows != layer.Outputs || theta.Cols != layer.Inputs + 1)
            throw new ArgumentException($"{name} is {theta.Rows}x{theta.Cols}; a layer of {layer.Inputs} inputs and {layer.Outputs} units needs {layer.Outputs}x{layer.Inputs + 1} (rows = units, column 1 = bias).");
        var bias = layer.Bias.Span;
        for (int j = 0; j < layer.Outputs; j++)
        {
            var row = theta.Row(j);
            bias[j] = row[0];
            row[1..].CopyTo(layer.Weights.Row(j));
        }
    }

    /// <summary>
    /// A sigmoid network (sigmoid hidden and output units, the ex4 cross-entropy) whose layer sizes are read
    /// off the Theta matrices, with their weights. Consecutive Thetas must chain: Theta(l+1) has 1 + rows(Theta l) columns.
    /// </summary>
    public static Network<T> ToNetwork<T>(IReadOnlyList<Matrix<T>> thetas, Activation hidden = Activation.Sigmoid, Activation output = Activation.Sigmoid)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(thetas);
        if (thetas.Count == 0) throw new ArgumentException("At least one Theta matrix is needed.", nameof(thetas));
        var sizes = new List<int> { thetas[0].Cols - 1 };
        for (int l = 0; l < thetas.Count; l++)
        {
            if (thetas[l].Cols - 1 != sizes[^1])
                throw new ArgumentException($"Theta{l + 1} is {thetas[l].Rows}x{thetas[l].Cols}; after a layer of {sizes[^1]} units it needs {sizes[^1] + 1} columns (bias + one per unit).");
            if (thetas[l].Rows < 1) throw new ArgumentException($"Theta{l + 1} has no rows.");
            sizes.Add(thetas[l].Rows);
        }
        var network = new Network<T>(NetworkSpec.Create(sizes, hidden, output));
        for (int l = 0; l < thetas.Count; l++) Import(network.Layers[l], thetas[l], $"Theta{l + 1}");
        return network;
    }

    /// <summary>The unrolled MATLAB vector [Theta1(:); Theta2(:); …] (column-major per Theta).</summary>
    public static T[] Unroll<T>(Network<T> network) where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(network);
        var result = new T[network.ParameterCount];
        int k = 0;
        foreach (var theta in Export(network))
            for (int c = 0; c < theta.Cols; c++)
                for (int r = 0; r < theta.Rows; r++)
                    result[k++] = theta[r, c];
        return result;
    }

    /// <summary>Maps a vector in the network's own flat layout (e.g. <see cref="Network{T}.Gradient"/>) to MATLAB's unrolled order.</summary>
    public static T[] ToUnrolledOrder<T>(NetworkSpec spec, ReadOnlySpan<T> flat) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var network = new Network<T>(spec, flat);
        return Unroll(network);
    }

    /// <summary>Sets the network's parameters from MATLAB's unrolled vector [Theta1(:); Theta2(:); …].</summary>
    public static void Roll<T>(Network<T> network, ReadOnlySpan<T> unrolled) where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(network);
        if (unrolled.Length != network.ParameterCount)
            throw new ArgumentException($"Network {network.Spec} has {network.ParameterCount} parameters; the unrolled vector has {unrolled.Length}.");
        int k = 0;
        foreach (var layer in network.Layers)
        {
            var theta = new Matrix<T>(layer.Outputs, layer.Inputs + 1);
            for (int c = 0; c < theta.Cols; c++)
                for (int r = 0; r < theta.Rows; r++)
                    theta[r, c] = unrolled[k++];
            Import(layer, theta);
        }
    }
}
