using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json.Nodes;
using Backprop.Numerics;

namespace Backprop.Training;

/// <summary>
/// A mini-batch training run after a whole epoch: everything <see cref="Trainer{T}"/> needs to continue as if it had
/// never stopped — the parameters, the optimizer's state, the mini-batch order and every generator's state (shuffle,
/// dropout, shifts, elastic distortion), the weight average, the learning-rate schedule, early stopping's best epoch and the history.
/// A run resumed from it (<see cref="Trainer{T}.ResumeFrom"/>) ends with the same parameters, bit for bit, as the
/// run that was never interrupted. Vectors are stored as double; a float32 run's values convert back exactly.
/// </summary>
public sealed class TrainingCheckpoint
{
    /// <summary>Epochs completed.</summary>
    public required int Epoch { get; init; }
    /// <summary>Training time so far (the resumed run's clock continues from it).</summary>
    public required double Seconds { get; init; }
    /// <summary>Training samples seen so far (the inverse-scaling schedule's time step).</summary>
    public required long SamplesSeen { get; init; }
    /// <summary>"float32" or "float64": the network's element type.</summary>
    public required string Precision { get; init; }
    /// <summary>The training options as text (<see cref="TrainingOptions.ToString"/>); a resumed run must have the same.</summary>
    public required string Training { get; init; }
    public required double[] Parameters { get; init; }
    /// <summary>Adam's step count (0 for the others).</summary>
    public long OptimizerSteps { get; init; }
    /// <summary>Adam's two moments, or momentum's velocity; empty for plain gradient descent or before the first step.</summary>
    public double[][] OptimizerState { get; init; } = [];
    /// <summary>The mini-batch order of the last epoch (the next shuffle starts from it).</summary>
    public required int[] Order { get; init; }
    public required NumPyRandomState Shuffle { get; init; }
    public NumPyRandomState? Dropout { get; init; }
    public NumPyRandomState? Shift { get; init; }
    /// <summary>The elastic distortion's generator; null without it (and in checkpoints written before it existed).</summary>
    public NumPyRandomState? Elastic { get; init; }
    /// <summary>The running average of the parameters (EMA/SWA) and its update count; null without averaging.</summary>
    public double[]? Average { get; init; }
    public long AverageCount { get; init; }
    /// <summary>The learning-rate schedule: the next epoch's rate, and the adaptive schedule's own best cost and epochs without
    /// improvement (checkpoints written before <see cref="StallNoImprovement"/> existed kept the stall rule's here).</summary>
    public double? ScheduleRate { get; init; }
    public double? ScheduleBestCost { get; init; }
    public int ScheduleNoImprovement { get; init; }
    /// <summary>The stall rule (<see cref="TrainingOptions.StopWhenStalled"/>): its best cost and epochs without improvement; null without one.</summary>
    public double? StallBestCost { get; init; }
    public int? StallNoImprovement { get; init; }
    /// <summary>Early stopping: the best validation accuracy so far (null: none yet), epochs since, and its parameters.</summary>
    public double? BestValid { get; init; }
    public int EpochsSinceBest { get; init; }
    public double[]? BestParameters { get; init; }
    public required IReadOnlyList<EpochRecord> History { get; init; }

    private bool Float32 => Precision == "float32";

