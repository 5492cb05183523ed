using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Backprop.Data.Preprocessing;

/// <summary>
/// An immutable per-feature transform fitted on training data and applied unchanged to any later data
/// (validation, test, a single sample at prediction time). Save it with the model via <see cref="ToJson"/>.
/// <list type="bullet">
/// <item>MinMax: y = x·scale + offset with scale = (hi − lo)/(max − min) (1 when max = min) and offset = lo − min·scale,
/// exactly scikit-learn's MinMaxScaler(feature_range=(lo, hi)).</item>
/// <item>Standardize: y = (x − mean)/std with the population standard deviation (ddof = 0); std 0 is taken as 1,
/// exactly scikit-learn's StandardScaler.</item>
/// </list>
/// </summary>
public sealed class Preprocessor
{
    private readonly double[] _a; // MinMax: data min; Standardize: mean
    private readonly double[] _b; // MinMax: data max; Standardize: std (0 kept as recorded)
    private readonly double[] _scale;
    private readonly double[] _offset;

    private Preprocessor(PreprocessorKind kind, int featureCount, double lo, double hi, double[] a, double[] b)
    {
        if (featureCount < 0) throw new ArgumentOutOfRangeException(nameof(featureCount));
        Kind = kind;
        FeatureCount = featureCount;
        Lo = lo;
        Hi = hi;
        _a = a;
        _b = b;
        _scale = new double[featureCount];
        _offset = new double[featureCount];
        for (int j = 0; j < featureCount; j++)
        {
            switch (kind)
            {
                case PreprocessorKind.MinMax:
                    double range = b[j] - a[j];
                    _scale[j] = (hi - lo) / (range == 0 ? 1 : range);
                    _offset[j] = lo - a[j] * _scale[j];
                    break;
                case PreprocessorKind.Standardize:
                    _scale[j] = b[j] == 0 ? 1 : b[j];
                    _offset[j] = a[j];
                    break;
            }
        }
    }

    public PreprocessorKind Kind { get; }
    public int FeatureCount { get; }
    /// <summary>MinMax target range low end (0 for other kinds).</summary>
    public double Lo { get; }
    /// <summary>MinMax target range high end (0 for other kinds).</summary>
    public double Hi { get; }
    /// <summary>MinMax: per-feature input minimum (from training data or the fixed input range).</summary>
    public IReadOnlyList<double> DataMin => Kind == PreprocessorKind.MinMax ? _a : [];
    /// <summary>MinMax: per-feature input maximum.</summary>
    public IReadOnlyList<double> DataMax => Kind == PreprocessorKind.MinMax ? _b : [];
    /// <summary>Standardize: per-feature training mean.</summary>
    public IReadOnlyList<double> Mean => Kind == PreprocessorKind.Standardize ? _a : [];
    /// <summary>Standardize: per-feature training population standard deviation (as computed; 0 means "divide by 1").</summary>
    public IReadOnlyList<double> Std => Kind == PreprocessorKind.Standardize ? _b : [];

    /// <summary>
    /// The per-feature constants <see cref="Apply(ReadOnlySpan{double}, Span{double})"/> uses, for exporters that must
    /// reproduce it exactly: MinMax y = x·scale + offset; Standardize y = (x − offset)/scale (offset = mean,
    /// scale = std with 0 replaced by 1); unused for Identity.
    /// </summary>
    internal ReadOnlySpan<double> ApplyScale => _scale;
    /// <inheritdoc cref="ApplyScale"/>
    internal ReadOnlySpan<double> ApplyOffset => _offset;

    /// <summary>A preprocessor that changes nothing.</summary>
    public static Preprocessor Identity(int featureCount) => new(PreprocessorKind.Identity, featureCount, 0, 0, new double[featureCount], new double[featureCount]);

    /// <summary>Fits MinMax to [<paramref name="lo"/>, <paramref name="hi"/>] on the training set's per-feature min and max.</summary>
    public static Preprocessor FitMinMax(Dataset train, double lo = 0, double hi = 1)
    {
        ArgumentNullException.ThrowIfNull(train);
        return FitMinMax(train.Features, train.Count, train.FeatureCount, lo, hi);
    }

    /// <summary>Fits MinMax on a row-major [count, featureCount] matrix.</summary>
    public static Preprocessor FitMinMax(ReadOnlySpan<double> features, int count, int featureCount, double lo = 0, double hi = 1)
    {
        CheckMatrix(features, count, featureCount);
        CheckRange(lo, hi);
        if (count == 0) throw new ArgumentException("Cannot fit a preprocessor on zero samples.", nameof(count));
        var min = features[..featureCount].ToArray();
        var max = features[..featureCount].ToArray();
        for (int i = 1; i < count; i++)
        {
            var row = features.Slice(i * featureCount, featureCount);
            for (int j = 0; j < featureCount; j++)
            {
                if (row[j] < min[j]) min[j] = row[j];
                if (row[j] > max[j]) max[j] = row[j];
            }
        }
        return new Preprocessor(PreprocessorKind.MinMax, featureCount, lo, hi, min, max);
    }

