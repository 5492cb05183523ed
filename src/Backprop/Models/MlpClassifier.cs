using Backprop.Data;
using Backprop.Data.Builtin;
using Backprop.Data.Preprocessing;
using Backprop.Initialization;
using Backprop.Layers;
using Backprop.Losses;
using Backprop.Networks;
using Backprop.Numerics;
using Backprop.Training;

namespace Backprop.Models;

/// <summary>
/// A scikit-learn-style classifier: <c>Fit</c>, <c>Predict</c>, <c>PredictProba</c>, <c>Score</c> and the
/// per-epoch <see cref="History"/>. Configure with properties, then <see cref="Fit"/>; the result is a
/// <see cref="Model"/> (network + preprocessing + class names) ready to save.
/// <para>Its pipeline is the one every training run takes (<see cref="Experiments.Experiment"/> runs presets through it):
/// data → validation split → scaling fitted on the training split (<see cref="Scalings.Fit"/>) → network
/// (<see cref="CreateSpec"/>) → initial weights (<see cref="CreateNetwork{T}"/>) → <see cref="Trainer{T}"/>
/// (<see cref="CreateTrainer{T}"/>). A caller that drives training itself (the web playground) takes the last two.</para>
/// </summary>
public sealed class MlpClassifier
{
    /// <summary>Hidden layer sizes, e.g. [100]; empty for logistic regression.</summary>
    public int[] HiddenLayers { get; init; } = [100];
    public Activation Hidden { get; init; } = Activation.Relu;
    public Activation Output { get; init; } = Activation.Softmax;
    public Loss? Loss { get; init; }
    public TrainingOptions Training { get; init; } = new();
    /// <summary>null: He for ReLU networks, Glorot otherwise.</summary>
    public Initializer? Initializer { get; init; }
    /// <summary>Seeds the initial weights (training's shuffling has its own seed in <see cref="Training"/>).</summary>
    public int Seed { get; init; }
    public Precision Precision { get; init; } = Precision.Float32;
    /// <summary>The scaling fitted on the training split; <see cref="Scaling.Auto"/> chooses it from the training data given to <see cref="Fit"/>.</summary>
    public Scaling Scaling { get; init; } = Scaling.MinMax;
    /// <summary>The largest raw pixel value for <see cref="Scaling.Pixels"/> and <see cref="Scaling.PixelsSymmetric"/>.</summary>
    public double PixelMax { get; init; } = 255;
    /// <summary>When no validation set is given: the stratified fraction of the training data held out (0 = none).</summary>
    public double ValidationFraction { get; init; }
    /// <summary>Called after each epoch; return false to stop.</summary>
    public Func<EpochRecord, bool>? EpochEnded { get; init; }

    /// <summary>
    /// Null: the initial weights come from a fresh <c>RandomState(Seed)</c>. "flower" or "spiral": that generator first makes
    /// this planar set (<see cref="PlanarData.Generate"/>), then draws the weights — a notebook that seeds once at the top.
    /// </summary>
    public string? WeightsAfterData { get; init; }
    /// <summary>The mini-batch shuffles continue the generator that drew the initial weights (one stream, as Raschka's
    /// <c>self.random</c>); false: they use <c>RandomState(Training.Seed)</c>.</summary>
    public bool SharedRandomStream { get; init; }
    /// <summary>Train as K one-vs-all logistic regressions (<see cref="Training.OneVsAll"/>) instead of one network.</summary>
    internal bool OneVsAll { get; init; }

    public Model? Model { get; private set; }
    public TrainingHistory History { get; private set; } = new();
    public TrainingResult? Result { get; private set; }

    public MlpClassifier Fit(Dataset train, Dataset? validation = null)
    {
        ArgumentNullException.ThrowIfNull(train);
        var scaling = Scalings.Resolve(Scaling, train);   // chosen from all the data given, before any split
        if (validation is null && ValidationFraction > 0)
            (train, validation) = Splits.Stratified(train, ValidationFraction, Seed);
        if (validation is not null && validation.FeatureCount != train.FeatureCount)
            throw new ArgumentException($"The validation set has {validation.FeatureCount} features; the training set has {train.FeatureCount}.");
        var pre = Scalings.Fit(scaling, train, PixelMax);
        var spec = CreateSpec(train);
        var scaledValid = validation is null ? null : pre?.Apply(validation) ?? validation;
        Model = Precision == Precision.Float32 ? Build<float>(spec, pre, train, scaledValid) : Build<double>(spec, pre, train, scaledValid);
        return this;
    }

