using System.Globalization;
using System.Numerics;
using Backprop.Layers;
using Backprop.Networks;
using Backprop.Numerics;

namespace Backprop.Initialization;

/// <summary>The distribution initial weights are drawn from.</summary>
public enum InitKind
{
    /// <summary>Uniform on [−ε, ε] with a fixed ε (ex4's randInitializeWeights, ε = 0.12), biases included.</summary>
    Uniform,
    /// <summary>Uniform on [−ε, ε] with ε = √6 / √(in + out) per layer (the ex4 text's suggested ε), biases included.</summary>
    UniformFan,
    /// <summary>Normal(0, σ) weights, zero biases (Raschka's σ = 0.1; the NumPy assignments' 0.01·randn).</summary>
    Normal,
    /// <summary>scikit-learn's Glorot uniform: ±√(f / (in + out)), f = 6 (2 for logistic units), for weights and biases.</summary>
    Glorot,
    /// <summary>He: Normal(0, √(2 / in)) weights, zero biases (for ReLU layers).</summary>
    He,
}

/// <summary>
/// In which order values come off the generator, which decides whether a NumPy notebook's seeded
/// weights are reproduced: NumPy fills arrays in C order, so <c>randn(out, in)</c> and <c>randn(in, out)</c>
/// give the same numbers in different places.
/// </summary>
public enum DrawOrder
{
    /// <summary>Each layer's W drawn as a (out, in) array, e.g. Ng's <c>np.random.randn(n_h, n_x)</c>.</summary>
    OutIn,
    /// <summary>Each layer's W drawn as a (in, out) array, e.g. CS231n's <c>np.random.randn(D, h)</c>, Raschka's and scikit-learn's.</summary>
    InOut,
    /// <summary>Each layer's Theta [out, 1 + in] (bias column first) filled in MATLAB's column-major order, as ex4's <c>rand(L_out, 1 + L_in)</c>.</summary>
    MatlabTheta,
}

/// <summary>
/// Seeded weight initialization from NumPy's generator (<see cref="NumPyRandom"/>): one seed reproduces a
/// run exactly, and with the right <see cref="DrawOrder"/> the weights of a seeded NumPy notebook.
/// Layers are drawn in order; within a layer W first, then b (when biases are random), except
/// <see cref="DrawOrder.MatlabTheta"/> where the bias is Theta's first column.
/// </summary>
public sealed record Initializer(InitKind Kind, double Scale = 0, DrawOrder Order = DrawOrder.InOut)
{
    /// <summary>ex4: uniform ±0.12 over Theta [out, 1 + in] in MATLAB order.</summary>
    public static Initializer Ex4(double epsilon = 0.12) => new(InitKind.Uniform, epsilon, DrawOrder.MatlabTheta);
    public static Initializer Uniform(double epsilon, DrawOrder order = DrawOrder.InOut) => new(InitKind.Uniform, epsilon, order);
    public static Initializer UniformFan(DrawOrder order = DrawOrder.MatlabTheta) => new(InitKind.UniformFan, 0, order);
    public static Initializer Normal(double std, DrawOrder order = DrawOrder.InOut) => new(InitKind.Normal, std, order);
    public static Initializer Glorot() => new(InitKind.Glorot, 0, DrawOrder.InOut);
    public static Initializer He(DrawOrder order = DrawOrder.InOut) => new(InitKind.He, 0, order);

    /// <summary>He for ReLU networks, Glorot otherwise (scikit-learn's choice).</summary>
    public static Initializer DefaultFor(NetworkSpec spec) =>
        spec.Activations.Take(spec.LayerCount - 1).Any(a => a == Activation.Relu) ? He() : Glorot();