    /// <summary>
    /// MinMax from a fixed input range shared by all features, e.g. pixels 0..255 → [0, 1]; nothing is fitted,
    /// so every data set is scaled identically.
    /// </summary>
    public static Preprocessor MinMaxFixed(int featureCount, double inputMin, double inputMax, double lo = 0, double hi = 1)
    {
        CheckRange(lo, hi);
        if (!(inputMax > inputMin) || !double.IsFinite(inputMin) || !double.IsFinite(inputMax))
            throw new ArgumentException($"The input range [{inputMin}, {inputMax}] must be finite with min < max.");
        var min = new double[featureCount];
        var max = new double[featureCount];
        Array.Fill(min, inputMin);
        Array.Fill(max, inputMax);
        return new Preprocessor(PreprocessorKind.MinMax, featureCount, lo, hi, min, max);
    }

    /// <summary>Fits Standardize on the training set's per-feature mean and population standard deviation.</summary>
    public static Preprocessor FitStandardize(Dataset train)
    {
        ArgumentNullException.ThrowIfNull(train);
        return FitStandardize(train.Features, train.Count, train.FeatureCount);
    }

    /// <summary>Fits Standardize on a row-major [count, featureCount] matrix (two passes, for accuracy).</summary>
    public static Preprocessor FitStandardize(ReadOnlySpan<double> features, int count, int featureCount)
    {
        CheckMatrix(features, count, featureCount);
        if (count == 0) throw new ArgumentException("Cannot fit a preprocessor on zero samples.", nameof(count));
        var mean = new double[featureCount];
        var std = new double[featureCount];
        for (int i = 0; i < count; i++)
        {
            var row = features.Slice(i * featureCount, featureCount);
            for (int j = 0; j < featureCount; j++) mean[j] += row[j];
        }
        for (int j = 0; j < featureCount; j++) mean[j] /= count;
        for (int i = 0; i < count; i++)
        {
            var row = features.Slice(i * featureCount, featureCount);
            for (int j = 0; j < featureCount; j++) { double d = row[j] - mean[j]; std[j] += d * d; }
        }
        for (int j = 0; j < featureCount; j++) std[j] = Math.Sqrt(std[j] / count);
        return new Preprocessor(PreprocessorKind.Standardize, featureCount, 0, 0, mean, std);
    }

    /// <summary>Transforms one sample, or several back to back (length a multiple of <see cref="FeatureCount"/>), into <paramref name="dest"/> (may be the same memory).</summary>
    public void Apply(ReadOnlySpan<double> samples, Span<double> dest)
    {
        if (dest.Length < samples.Length)
            throw new ArgumentException($"The destination holds {dest.Length} values; {samples.Length} are needed.", nameof(dest));
        if (FeatureCount == 0 ? samples.Length != 0 : samples.Length % FeatureCount != 0)
            throw new ArgumentException($"{samples.Length} values are not whole samples of {FeatureCount} features.", nameof(samples));
        for (int s = 0; s < samples.Length; s += FeatureCount)
        {
            var x = samples.Slice(s, FeatureCount);
            var y = dest.Slice(s, FeatureCount);
            switch (Kind)
            {
                case PreprocessorKind.Identity: x.CopyTo(y); break;
                case PreprocessorKind.MinMax:
                    for (int j = 0; j < FeatureCount; j++) y[j] = x[j] * _scale[j] + _offset[j];
                    break;
                default:
                    for (int j = 0; j < FeatureCount; j++) y[j] = (x[j] - _offset[j]) / _scale[j];
                    break;
            }
        }
    }