    private Model Build<T>(NetworkSpec spec, Preprocessor? pre, Dataset train, Dataset? scaledValid) where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        var (network, result) = Train<T>(spec, pre?.Apply(train) ?? train, scaledValid, EpochEnded);
        var metadata = new Dictionary<string, string>
        {
            ["data"] = train.Name,
            ["training"] = Training.ToString(),
            ["learning_rate_schedule"] = Training.ScheduleText(),
            ["initializer"] = InitializerFor(spec).ToString(),
            ["seed"] = Seed.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["epochs"] = result.Epochs.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["stop"] = result.StopReason,
        };
        return Models.Model.From(network, pre, train.ClassNames, train.Image, metadata);
    }

    /// <summary>The network for <paramref name="train"/>: its features in, <see cref="HiddenLayers"/>, one output per class
    /// (one sigmoid unit for two classes with a sigmoid output, as scikit-learn does).</summary>
    public NetworkSpec CreateSpec(Dataset train)
    {
        ArgumentNullException.ThrowIfNull(train);
        return NetworkSpec.Create(LayerSizes(train.FeatureCount, HiddenLayers, train.Classes, Output), Hidden, Output, Loss);
    }

    /// <summary>Input, hidden and output sizes for <paramref name="classes"/> classes (one unit for two classes with sigmoid outputs).</summary>
    public static int[] LayerSizes(int features, IReadOnlyList<int> hidden, int classes, Activation output) =>
        [features, .. hidden, classes == 2 && output == Activation.Sigmoid ? 1 : classes];

    /// <summary>The initializer of the weights of <paramref name="spec"/>: <see cref="Initializer"/>, or the default for its activations.</summary>
    public Initializer InitializerFor(NetworkSpec spec) => Initializer ?? Initializer.DefaultFor(spec);

    /// <summary>A network of <paramref name="spec"/> with its initial weights: <see cref="InitializerFor"/> drawing from
    /// <c>RandomState(Seed)</c>, after <see cref="WeightsAfterData"/>'s data when set.</summary>
    public Network<T> CreateNetwork<T>(NetworkSpec spec) where T : unmanaged, System.Numerics.IFloatingPointIeee754<T> => InitialNetwork<T>(spec, out _);

    private Network<T> InitialNetwork<T>(NetworkSpec spec, out NumPyRandom random) where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(spec);
        var network = new Network<T>(spec);
        random = new NumPyRandom((uint)Seed);
        if (WeightsAfterData is { } data) PlanarData.Generate(data, random);
        InitializerFor(spec).Initialize(network, random);
        return network;
    }

    /// <summary>
    /// The trainer of a new <see cref="CreateNetwork{T}"/> network (its <see cref="Trainer{T}.Network"/>) with
    /// <see cref="Training"/> (the image size taken from <paramref name="train"/> for augmentation); with
    /// <see cref="SharedRandomStream"/> its shuffles continue the weights' generator. Set its callbacks, then <c>Fit</c>.
    /// </summary>
    public Trainer<T> CreateTrainer<T>(NetworkSpec spec, Dataset train) where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(train);
        var network = InitialNetwork<T>(spec, out var random);
        return new Trainer<T>(network, OptionsFor(train)) { Random = SharedRandomStream ? random : null };
    }

    private TrainingOptions OptionsFor(Dataset train) => Training.AugmentsImages ? ImageShift.ForImages(Training, train) : Training;

    /// <summary>
    /// The pipeline's last steps on data already scaled: <see cref="CreateTrainer{T}"/> and its <c>Fit</c> (or, for
    /// <see cref="OneVsAll"/>, <see cref="CreateNetwork{T}"/> and one-vs-all). Sets <see cref="Result"/> and <see cref="History"/>.
    /// </summary>
    internal (Network<T> Network, TrainingResult Result) Train<T>(NetworkSpec spec, Dataset train, Dataset? validation,
        Func<EpochRecord, bool>? epochEnded, CancellationToken cancellation = default,
        Action<TrainingCheckpoint>? checkpoint = null, TrainingCheckpoint? resume = null, int checkpointEvery = 1, Matrix<T>? features = null)
        where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        var x = features ?? train.FeaturesAs<T>();   // the caller's copy when it has one (a second copy of MNIST costs ~170 MB)
        Network<T> network;
        if (OneVsAll)
        {
            network = CreateNetwork<T>(spec);
            Result = Backprop.Training.OneVsAll.Fit(network, x, train.Labels, OptionsFor(train), (_, e) => epochEnded?.Invoke(e) ?? true, cancellation);
        }
        else
        {
            var trainer = CreateTrainer<T>(spec, train);
            trainer.EpochEnded = epochEnded;
            trainer.Cancellation = cancellation;
            trainer.CheckpointReady = checkpoint;
            trainer.CheckpointEvery = checkpointEvery;
            trainer.ResumeFrom = resume;
            network = trainer.Network;
            Result = trainer.Fit(x, train.Labels, validation?.FeaturesAs<T>(), validation?.Labels);
        }
        History = Result.History;
        return (network, Result);
    }

    private Model Fitted => Model ?? throw new InvalidOperationException("Call Fit before predicting.");
    public int[] Predict(Dataset data) => Fitted.Predict(data);
    public double[] PredictProba(Dataset data) => Fitted.PredictProba(data);
    /// <summary>Accuracy 0..1.</summary>
    public double Score(Dataset data) => Fitted.Score(data);
}
