using System.Diagnostics;
using System.Globalization;
using System.Numerics;
using Backprop.Data;
using Backprop.Data.Builtin;
using Backprop.Data.Preprocessing;
using Backprop.Evaluation;
using Backprop.Models;
using Backprop.Networks;
using Backprop.Numerics;
using Backprop.Training;

namespace Backprop.Experiments;

/// <summary>What an experiment produced.</summary>
/// <param name="Preset">The preset that ran (overrides applied).</param>
/// <param name="Model">The trained network with its preprocessing; <c>Model.Predict</c> takes raw features (<see cref="Train"/>, not <see cref="PreparedTrain"/>).</param>
/// <param name="TrainAccuracy">Accuracy on the training split, 0..1, after training.</param>
/// <param name="FinalCost">The last epoch's mean training cost (regularization included).</param>
/// <param name="Seconds">Wall time of the training itself.</param>
/// <param name="Train">The training split as loaded (raw features).</param>
/// <param name="PreparedTrain">The training split after preprocessing — what the network saw.</param>
public sealed record ExperimentResult(
    ExperimentPreset Preset,
    Model Model,
    TrainingHistory History,
    double TrainAccuracy,
    double? ValidAccuracy,
    double? TestAccuracy,
    double FinalCost,
    int Epochs,
    double Seconds,
    string StopReason,
    Dataset Train,
    Dataset? Valid,
    Dataset? Test,
    Dataset PreparedTrain,
    Dataset? PreparedValid,
    Dataset? PreparedTest)
{
    /// <summary>The training cost in the seed's own convention (<see cref="ExperimentPreset.SeedCostL2"/>), at the end; null when the preset has none.</summary>
    public double? SeedCost { get; init; }

    /// <summary>The scaling the run used (<see cref="Scaling.Auto"/> resolved from the data).</summary>
    public Scaling Scaling { get; init; }

    /// <summary>Our figure for a seed figure's metric (train_accuracy, valid_accuracy, test_accuracy, cost, seed_cost); null when we have none.</summary>
    public double? Figure(string metric) => metric switch
    {
        "seed_cost" => SeedCost,
        "train_accuracy" => TrainAccuracy,
        "valid_accuracy" => ValidAccuracy,
        "test_accuracy" => TestAccuracy,
        "cost" => FinalCost,
        _ => null,
    };
}

/// <summary>
/// An experiment with its data loaded, split and checked, ready to <see cref="Run"/>. Everything that can be
/// wrong with the configuration (unknown data, a missing file, a network that does not fit the data) fails in
/// <see cref="Experiment.Prepare"/>, before any training. It trains through <see cref="MlpClassifier"/>'s pipeline.
/// </summary>
public sealed class PreparedExperiment
{
    private readonly MlpClassifier classifier;

    internal PreparedExperiment(ExperimentPreset preset, BuiltinSet source, Dataset train, Dataset? valid, Dataset? test,
        Scaling scaling, Preprocessor? preprocessor, NetworkSpec spec, MlpClassifier classifier)
    {
        Preset = preset;
        Source = source;
        Train = train;
        Valid = valid;
        Test = test;
        Scaling = scaling;
        Preprocessor = preprocessor;
        Spec = spec;
        this.classifier = classifier;
    }

    public ExperimentPreset Preset { get; }
    /// <summary>The data as loaded, before splitting.</summary>
    public BuiltinSet Source { get; }
    public Dataset Train { get; }
    public Dataset? Valid { get; }
    public Dataset? Test { get; }
    /// <summary>The preset's scaling for its data, <see cref="Scaling.Auto"/> chosen from the data as loaded (<see cref="Scalings.Choose"/>).</summary>
    public Scaling Scaling { get; }
    /// <summary>The scaling fitted on <see cref="Train"/> (null: none).</summary>
    public Preprocessor? Preprocessor { get; }
    public NetworkSpec Spec { get; }

    /// <summary>
    /// Checks layer sizes given in full, input to output (a command line's <c>--layers 784,100,10</c>), against the data:
    /// the input size must be the number of features, the output size the number of classes (or 1 for two classes with
    /// sigmoid outputs). The hidden sizes are the preset's <see cref="ExperimentPreset.HiddenLayers"/>.
    /// </summary>
    /// <exception cref="ArgumentException">They do not fit; the message says how.</exception>
    public void CheckLayers(IReadOnlyList<int> layers)
    {
        ArgumentNullException.ThrowIfNull(layers);
        string text = string.Join(",", layers);
        if (layers.Count < 2) throw new ArgumentException($"Layers {text}: give at least an input and an output size.");
        if (layers[0] != Train.FeatureCount)
            throw new ArgumentException($"Layers {text}: the input layer has {layers[0]} units but '{Train.Name}' has {Train.FeatureCount} features.");
        int classes = Train.Classes;
        if (layers[^1] != classes && !(classes == 2 && layers[^1] == 1 && Preset.OutputActivation == Layers.Activation.Sigmoid))
            throw new ArgumentException($"Layers {text}: the output layer has {layers[^1]} units but '{Train.Name}' has {classes} classes.");
    }