    /// <summary>The checkpoint as one JSON object (vectors as base64 of little-endian float32/float64, generator keys of uint32).</summary>
    public JsonObject ToJson() => new()
    {
        ["epoch"] = Epoch,
        ["seconds"] = Seconds,
        ["samples_seen"] = SamplesSeen,
        ["precision"] = Precision,
        ["training"] = Training,
        ["parameters"] = Pack(Parameters),
        ["optimizer_steps"] = OptimizerSteps,
        ["optimizer_state"] = new JsonArray(OptimizerState.Select(b => (JsonNode?)Pack(b)).ToArray()),
        ["order"] = System.Convert.ToBase64String(MemoryMarshal.AsBytes(Order.AsSpan())),
        ["shuffle_random"] = RandomJson(Shuffle),
        ["dropout_random"] = Dropout is null ? null : RandomJson(Dropout),
        ["shift_random"] = Shift is null ? null : RandomJson(Shift),
        ["elastic_random"] = Elastic is null ? null : RandomJson(Elastic),
        ["average"] = Average is null ? null : Pack(Average),
        ["average_count"] = AverageCount,
        ["schedule_rate"] = ScheduleRate,
        ["schedule_best_cost"] = ScheduleBestCost is double b && double.IsFinite(b) ? b : null,
        ["schedule_no_improvement"] = ScheduleNoImprovement,
        ["stall_best_cost"] = StallBestCost is double sb && double.IsFinite(sb) ? sb : null,
        ["stall_no_improvement"] = StallNoImprovement,
        ["best_valid_accuracy"] = BestValid,
        ["epochs_since_best"] = EpochsSinceBest,
        ["best_parameters"] = BestParameters is null ? null : Pack(BestParameters),
        ["history"] = new JsonArray(History.Select(e => (JsonNode?)new JsonObject
        {
            ["epoch"] = e.Epoch, ["cost"] = e.Cost, ["train_accuracy"] = e.TrainAccuracy, ["valid_accuracy"] = e.ValidAccuracy,
            ["seconds"] = e.Seconds, ["learning_rate"] = e.LearningRate,
        }).ToArray()),
    };

    /// <summary>Reads <see cref="ToJson"/>'s object; a missing or malformed field is an <see cref="InvalidDataException"/> naming it.</summary>
    public static TrainingCheckpoint FromJson(JsonObject o)
    {
        ArgumentNullException.ThrowIfNull(o);
        string precision = Get<string>(o, "precision");
        if (precision is not ("float32" or "float64")) throw new InvalidDataException($"precision: expected float32 or float64, got '{precision}'.");
        bool f32 = precision == "float32";
        double[]? Vector(string key) => o[key] is null ? null : Unpack(Get<string>(o, key), f32, key);
        var parameters = Vector("parameters")!;
        var checkpoint = new TrainingCheckpoint
        {
            Epoch = Get<int>(o, "epoch"),
            Seconds = Get<double>(o, "seconds"),
            SamplesSeen = Get<long>(o, "samples_seen"),
            Precision = precision,
            Training = Get<string>(o, "training"),
            Parameters = parameters,
            OptimizerSteps = Get<long>(o, "optimizer_steps"),
            OptimizerState = (o["optimizer_state"] as JsonArray ?? throw Missing("optimizer_state"))
                .Select((n, i) => Unpack(n?.GetValue<string>() ?? throw Missing($"optimizer_state[{i}]"), f32, $"optimizer_state[{i}]")).ToArray(),
            Order = Ints(Get<string>(o, "order")),
            Shuffle = RandomFrom(o["shuffle_random"], "shuffle_random") ?? throw Missing("shuffle_random"),
            Dropout = RandomFrom(o["dropout_random"], "dropout_random"),
            Shift = RandomFrom(o["shift_random"], "shift_random"),
            Elastic = RandomFrom(o["elastic_random"], "elastic_random"),
            Average = Vector("average"),
            AverageCount = Get<long>(o, "average_count"),
            ScheduleRate = o["schedule_rate"]?.GetValue<double>(),
            ScheduleBestCost = o["schedule_best_cost"]?.GetValue<double>(),
            ScheduleNoImprovement = Get<int>(o, "schedule_no_improvement"),
            StallBestCost = o["stall_best_cost"]?.GetValue<double>(),
            StallNoImprovement = o["stall_no_improvement"]?.GetValue<int>(),
            BestValid = o["best_valid_accuracy"]?.GetValue<double>(),
            EpochsSinceBest = Get<int>(o, "epochs_since_best"),
            BestParameters = Vector("best_parameters"),
            History = (o["history"] as JsonArray ?? throw Missing("history")).Select(n => n as JsonObject ?? throw Missing("history[]")).Select(e => new EpochRecord(
                Get<int>(e, "epoch"), Get<double>(e, "cost"), e["train_accuracy"]?.GetValue<double>(), e["valid_accuracy"]?.GetValue<double>(),
                Get<double>(e, "seconds"), Get<double>(e, "learning_rate"))).ToArray(),
        };
        if (checkpoint.Epoch < 0 || checkpoint.History.Count != checkpoint.Epoch)
            throw new InvalidDataException($"epoch {checkpoint.Epoch} but {checkpoint.History.Count} history records.");
        foreach (var (name, v) in new[] { ("optimizer state", checkpoint.OptimizerState.FirstOrDefault()), ("average", checkpoint.Average), ("best parameters", checkpoint.BestParameters) })
            if (v is not null && v.Length != parameters.Length)
                throw new InvalidDataException($"The {name} has {v.Length} values but the parameters {parameters.Length}.");
        return checkpoint;
    }