    /// <summary>A new data set with transformed features and the same labels, classes and image shape.</summary>
    public Dataset Apply(Dataset data)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (data.FeatureCount != FeatureCount)
            throw new ArgumentException($"Data set '{data.Name}' has {data.FeatureCount} features; this preprocessor was fitted on {FeatureCount}.", nameof(data));
        var x = new double[data.Features.Length];
        Apply(data.Features, x);
        return new Dataset(data.Name, x, data.Count, data.FeatureCount, data.Labels, data.Classes, data.ClassNames, data.Image);
    }

    /// <summary>JSON: <c>{"kind":"MinMax","featureCount":n,"lo":0,"hi":1,"min":[…],"max":[…]}</c> or <c>{"kind":"Standardize",…,"mean":[…],"std":[…]}</c>; numbers round-trip exactly.</summary>
    public string ToJson()
    {
        var o = new JsonObject
        {
            ["kind"] = Kind.ToString(),
            ["featureCount"] = FeatureCount,
        };
        if (Kind == PreprocessorKind.MinMax)
        {
            o["lo"] = Lo;
            o["hi"] = Hi;
            o["min"] = ToArray(_a);
            o["max"] = ToArray(_b);
        }
        else if (Kind == PreprocessorKind.Standardize)
        {
            o["mean"] = ToArray(_a);
            o["std"] = ToArray(_b);
        }
        return o.ToJsonString();
    }

    /// <summary>Reads what <see cref="ToJson"/> wrote; malformed JSON is an <see cref="InvalidDataException"/> saying what is wrong.</summary>
    public static Preprocessor FromJson(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        try
        {
            var o = JsonNode.Parse(json) as JsonObject ?? throw new InvalidDataException("Preprocessor JSON: expected an object.");
            string kindText = o["kind"]?.GetValue<string>() ?? throw new InvalidDataException("Preprocessor JSON: 'kind' is missing.");
            if (!Enum.TryParse<PreprocessorKind>(kindText, out var kind) || !Enum.IsDefined(kind))
                throw new InvalidDataException($"Preprocessor JSON: unknown kind '{kindText}' (expected Identity, MinMax or Standardize).");
            int n = o["featureCount"]?.GetValue<int>() ?? throw new InvalidDataException("Preprocessor JSON: 'featureCount' is missing.");
            if (n < 0) throw new InvalidDataException($"Preprocessor JSON: featureCount {n} is negative.");
            switch (kind)
            {
                case PreprocessorKind.Identity:
                    return Identity(n);
                case PreprocessorKind.MinMax:
                    double lo = Number(o, "lo"), hi = Number(o, "hi");
                    if (!(hi > lo)) throw new InvalidDataException($"Preprocessor JSON: the range [{lo}, {hi}] must have lo < hi.");
                    return new Preprocessor(kind, n, lo, hi, Numbers(o, "min", n), Numbers(o, "max", n));
                default:
                    var std = Numbers(o, "std", n);
                    if (std.Any(s => s < 0)) throw new InvalidDataException("Preprocessor JSON: 'std' has a negative value.");
                    return new Preprocessor(kind, n, 0, 0, Numbers(o, "mean", n), std);
            }
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
        {
            throw new InvalidDataException($"Preprocessor JSON is malformed: {e.Message}", e);
        }
    }

    public override string ToString() => Kind switch
    {
        PreprocessorKind.MinMax => $"MinMax to [{Lo.ToString(CultureInfo.InvariantCulture)}, {Hi.ToString(CultureInfo.InvariantCulture)}] ({FeatureCount} features)",
        _ => $"{Kind} ({FeatureCount} features)",
    };

    private static JsonArray ToArray(double[] values) => new(values.Select(v => (JsonNode?)JsonValue.Create(v)).ToArray());

    private static double Number(JsonObject o, string key)
    {
        double v = o[key]?.GetValue<double>() ?? throw new InvalidDataException($"Preprocessor JSON: '{key}' is missing.");
        if (!double.IsFinite(v)) throw new InvalidDataException($"Preprocessor JSON: '{key}' is not finite.");
        return v;
    }

    private static double[] Numbers(JsonObject o, string key, int n)
    {
        var a = o[key] as JsonArray ?? throw new InvalidDataException($"Preprocessor JSON: '{key}' is missing or not an array.");
        if (a.Count != n) throw new InvalidDataException($"Preprocessor JSON: '{key}' has {a.Count} values; featureCount is {n}.");
        var result = new double[n];
        for (int i = 0; i < n; i++)
        {
            result[i] = a[i]?.GetValue<double>() ?? throw new InvalidDataException($"Preprocessor JSON: '{key}'[{i}] is null.");
            if (!double.IsFinite(result[i])) throw new InvalidDataException($"Preprocessor JSON: '{key}'[{i}] is not finite.");
        }
        return result;
    }

    private static void CheckMatrix(ReadOnlySpan<double> features, int count, int featureCount)
    {
        if (count < 0 || featureCount < 0 || (long)count * featureCount != features.Length)
            throw new ArgumentException($"Expected {count} x {featureCount} feature values, found {features.Length}.");
    }

    private static void CheckRange(double lo, double hi)
    {
        if (!(hi > lo) || !double.IsFinite(lo) || !double.IsFinite(hi))
            throw new ArgumentException($"The target range [{lo}, {hi}] must be finite with lo < hi.");
    }
}