    /// <summary>Trains and evaluates. <paramref name="onEpoch"/> sees every epoch's record. When
    /// <paramref name="cancellation"/> is cancelled, training stops after the current epoch and the result
    /// holds what was trained so far (its <see cref="ExperimentResult.StopReason"/> says so).
    /// <paramref name="checkpoint"/> receives the run's state after every <paramref name="checkpointEvery"/>-th epoch, the
    /// last one and a cancelled one (<see cref="Trainer{T}.CheckpointReady"/>); <paramref name="resume"/> continues
    /// from such a state (mini-batch optimizers; see <see cref="TrainingCheckpoint"/>).</summary>
    public ExperimentResult Run(Action<EpochRecord>? onEpoch = null, CancellationToken cancellation = default,
        Action<TrainingCheckpoint>? checkpoint = null, TrainingCheckpoint? resume = null, int checkpointEvery = 1) =>
        Preset.Precision == Precision.Float32 ? Run<float>(onEpoch, cancellation, checkpoint, resume, checkpointEvery) : Run<double>(onEpoch, cancellation, checkpoint, resume, checkpointEvery);

    private ExperimentResult Run<T>(Action<EpochRecord>? onEpoch, CancellationToken cancellation, Action<TrainingCheckpoint>? checkpoint, TrainingCheckpoint? resume, int checkpointEvery)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var p = Preset;
        // The kernels compile on the other core while this one scales and converts the training set.
        var warmup = Warmup.Start<T>(Spec, p.Training, (long)Train.Count * Train.FeatureCount);
        var prepared = Prepare(Train)!;
        var preparedValid = Prepare(Valid);
        var preparedTest = Prepare(Test);
        var x = prepared.FeaturesAs<T>();   // one copy in T for training, the train score and the seed cost
        warmup.Wait();
        var (network, result) = classifier.Train<T>(Spec, prepared, preparedValid, e =>
        {
            onEpoch?.Invoke(e);
            return true;
        }, cancellation, checkpoint, resume, checkpointEvery, x);
        string stop = result.StopReason;
        var c = CultureInfo.InvariantCulture;
        var metadata = new Dictionary<string, string>
        {
            ["preset"] = p.Name,
            ["data"] = Source.Name,
            ["training"] = p.Training.ToString(),
            ["learning_rate_schedule"] = p.Training.ScheduleText(),
            ["initializer"] = p.Initializer.ToString(),
            ["scaling"] = Scaling.ToString(),
            ["split"] = p.Split.ToString(),
            ["seed"] = p.Seed.ToString(c),
            ["epochs"] = result.Epochs.ToString(c),
            ["stop"] = stop,
        };
        double Score(Dataset d) => Metrics.Accuracy(network.Predict(d.FeaturesAs<T>()), d.Labels);
        double trainAccuracy = Metrics.Accuracy(network.Predict(x), prepared.Labels);
        double? validAccuracy = preparedValid is null ? null : Score(preparedValid), testAccuracy = preparedTest is null ? null : Score(preparedTest);
        // The accuracies travel with the model file (fractions 0..1), so whoever serves it can say how good it is.
        metadata["train_accuracy"] = trainAccuracy.ToString("R", c);
        if (validAccuracy is double va) metadata["valid_accuracy"] = va.ToString("R", c);
        if (testAccuracy is double ta) metadata["test_accuracy"] = ta.ToString("R", c);
        var model = Model.From(network, Preprocessor, Train.ClassNames, Train.Image, metadata);
        double? seedCost = null;
        if (p.SeedCostL2 is double l2)
        {
            // Σ over samples and classes of the cross-entropy plus l2·Σw² (no biases) is m times the mean cost with λ = 2·l2.
            var targets = Targets.OneHot<T>(prepared.Labels, Math.Max(network.Spec.Outputs, 2), network.Spec.Outputs);
            seedCost = network.Cost(x, targets, 2 * l2) * prepared.Count;
        }
        return new ExperimentResult(p, model, result.History, trainAccuracy, validAccuracy, testAccuracy,
            result.FinalCost, result.Epochs, result.Seconds, stop, Train, Valid, Test, prepared, preparedValid, preparedTest) { SeedCost = seedCost, Scaling = Scaling };
    }

    private Dataset? Prepare(Dataset? d) => d is null ? null : Preprocessor is null ? d : Preprocessor.Apply(d);
}