    private static InvalidDataException Missing(string key) => new($"'{key}' is missing or not what a checkpoint holds there.");

    private static T Get<T>(JsonObject o, string key)
    {
        try { return o[key] is { } n ? n.GetValue<T>() : throw Missing(key); }
        catch (Exception e) when (e is InvalidOperationException or FormatException) { throw Missing(key); }
    }

    private string Pack(double[] values)
    {
        if (!Float32) return System.Convert.ToBase64String(MemoryMarshal.AsBytes(values.AsSpan()));
        var f = new float[values.Length];
        for (int i = 0; i < f.Length; i++) f[i] = (float)values[i];
        return System.Convert.ToBase64String(MemoryMarshal.AsBytes(f.AsSpan()));
    }

    private static double[] Unpack(string base64, bool float32, string key)
    {
        byte[] bytes;
        try { bytes = System.Convert.FromBase64String(base64); }
        catch (FormatException) { throw new InvalidDataException($"'{key}' is not base64."); }
        int size = float32 ? 4 : 8;
        if (bytes.Length % size != 0) throw new InvalidDataException($"'{key}' holds {bytes.Length} bytes, not a whole number of {(float32 ? "float32" : "float64")} values.");
        if (!float32) return MemoryMarshal.Cast<byte, double>(bytes).ToArray();
        var f = MemoryMarshal.Cast<byte, float>(bytes);
        var d = new double[f.Length];
        for (int i = 0; i < d.Length; i++) d[i] = f[i];
        return d;
    }

    private static int[] Ints(string base64)
    {
        byte[] bytes;
        try { bytes = System.Convert.FromBase64String(base64); }
        catch (FormatException) { throw new InvalidDataException("'order' is not base64."); }
        if (bytes.Length % 4 != 0) throw new InvalidDataException("'order' is not a whole number of int32 values.");
        return MemoryMarshal.Cast<byte, int>(bytes).ToArray();
    }

    private static JsonObject RandomJson(NumPyRandomState s) => new()
    {
        ["key"] = System.Convert.ToBase64String(MemoryMarshal.AsBytes(s.Key.AsSpan())),
        ["position"] = s.Position,
        ["has_gauss"] = s.HasGauss,
        ["gauss"] = s.Gauss,
    };

    private static NumPyRandomState? RandomFrom(JsonNode? node, string key)
    {
        if (node is null) return null;
        if (node is not JsonObject o) throw Missing(key);
        byte[] bytes;
        try { bytes = System.Convert.FromBase64String(Get<string>(o, "key")); }
        catch (FormatException) { throw new InvalidDataException($"'{key}.key' is not base64."); }
        if (bytes.Length != 624 * 4) throw new InvalidDataException($"'{key}.key' holds {bytes.Length} bytes; an MT19937 key has 624 uint32 words.");
        return new NumPyRandomState(MemoryMarshal.Cast<byte, uint>(bytes).ToArray(), Get<int>(o, "position"), Get<bool>(o, "has_gauss"), Get<double>(o, "gauss"));
    }

    /// <summary>For messages: "epoch 5 of adam epochs=12 …".</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"epoch {Epoch}, {Training}");
}
