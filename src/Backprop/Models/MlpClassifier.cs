using Backprop.Data;
using Backprop.Data.Preprocessing;
using Backprop.Initialization;
using Backprop.Layers;
using Backprop.Losses;
using Backprop.Networks;
using Backprop.Numerics;
using Backprop.Training;

namespace Backprop.Models;

/// <summary>How raw features are scaled before training (the fitted scaler is saved with the model).</summary>
public enum Scaling
{
    None,
    /// <summary>Each feature to [0, 1] from the training minimum and maximum.</summary>
    MinMax,
    /// <summary>Each feature to [−1, 1] from the training minimum and maximum.</summary>
    MinMaxSymmetric,
    /// <summary>Zero mean, unit variance from the training statistics.</summary>
    Standardize,
    /// <summary>Pixels 0..255 to [0, 1] (a fixed range, as MNIST notebooks do).</summary>
    Pixels,
    /// <summary>Pixels 0..255 to [−1, 1] (Raschka's <c>((X / 255.) − .5) * 2</c>).</summary>
    PixelsSymmetric,
}

/// <summary>
/// A scikit-learn-style classifier: <c>Fit</c>, <c>Predict</c>, <c>PredictProba</c>, <c>Score</c> and the
/// per-epoch <see cref="History"/>. Configure with properties, then <see cref="Fit"/>; the result is a
/// <see cref="Model"/> (network + preprocessing + class names) ready to save.
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
    public Scaling Scaling { get; init; } = Scaling.MinMax;
    /// <summary>When no validation set is given: the stratified fraction of the training data held out (0 = none).</summary>
    public double ValidationFraction { get; init; }
    /// <summary>Called after each epoch; return false to stop.</summary>
    public Func<EpochRecord, bool>? EpochEnded { get; init; }

    public Model? Model { get; private set; }
    public TrainingHistory History { get; private set; } = new();
    public TrainingResult? Result { get; private set; }

    public MlpClassifier Fit(Dataset train, Dataset? validation = null)
    {
        ArgumentNullException.ThrowIfNull(train);
        if (validation is null && ValidationFraction > 0)
            (train, validation) = Splits.Stratified(train, ValidationFraction, Seed);
        if (validation is not null && validation.FeatureCount != train.FeatureCount)
            throw new ArgumentException($"The validation set has {validation.FeatureCount} features; the training set has {train.FeatureCount}.");
        var pre = Scaling switch
        {
            Scaling.None => null,
            Scaling.MinMax => Preprocessor.FitMinMax(train),
            Scaling.MinMaxSymmetric => Preprocessor.FitMinMax(train, -1, 1),
            Scaling.Standardize => Preprocessor.FitStandardize(train),
            Scaling.Pixels => Preprocessor.MinMaxFixed(train.FeatureCount, 0, 255),
            _ => Preprocessor.MinMaxFixed(train.FeatureCount, 0, 255, -1, 1),
        };
        int outputs = train.Classes == 2 && Output == Activation.Sigmoid ? 1 : train.Classes;
        var spec = NetworkSpec.Create([train.FeatureCount, .. HiddenLayers, outputs], Hidden, Output, Loss);
        Model = Precision == Precision.Float32 ? Train<float>(spec, pre, train, validation) : Train<double>(spec, pre, train, validation);
        return this;
    }

    private Model Train<T>(NetworkSpec spec, Preprocessor? pre, Dataset train, Dataset? validation) where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        var network = new Network<T>(spec);
        (Initializer ?? Initializer.DefaultFor(spec)).Initialize(network, Seed);
        var x = Features<T>(train, pre);
        var vx = validation is null ? null : Features<T>(validation, pre);
        var options = Training.AugmentsImages ? ImageShift.ForImages(Training, train) : Training;
        var trainer = new Trainer<T>(network, options) { EpochEnded = EpochEnded };
        Result = trainer.Fit(x, train.Labels, vx, validation?.Labels);
        History = Result.History;
        var metadata = new Dictionary<string, string>
        {
            ["data"] = train.Name,
            ["training"] = Training.ToString(),
            ["learning_rate_schedule"] = Training.ScheduleText(),
            ["initializer"] = (Initializer ?? Initializer.DefaultFor(spec)).ToString(),
            ["seed"] = Seed.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["epochs"] = Result.Epochs.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["stop"] = Result.StopReason,
        };
        return Models.Model.From(network, pre, train.ClassNames, train.Image, metadata);
    }

    private static Matrix<T> Features<T>(Dataset data, Preprocessor? pre) where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        var values = data.Features;
        if (pre is not null)
        {
            values = new double[data.Features.Length];
            pre.Apply(data.Features, values);
        }
        return Matrix<T>.FromDoubles(data.Count, data.FeatureCount, values);
    }

    private Model Fitted => Model ?? throw new InvalidOperationException("Call Fit before predicting.");
    public int[] Predict(Dataset data) => Fitted.Predict(data);
    public double[] PredictProba(Dataset data) => Fitted.PredictProba(data);
    /// <summary>Accuracy 0..1.</summary>
    public double Score(Dataset data) => Fitted.Score(data);
}