    /// <summary>Parses "uniform:0.12", "uniform-fan", "normal:0.1", "glorot", "he", "ex4", optionally "…@outin|inout|matlab".</summary>
    public static Initializer Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parts = text.Trim().ToLowerInvariant().Split('@');
        var order = parts.Length > 1 ? parts[1] switch
        {
            "outin" => DrawOrder.OutIn,
            "inout" => DrawOrder.InOut,
            "matlab" => DrawOrder.MatlabTheta,
            _ => throw new ArgumentException($"Unknown draw order '{parts[1]}' in '{text}': expected outin, inout or matlab."),
        } : (DrawOrder?)null;
        var kv = parts[0].Split(':');
        double Arg(double fallback)
        {
            if (kv.Length < 2) return fallback;
            if (!double.TryParse(kv[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var v) || !(v > 0) || !double.IsFinite(v))
                throw new ArgumentException($"Initializer '{text}': '{kv[1]}' is not a positive number.");
            return v;
        }
        return kv[0] switch
        {
            "ex4" => Ex4(Arg(0.12)) with { Order = order ?? DrawOrder.MatlabTheta },
            "uniform" => Uniform(Arg(0.12), order ?? DrawOrder.InOut),
            "uniform-fan" => UniformFan(order ?? DrawOrder.MatlabTheta),
            "normal" => Normal(Arg(0.1), order ?? DrawOrder.InOut),
            "glorot" => Glorot() with { Order = order ?? DrawOrder.InOut },
            "he" => He(order ?? DrawOrder.InOut),
            _ => throw new ArgumentException($"Unknown initializer '{text}': expected ex4, uniform:EPS, uniform-fan, normal:STD, glorot or he."),
        };
    }

    public override string ToString() => Kind switch
    {
        InitKind.Uniform => $"uniform:{Scale.ToString(CultureInfo.InvariantCulture)}",
        InitKind.Normal => $"normal:{Scale.ToString(CultureInfo.InvariantCulture)}",
        InitKind.UniformFan => "uniform-fan",
        _ => Kind.ToString().ToLowerInvariant(),
    } + Order switch { DrawOrder.OutIn => "@outin", DrawOrder.MatlabTheta => "@matlab", _ => "@inout" };

    public void Initialize<T>(Network<T> network, int seed) where T : unmanaged, IFloatingPointIeee754<T> =>
        Initialize(network, new NumPyRandom((uint)seed));

    public void Initialize<T>(Network<T> network, NumPyRandom random) where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(random);
        if (Kind is InitKind.Uniform or InitKind.Normal && !(Scale > 0))
            throw new ArgumentOutOfRangeException(nameof(Scale), $"{Kind} initialization needs a positive scale, got {Scale}.");
        // scikit-learn picks the Glorot factor from the hidden activation for every layer, the output layer included.
        bool logistic = network.Spec.Activations[0] == Activation.Sigmoid;
        foreach (var layer in network.Layers)
        {
            int fanIn = layer.Inputs, fanOut = layer.Outputs;
            (bool uniform, double scale, bool randomBias) = Kind switch
            {
                InitKind.Uniform => (true, Scale, true),
                InitKind.UniformFan => (true, Math.Sqrt(6.0) / Math.Sqrt(fanIn + fanOut), true),
                InitKind.Normal => (false, Scale, false),
                InitKind.Glorot => (true, Math.Sqrt((logistic ? 2.0 : 6.0) / (fanIn + fanOut)), true),
                InitKind.He => (false, Math.Sqrt(2.0 / fanIn), false),
                _ => throw new ArgumentOutOfRangeException(nameof(Kind)),
            };
            double Draw() => uniform ? random.Uniform(-scale, scale) : random.Normal(0, scale);
            var w = layer.Weights;
            var b = layer.Bias.Span;
            b.Clear();
            switch (Order)
            {
                case DrawOrder.OutIn:
                    for (int j = 0; j < fanOut; j++)
                        for (int i = 0; i < fanIn; i++) w[j, i] = T.CreateTruncating(Draw());
                    if (randomBias) for (int j = 0; j < fanOut; j++) b[j] = T.CreateTruncating(Draw());
                    break;
                case DrawOrder.InOut:
                    for (int i = 0; i < fanIn; i++)
                        for (int j = 0; j < fanOut; j++) w[j, i] = T.CreateTruncating(Draw());
                    if (randomBias) for (int j = 0; j < fanOut; j++) b[j] = T.CreateTruncating(Draw());
                    break;
                case DrawOrder.MatlabTheta:
                    // Theta(:) column by column: column 0 is the bias (drawn even when it will stay zero, as rand(L_out, 1 + L_in) does).
                    for (int j = 0; j < fanOut; j++)
                    {
                        double v = Draw();
                        if (randomBias) b[j] = T.CreateTruncating(v);
                    }
                    for (int i = 0; i < fanIn; i++)
                        for (int j = 0; j < fanOut; j++) w[j, i] = T.CreateTruncating(Draw());
                    break;
            }
        }
    }
}
