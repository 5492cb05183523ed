using System.Globalization;
using System.Numerics;
using Backprop.Numerics;

namespace Backprop.Networks;

/// <summary>
/// Inverted dropout for a network's training passes: before weight layer l, each of its inputs is kept
/// with probability 1 − pₗ and scaled by 1/(1 − pₗ), or zeroed — l = 0 drops input features, l ≥ 1 the
/// units of hidden layer l. The expected input of every layer is unchanged, so prediction (and
/// <see cref="Network{T}.Cost"/> without a dropout argument) uses the plain network.
/// <para>Holds the current masks M [rows, size] and the masked layer inputs; pass it to
/// <see cref="Network{T}.CostAndGradient(Matrix{T}, Matrix{T}, double, Dropout{T})"/>, which then computes
/// the cost and the exact gradient of the thinned network that these masks define. <see cref="Draw"/> makes
/// new masks; a fixed mask gives a deterministic cost, so the gradient check applies as usual.</para>
/// <para>Masks are drawn from NumPy's <c>RandomState</c>: for each layer with pₗ &gt; 0 in order, one 32-bit
/// output u per element, row-major, kept when u ≥ round(pₗ·2³²) — in NumPy,
/// <c>rng.randint(0, 2**32, size=(rows, size), dtype=np.uint32) &gt;= threshold</c>.</para>
/// </summary>
public sealed class Dropout<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly double[] rates;
    private readonly uint[] thresholds;
    private readonly T[] scales;
    private readonly int[] sizes;
    private readonly NumPyRandom random;
    private T[][] masks;
    private T[][] outputs;
    private uint[] draws = [];
    private int capacity;

    /// <summary>The same rate on every hidden layer and, optionally, on the input features.</summary>
    public Dropout(NetworkSpec spec, double hidden, double input = 0, int seed = 0)
        : this(spec, Enumerable.Range(0, spec?.LayerCount ?? 0).Select(l => l == 0 ? input : hidden).ToArray(), seed) { }

    /// <summary>
    /// <paramref name="rates"/>[l] is the drop probability of weight layer l's inputs (one per weight layer:
    /// index 0 the features, index l hidden layer l), each in [0, 1). <paramref name="seed"/> seeds NumPy's generator.
    /// </summary>
    public Dropout(NetworkSpec spec, IReadOnlyList<double> rates, int seed = 0)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(rates);
        if (rates.Count != spec.LayerCount)
            throw new ArgumentException($"Network {spec} has {spec.LayerCount} weight layers; give one dropout rate per layer input, got {rates.Count}.", nameof(rates));
        for (int l = 0; l < rates.Count; l++)
            if (!(rates[l] >= 0 && rates[l] < 1))
                throw new ArgumentOutOfRangeException(nameof(rates), string.Create(CultureInfo.InvariantCulture,
                    $"A dropout rate is a probability in [0, 1); the {(l == 0 ? "input" : $"hidden layer {l}")} rate is {rates[l]}."));
        if (seed < 0) throw new ArgumentOutOfRangeException(nameof(seed), $"The dropout seed must be ≥ 0, got {seed}.");
        Spec = spec;
        this.rates = rates.ToArray();
        sizes = spec.LayerSizes.Take(spec.LayerCount).ToArray();
        thresholds = this.rates.Select(p => (uint)Math.Min(Math.Round(p * 4294967296.0), uint.MaxValue)).ToArray();
        scales = this.rates.Select(p => T.One / T.CreateTruncating(1 - p)).ToArray();
        random = new NumPyRandom((uint)seed);
        masks = new T[sizes.Length][];
        outputs = new T[sizes.Length][];
    }

    /// <summary>The generator of the masks (its state goes into training checkpoints).</summary>
    internal NumPyRandom Random => random;

    public NetworkSpec Spec { get; }
    /// <summary>Drop probability per weight layer's input (index 0: the features).</summary>
    public IReadOnlyList<double> Rates => rates;
    /// <summary>Rows of the current masks (0 before the first <see cref="Draw"/>).</summary>
    public int Rows { get; private set; }
    /// <summary>True when any rate is positive.</summary>
    public bool IsActive => rates.Any(p => p > 0);

    /// <summary>Draws new masks for a batch of <paramref name="rows"/> samples.</summary>
    public void Draw(int rows)
    {
        if (rows < 1) throw new ArgumentOutOfRangeException(nameof(rows), $"A dropout mask needs at least one row, got {rows}.");
        if (rows > capacity) Grow(rows);
        Rows = rows;
        for (int l = 0; l < rates.Length; l++)
        {
            if (rates[l] == 0) continue;
            var mask = masks[l].AsSpan(0, rows * sizes[l]);
            var draws = this.draws.AsSpan(0, mask.Length);
            random.NextUInt32(draws);
            Elementwise.SelectAtLeast(draws, thresholds[l], scales[l], mask);   // mask = u ≥ threshold ? 1/(1 − p) : 0
        }
    }

    /// <summary>The current mask of weight layer l's input [rows, size] (0 or 1/(1 − p)); null when pₗ = 0.</summary>
    public Matrix<T>? Mask(int layer)
    {
        CheckLayer(layer);
        return rates[layer] == 0 || Rows == 0 ? null : new Matrix<T>(masks[layer], 0, Rows, sizes[layer]);
    }

    /// <summary>Forward: the input of weight layer l thinned by its mask, X̃ = X ⊙ M [rows, size] (X itself when pₗ = 0).</summary>
    internal Matrix<T> Apply(int layer, Matrix<T> input)
    {
        if (rates[layer] == 0) return input;
        var output = new Matrix<T>(outputs[layer], 0, Rows, sizes[layer]);
        Elementwise.Multiply<T>(input.Span, masks[layer].AsSpan(0, Rows * sizes[layer]), output.Span);
        return output;
    }

    /// <summary>The thinned input X̃ of weight layer l as the last forward pass computed it (X when pₗ = 0).</summary>
    internal Matrix<T> Thinned(int layer, Matrix<T> input) =>
        rates[layer] == 0 ? input : new Matrix<T>(outputs[layer], 0, Rows, sizes[layer]);

    /// <summary>Backward: dJ/dX = dJ/dX̃ ⊙ M, in place over <paramref name="dInput"/> [rows, size].</summary>
    internal void Backward(int layer, Span<T> dInput)
    {
        if (rates[layer] == 0) return;
        Elementwise.MultiplyInPlace<T>(dInput, masks[layer].AsSpan(0, Rows * sizes[layer]));
    }

    /// <summary>Throws unless these masks fit the network and the batch.</summary>
    internal void Check(NetworkSpec spec, int rows)
    {
        if (!Spec.Equals(spec))
            throw new ArgumentException($"This dropout was made for network {Spec}, not {spec}.");
        if (Rows != rows)
            throw new ArgumentException(Rows == 0
                ? "Draw the dropout masks (Dropout.Draw) before a training pass."
                : $"The dropout masks have {Rows} rows; the batch has {rows}. Call Draw({rows}) first.");
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"dropout {string.Join("/", rates)}");

    private void CheckLayer(int layer)
    {
        if (layer < 0 || layer >= rates.Length)
            throw new ArgumentOutOfRangeException(nameof(layer), $"Layer must be in 0..{rates.Length - 1}, got {layer}.");
    }

    private void Grow(int rows)
    {
        masks = new T[sizes.Length][];
        outputs = new T[sizes.Length][];
        for (int l = 0; l < sizes.Length; l++)
        {
            if (rates[l] == 0) continue;
            masks[l] = new T[checked(rows * sizes[l])];
            outputs[l] = new T[checked(rows * sizes[l])];
        }
        draws = new uint[checked(rows * sizes.Max())];
        capacity = rows;
    }
}
