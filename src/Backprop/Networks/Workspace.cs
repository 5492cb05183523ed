using System.Numerics;
using Backprop.Numerics;

namespace Backprop.Networks;

/// <summary>
/// The buffers one forward/backward pass needs for a batch of a given number of rows: each layer's
/// activation A [rows, out] and delta dCost/dZ [rows, out], plus the output layer's pre-activation Z.
/// Storage grows to the largest batch seen; views are cached per row count, so a training loop whose
/// batches have one or two sizes allocates nothing once warm.
/// </summary>
internal sealed class Workspace<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly int[] sizes;
    private readonly Dictionary<int, Views> views = new();
    private T[][] activations = [];
    private T[][] deltas = [];
    private T[] outputZ = [];
    private int capacity;

    public Workspace(IReadOnlyList<int> layerSizes) => sizes = layerSizes.ToArray();

    /// <summary>Matrices for one batch size. Index l = 0..L−1 is the l-th weight layer's output.</summary>
    internal sealed record Views(Matrix<T>[] Activations, Matrix<T>[] Deltas, Matrix<T> OutputZ);

    public Views For(int rows)
    {
        if (views.TryGetValue(rows, out var v)) return v;
        if (rows > capacity) Grow(rows);
        if (views.Count >= 8) views.Clear();
        int layers = sizes.Length - 1;
        var a = new Matrix<T>[layers];
        var d = new Matrix<T>[layers];
        for (int l = 0; l < layers; l++)
        {
            a[l] = new Matrix<T>(activations[l], 0, rows, sizes[l + 1]);
            d[l] = new Matrix<T>(deltas[l], 0, rows, sizes[l + 1]);
        }
        v = new Views(a, d, new Matrix<T>(outputZ, 0, rows, sizes[^1]));
        views[rows] = v;
        return v;
    }

    private void Grow(int rows)
    {
        int layers = sizes.Length - 1;
        activations = new T[layers][];
        deltas = new T[layers][];
        for (int l = 0; l < layers; l++)
        {
            activations[l] = new T[checked(rows * sizes[l + 1])];
            deltas[l] = new T[checked(rows * sizes[l + 1])];
        }
        outputZ = new T[checked(rows * sizes[^1])];
        capacity = rows;
        views.Clear();
    }
}