/// <summary>
/// Runs an <see cref="ExperimentPreset"/>: load the data, split it, then <see cref="MlpClassifier"/>'s pipeline (fit the
/// scaling on the training split, build the network, draw the initial weights, train with progress per epoch), and
/// evaluate on every split. A run with other settings is a <c>with</c> copy of the preset
/// (<see cref="ExperimentPreset.WithEpochs"/> and <see cref="ExperimentPreset.WithSeed"/> where one setting touches several).
/// </summary>
public static class Experiment
{
    /// <summary>Prepares and runs <paramref name="preset"/>.</summary>
    /// <exception cref="ArgumentException">The configuration does not fit (e.g. the network vs. the data).</exception>
    /// <exception cref="FileNotFoundException">A data file does not exist.</exception>
    public static ExperimentResult Run(ExperimentPreset preset, Action<EpochRecord>? onEpoch = null, CancellationToken cancellation = default) =>
        Prepare(preset).Run(onEpoch, cancellation);

    /// <summary>Loads and splits the data, chooses and fits the scaling and checks the network against the data, without training.</summary>
    public static PreparedExperiment Prepare(ExperimentPreset preset)
    {
        ArgumentNullException.ThrowIfNull(preset);
        var p = preset;
        p.Validate();
        BuiltinSet source;
        if (p.WeightsAfterData)
        {
            var generated = PlanarData.Generate(p.Data, new NumPyRandom((uint)p.Seed));
            source = new BuiltinSet(generated.Name, generated, null, $"{generated.Name} generated with RandomState({p.Seed}), which then draws the initial weights");
        }
        else source = DataSource.Load(p.Data);
        var train = source.Train;
        Dataset? valid = null;
        var split = p.Split;
        if (split.ValidFile is { } vf) valid = Matching(DataSource.Load(vf).Train, train, "validation");
        else if (split.ValidCount > 0)
        {
            if (split.ValidCount >= train.Count)
                throw new ArgumentException($"A validation set of the last {split.ValidCount} samples leaves nothing to train on: '{train.Name}' has {train.Count}.");
            int n = train.Count - split.ValidCount;
            valid = train.Subset(Enumerable.Range(n, split.ValidCount).ToArray(), train.Name + "-valid");
            train = train.Subset(Enumerable.Range(0, n).ToArray(), train.Name);
        }
        else if (split.ValidFraction > 0)
        {
            int all = train.Count;
            (train, valid) = Splits.Stratified(train, split.ValidFraction, p.Seed);
            if (train.Count == 0 || valid.Count == 0)
                throw new ArgumentException(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                    $"A validation fraction of {split.ValidFraction} of the {all} samples of '{source.Train.Name}' leaves {train.Count} to train on and {valid.Count} to validate."));
        }
        Dataset? test = split.TestFile is { } tf ? Matching(DataSource.Load(tf).Train, train, "test")
            : split.UseBuiltinTest ? source.Test : null;

        if (p.Training.AugmentsImages) p = p with { Training = ImageShift.ForImages(p.Training, train) };
        var scaling = Scalings.Resolve(p.ScalingFor(p.Data), source.Train);   // auto: chosen from the data as loaded
        var classifier = Classifier(p, scaling);
        var spec = classifier.CreateSpec(train);
        _ = spec.ParameterCount;   // a network too large for one parameter array is refused here, before anything is printed or trained
        var preprocessor = Scalings.Fit(scaling, train, p.PixelMax);
        return new PreparedExperiment(p, source, train, valid, test, scaling, preprocessor, spec, classifier);
    }

    /// <summary>The classifier whose pipeline trains <paramref name="p"/>: the preset's network, initial weights (after the
    /// planar data with <see cref="ExperimentPreset.WeightsAfterData"/>), scaling and training options.</summary>
    private static MlpClassifier Classifier(ExperimentPreset p, Scaling scaling) => new()
    {
        HiddenLayers = p.HiddenLayers,
        Hidden = p.HiddenActivation,
        Output = p.OutputActivation,
        Loss = p.Loss,
        Training = p.Training,
        Initializer = p.Initializer,
        Seed = p.Seed,
        Precision = p.Precision,
        Scaling = scaling,
        PixelMax = p.PixelMax,
        WeightsAfterData = p.WeightsAfterData ? p.Data : null,
        SharedRandomStream = p.SharedRandomStream,
        OneVsAll = p.OneVsAll,
    };

    private static Dataset Matching(Dataset other, Dataset train, string role)
    {
        if (other.FeatureCount != train.FeatureCount)
            throw new ArgumentException($"The {role} data '{other.Name}' has {other.FeatureCount} features; the training data '{train.Name}' has {train.FeatureCount}.");
        if (other.Classes > train.Classes)
            throw new ArgumentException($"The {role} data '{other.Name}' has {other.Classes} classes; the training data '{train.Name}' has {train.Classes}.");
        return other;
    }
}
