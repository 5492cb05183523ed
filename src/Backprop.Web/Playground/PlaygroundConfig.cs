using System.Globalization;
using System.Text.Json;
using Backprop.Experiments;
using Backprop.Initialization;
using Backprop.Layers;
using Backprop.Models;
using Backprop.Training;

namespace Backprop.Web.Playground;

/// <summary>How large and how long a playground run may be, and how many may run at once.</summary>
public sealed record PlaygroundLimits
{
    public int MaxHiddenLayers { get; init; } = 6;
    /// <summary>Units per hidden layer (the spiral preset needs 100).</summary>
    public int MaxUnits { get; init; } = 128;
    /// <summary>Points of a generated set.</summary>
    public int MaxPoints { get; init; } = 2000;
    /// <summary>Rows of an uploaded CSV.</summary>
    public int MaxCsvPoints { get; init; } = 5000;
    public int MaxClasses { get; init; } = 8;
    public int MaxEpochs { get; init; } = 100_000;
    /// <summary>Seconds of training (pauses not counted) after which a run stops.</summary>
    public double MaxSeconds { get; init; } = 300;
    /// <summary>Open runs (pages) at once; more are refused with 503.</summary>
    public int MaxRuns { get; init; } = 8;
    /// <summary>Runs that train at the same moment; the others wait (one core stays for the digit API and the pages).</summary>
    public int TrainingSlots { get; init; } = Math.Max(1, Environment.ProcessorCount - 1);
    /// <summary>Frames per second streamed to a page while it trains.</summary>
    public double FramesPerSecond { get; init; } = 10;
    /// <summary>Seconds a created run waits for its page to open the stream before it is dropped.</summary>
    public double ConnectSeconds { get; init; } = 30;
}

/// <summary>A request the playground cannot run; the message names the field and what was expected.</summary>
public sealed class PlaygroundConfigException(string message) : Exception(message);

/// <summary>Everything a playground run is made of: data, network and training settings, as the page sends them.</summary>
public sealed record PlaygroundConfig
{
    public string Data { get; init; } = "spiral";
    public int Points { get; init; } = 400;
    public double Noise { get; init; }
    public int TrainPercent { get; init; } = 50;
    public int DataSeed { get; init; }
    public string? Csv { get; init; }
    public string CsvName { get; init; } = "points.csv";
    public int[] Hidden { get; init; } = [8, 8];
    public Activation Activation { get; init; } = Activation.Tanh;
    public OptimizerKind Optimizer { get; init; } = OptimizerKind.Adam;
    public double LearningRate { get; init; } = 0.03;
    public int BatchSize { get; init; } = 10;
    public double Lambda { get; init; }
    public int Epochs { get; init; } = 1000;
    public int Seed { get; init; }
    /// <summary>Null: He for ReLU, Glorot otherwise (<see cref="Initializer.DefaultFor"/>).</summary>
    public Initializer? Init { get; init; }
    /// <summary>Draw the weights from the data's generator after the data (the flower notebook's single RandomState).</summary>
    public bool WeightsAfterData { get; init; }

    /// <summary>The optimizers the page offers (the engine's step optimizers).</summary>
    public static IReadOnlyList<OptimizerKind> Optimizers { get; } = [OptimizerKind.GradientDescent, OptimizerKind.Sgd, OptimizerKind.Momentum, OptimizerKind.Adam];

    /// <summary>The engine's training options for this run: the page's settings, float64 as the seeds.</summary>
    public TrainingOptions Training => new()
    {
        Optimizer = Optimizer,
        Epochs = Epochs,
        BatchSize = Optimizer == OptimizerKind.GradientDescent ? 0 : BatchSize,
        LearningRate = LearningRate,
        Lambda = Lambda,
        Shuffle = Optimizer != OptimizerKind.GradientDescent,
        Seed = Seed,
        // The page measures accuracy itself at frame times; the per-epoch pass would only slow training down.
        TrackTrainAccuracy = false,
    };

    /// <summary>
    /// The library's pipeline for this run (<see cref="MlpClassifier.CreateTrainer{T}"/>): the page's network with softmax
    /// outputs, training options, initializer and seed, in float64, the points unscaled. With <see cref="WeightsAfterData"/>
    /// the weights are drawn after the flower or spiral data from its generator, whose stream the shuffles then continue.
    /// </summary>
    public MlpClassifier Classifier() => new()
    {
        HiddenLayers = Hidden,
        Hidden = Activation,
        Output = Activation.Softmax,
        Training = Training,
        Initializer = Init,
        Seed = Seed,
        Precision = Precision.Float64,
        Scaling = Scaling.None,
        WeightsAfterData = WeightsAfterData ? Data : null,
        SharedRandomStream = WeightsAfterData,
    };

    /// <summary>The page's settings of a seed preset (flower, spiral): data, network, initial weights and update rule exactly
    /// as <see cref="Presets"/> has them; half of the points are test points (the seed's points train).</summary>
    public static PlaygroundConfig FromPreset(ExperimentPreset preset)
    {
        ArgumentNullException.ThrowIfNull(preset);
        if (!PlaygroundData.Names.Take(2).Contains(preset.Data))
            throw new ArgumentException($"The playground reproduces the planar presets (flower, spiral), not '{preset.Name}'.");
        var t = preset.Training;
        return new PlaygroundConfig
        {
            Data = preset.Data,
            TrainPercent = 50,
            Hidden = preset.HiddenLayers.ToArray(),
            Activation = preset.HiddenActivation,
            Optimizer = t.Optimizer,
            LearningRate = t.LearningRate,
            BatchSize = t.BatchSize,
            Lambda = t.Lambda,
            Epochs = t.Epochs,
            Seed = preset.Seed,
            Init = preset.Initializer,
            WeightsAfterData = preset.WeightsAfterData,
        };
    }

    /// <summary>The settings as the page holds them (the JSON <see cref="Parse"/> reads).</summary>
    public Dictionary<string, object?> ToJson() => new()
    {
        ["data"] = Data, ["points"] = Points, ["noise"] = Noise, ["trainPercent"] = TrainPercent, ["dataSeed"] = DataSeed,
        ["hidden"] = Hidden, ["activation"] = Activations.Name(Activation), ["optimizer"] = TrainingOptions.OptimizerName(Optimizer),
        ["learningRate"] = LearningRate, ["batchSize"] = BatchSize, ["lambda"] = Lambda, ["epochs"] = Epochs, ["seed"] = Seed,
        ["init"] = Init?.ToString(), ["weightsAfterData"] = WeightsAfterData,
    };

    /// <summary>Reads and checks a run request against <paramref name="limits"/>.</summary>
    /// <exception cref="PlaygroundConfigException">A field is missing, of the wrong kind or out of range.</exception>
    public static PlaygroundConfig Parse(JsonElement o, PlaygroundLimits limits)
    {
        ArgumentNullException.ThrowIfNull(limits);
        if (o.ValueKind != JsonValueKind.Object) throw new PlaygroundConfigException("Expected a JSON object of playground settings (data, hidden, activation, optimizer, learningRate, …).");
        var c = new PlaygroundConfig();
        string data = Text(o, "data", c.Data).ToLowerInvariant();
        if (data != "csv" && !PlaygroundData.Names.Contains(data))
            throw new PlaygroundConfigException($"data: expected one of {string.Join(", ", PlaygroundData.Names)} or csv, got '{data}'.");
        string? csv = null;
        if (data == "csv")
        {
            csv = o.TryGetProperty("csv", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
            if (string.IsNullOrWhiteSpace(csv)) throw new PlaygroundConfigException("csv: data 'csv' needs the file's text in \"csv\" (rows of x, y, label).");
        }
        int[] hidden;
        if (!o.TryGetProperty("hidden", out var h)) hidden = c.Hidden;
        else
        {
            if (h.ValueKind != JsonValueKind.Array) throw new PlaygroundConfigException("hidden: expected an array of units per hidden layer, e.g. [8, 8].");
            hidden = h.EnumerateArray().Select((e, i) => e.ValueKind == JsonValueKind.Number && e.TryGetInt32(out int v) ? v
                : throw new PlaygroundConfigException($"hidden[{i}]: expected a whole number of units, got {e}.")).ToArray();
            if (hidden.Length > limits.MaxHiddenLayers) throw new PlaygroundConfigException($"hidden: at most {limits.MaxHiddenLayers} hidden layers, got {hidden.Length}.");
            for (int i = 0; i < hidden.Length; i++)
                if (hidden[i] < 1 || hidden[i] > limits.MaxUnits) throw new PlaygroundConfigException($"hidden[{i}]: expected 1..{limits.MaxUnits} units, got {hidden[i]}.");
        }
        var activation = Text(o, "activation", "tanh").ToLowerInvariant() switch
        {
            "relu" => Activation.Relu,
            "tanh" => Activation.Tanh,
            "sigmoid" => Activation.Sigmoid,
            var a => throw new PlaygroundConfigException($"activation: expected relu, tanh or sigmoid, got '{a}'."),
        };
        OptimizerKind optimizer;
        string optimizerName = Text(o, "optimizer", "adam");
        try { optimizer = TrainingOptions.ParseOptimizer(optimizerName); }
        catch (ArgumentException) { optimizer = OptimizerKind.Lbfgs; }
        if (!Optimizers.Contains(optimizer)) throw new PlaygroundConfigException($"optimizer: expected gd, sgd, momentum or adam, got '{optimizerName}'.");
        Initializer? init = null;
        if (o.TryGetProperty("init", out var ie) && ie.ValueKind != JsonValueKind.Null)
        {
            if (ie.ValueKind != JsonValueKind.String) throw new PlaygroundConfigException("init: expected an initializer such as \"he\", \"glorot\" or \"normal:0.01@outin\", or null.");
            try { init = Initializer.Parse(ie.GetString()!); }
            catch (ArgumentException e) { throw new PlaygroundConfigException($"init: {e.Message}"); }
        }
        bool after = o.TryGetProperty("weightsAfterData", out var w) && w.ValueKind == JsonValueKind.True;
        if (after && data is not ("flower" or "spiral")) after = false;   // only the seeds' generators hand theirs on
        return c with
        {
            Data = data,
            Points = Int(o, "points", c.Points, 20, limits.MaxPoints),
            Noise = Number(o, "noise", 0, 0, 1),
            TrainPercent = Int(o, "trainPercent", c.TrainPercent, 10, 100),
            DataSeed = Int(o, "dataSeed", 0, 0, int.MaxValue),
            Csv = csv,
            CsvName = data == "csv" ? Text(o, "csvName", c.CsvName) : c.CsvName,
            Hidden = hidden,
            Activation = activation,
            Optimizer = optimizer,
            LearningRate = Number(o, "learningRate", c.LearningRate, 1e-6, 100, exclusiveMin: true),
            BatchSize = Int(o, "batchSize", c.BatchSize, 1, limits.MaxCsvPoints),
            Lambda = Number(o, "lambda", 0, 0, 1000),
            Epochs = Int(o, "epochs", c.Epochs, 1, limits.MaxEpochs),
            Seed = Int(o, "seed", 0, 0, int.MaxValue),
            Init = init,
            WeightsAfterData = after,
        };
    }

    private static string Text(JsonElement o, string name, string fallback)
    {
        if (!o.TryGetProperty(name, out var e) || e.ValueKind == JsonValueKind.Null) return fallback;
        return e.ValueKind == JsonValueKind.String ? e.GetString()!.Trim() : throw new PlaygroundConfigException($"{name}: expected a string, got {e}.");
    }

    private static int Int(JsonElement o, string name, int fallback, int min, int max)
    {
        if (!o.TryGetProperty(name, out var e) || e.ValueKind == JsonValueKind.Null) return fallback;
        if (e.ValueKind != JsonValueKind.Number || !e.TryGetInt32(out int v) || v < min || v > max)
            throw new PlaygroundConfigException($"{name}: expected a whole number in {min}..{max}, got {e.GetRawText()}.");
        return v;
    }

    private static double Number(JsonElement o, string name, double fallback, double min, double max, bool exclusiveMin = false)
    {
        if (!o.TryGetProperty(name, out var e) || e.ValueKind == JsonValueKind.Null) return fallback;
        if (e.ValueKind != JsonValueKind.Number || !e.TryGetDouble(out double v) || !double.IsFinite(v) || v < min || v > max || (exclusiveMin && v <= 0))
            throw new PlaygroundConfigException(string.Create(CultureInfo.InvariantCulture, $"{name}: expected a number in {(exclusiveMin ? "(0" : $"[{min}")}, {max}], got {e.GetRawText()}."));
        return v;
    }
}
