using System.Numerics;
using Backprop.Data;
using Backprop.Data.Preprocessing;
using Backprop.Evaluation;
using Backprop.Networks;
using Backprop.Numerics;

namespace Backprop.Models;

/// <summary>What a model scores on labelled data (<see cref="Model.Evaluate"/>).</summary>
/// <param name="Cost">The mean cost with L2 strength <paramref name="Lambda"/> (ex4's nnCostFunction for sigmoid outputs),
/// in float64 (a float32 model's weights widen exactly).</param>
/// <param name="Accuracy">The fraction of samples predicted right, 0..1.</param>
/// <param name="Predictions">The predicted class index of each sample (see <see cref="Model.ClassNames"/>).</param>
/// <param name="Labels">The data's class index of each sample.</param>
public sealed record ModelEvaluation(double Cost, double Accuracy, int Samples, double Lambda, int Classes, int[] Predictions, int[] Labels)
{
    /// <summary>[actual, predicted] counts (<see cref="Metrics.ConfusionMatrix"/>).</summary>
    public int[,] ConfusionMatrix() => Metrics.ConfusionMatrix(Predictions, Labels, Classes);

    /// <summary>Of the samples of class <paramref name="k"/>, the fraction predicted <paramref name="k"/> (its recall); null when the data has none.</summary>
    public double? ClassAccuracy(int k)
    {
        if ((uint)k >= (uint)Classes) throw new ArgumentOutOfRangeException(nameof(k), $"Classes are 0..{Classes - 1}, got {k}.");
        int samples = 0, right = 0;
        for (int i = 0; i < Labels.Length; i++)
            if (Labels[i] == k)
            {
                samples++;
                if (Predictions[i] == k) right++;
            }
        return samples == 0 ? null : (double)right / samples;
    }
}

/// <summary>
/// A trained classifier as users keep it: the network (architecture, activations, weights in float32 or
/// float64), the preprocessing its inputs need, the class names of its output units and, for images,
/// their shape. Prediction takes raw features and applies the preprocessing, so it sees what training saw.
/// Saved and loaded with <see cref="ModelFile"/>.
/// </summary>
public sealed class Model
{
    private readonly Network<float>? single;
    private readonly Network<double>? dbl;

    private Model(Network<float>? single, Network<double>? dbl, Preprocessor? preprocessor, IReadOnlyList<string> classNames, ImageShape? image, IReadOnlyDictionary<string, string>? metadata)
    {
        this.single = single;
        this.dbl = dbl;
        Spec = single?.Spec ?? dbl!.Spec;
        if (preprocessor is not null && preprocessor.FeatureCount != Spec.Inputs)
            throw new ArgumentException($"The preprocessing expects {preprocessor.FeatureCount} features; the network takes {Spec.Inputs}.");
        int classes = Spec.Outputs == 1 ? 2 : Spec.Outputs;
        if (classNames.Any(c => c is null)) throw new ArgumentException("A class name is null; give one string per class.");
        if (classNames.Count != classes)
            throw new ArgumentException($"The network has {Spec.Outputs} output unit(s) for {classes} classes; {classNames.Count} class names were given.");
        Preprocessor = preprocessor;
        ClassNames = classNames.ToArray();
        Image = image;
        Metadata = metadata ?? new Dictionary<string, string>();
    }

    /// <summary>Wraps a trained network (not copied).</summary>
    public static Model From<T>(Network<T> network, Preprocessor? preprocessor = null, IReadOnlyList<string>? classNames = null,
        ImageShape? image = null, IReadOnlyDictionary<string, string>? metadata = null) where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(network);
        int classes = network.Spec.Outputs == 1 ? 2 : network.Spec.Outputs;
        classNames ??= Enumerable.Range(0, classes).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        return network switch
        {
            Network<float> f => new Model(f, null, preprocessor, classNames, image, metadata),
            Network<double> d => new Model(null, d, preprocessor, classNames, image, metadata),
            _ => throw new NotSupportedException($"Models hold float or double networks, not {typeof(T).Name}."),
        };
    }

    /// <summary>Writes the model file atomically (see <see cref="ModelFile"/>).</summary>
    public void Save(string path) => ModelFile.Save(this, path);
    public static Model Load(string path) => ModelFile.Load(path);

    /// <summary>Writes the model as an ONNX graph (raw features in, probabilities and label out), atomically; see <see cref="Onnx.OnnxExport"/>.</summary>
    public Onnx.OnnxExportInfo SaveOnnx(string path, Onnx.OnnxExportOptions? options = null) => Onnx.OnnxExport.Save(this, path, options);

    public NetworkSpec Spec { get; }
    public Precision Precision => single is not null ? Precision.Float32 : Precision.Float64;
    public Preprocessor? Preprocessor { get; }
    /// <summary>Name of the class of each output unit, e.g. "0".."9".</summary>
    public IReadOnlyList<string> ClassNames { get; }
    public ImageShape? Image { get; }
    /// <summary>Free-form facts about how the model was made (data, options, accuracy), saved with it.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>The flat parameter vector as float64 (W row-major, then b, layer by layer).</summary>
    public double[] ParametersAsDoubles()
    {
        var result = new double[Spec.ParameterCount];
        if (single is not null) Numerics.Convert.Copy<float, double>(single.Parameters, result);
        else dbl!.Parameters.CopyTo(result, 0);
        return result;
    }

    /// <summary>The network in its own precision; throws when <typeparamref name="T"/> is the other one.</summary>
    public Network<T> Network<T>() where T : unmanaged, IFloatingPointIeee754<T> =>
        (single as Network<T>) ?? (dbl as Network<T>) ?? throw new InvalidOperationException($"This model is {Precision}; ask for Network<{(single is not null ? "float" : "double")}>.");

    /// <summary>Class probabilities (the output activations) for raw samples: [count, outputs] row-major.</summary>
    public double[] PredictProba(ReadOnlySpan<double> features, int count)
    {
        var prepared = Prepare(features, count);
        return single is not null ? Run(single, prepared, count) : Run(dbl!, prepared, count);
    }

    /// <summary>Predicted class indices (0-based; see <see cref="ClassNames"/>) for raw samples.</summary>
    public int[] Predict(ReadOnlySpan<double> features, int count)
    {
        var prepared = Prepare(features, count);
        return single is not null ? single.Predict(Matrix<float>.FromDoubles(count, Spec.Inputs, prepared))
            : dbl!.Predict(Matrix<double>.FromDoubles(count, Spec.Inputs, prepared));
    }

    public int[] Predict(Dataset data)
    {
        ArgumentNullException.ThrowIfNull(data);
        CheckFeatures(data.FeatureCount, data.Name);
        return Predict(data.Features, data.Count);
    }

    public double[] PredictProba(Dataset data)
    {
        ArgumentNullException.ThrowIfNull(data);
        CheckFeatures(data.FeatureCount, data.Name);
        return PredictProba(data.Features, data.Count);
    }

    /// <summary>Accuracy (0..1) on labelled data.</summary>
    public double Score(Dataset data) => Metrics.Accuracy(Predict(data), data.Labels);

    /// <summary>
    /// The cost (with L2 strength <paramref name="lambda"/>, in the ex4 convention λ/2m·Σw²) and the accuracy on labelled
    /// raw data, the preprocessing applied — ex4's nnCostFunction and predict.m. Everything runs in float64: a float32
    /// model is widened exactly first, so the figures do not depend on how it was stored.
    /// </summary>
    public ModelEvaluation Evaluate(Dataset data, double lambda = 0)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (!(lambda >= 0) || !double.IsFinite(lambda)) throw new ArgumentOutOfRangeException(nameof(lambda), lambda, "λ must be a number ≥ 0.");
        CheckFeatures(data.FeatureCount, data.Name);
        var network = dbl ?? single!.Convert<double>();
        var x = Matrix<double>.FromDoubles(data.Count, Spec.Inputs, Prepare(data.Features, data.Count));
        int classes = Math.Max(Spec.Outputs, 2);
        var targets = Targets.OneHot<double>(data.Labels, classes, Spec.Outputs);
        double cost = network.Cost(x, targets, lambda);
        var predicted = network.Predict(x);
        return new ModelEvaluation(cost, Metrics.Accuracy(predicted, data.Labels), data.Count, lambda, classes, predicted, data.Labels);
    }

    private void CheckFeatures(int features, string name)
    {
        if (features != Spec.Inputs)
            throw new ArgumentException($"'{name}' has {features} features per sample; the model ({Spec}) takes {Spec.Inputs}.");
    }

    private double[] Prepare(ReadOnlySpan<double> features, int count)
    {
        if (count < 0 || features.Length != (long)count * Spec.Inputs)
            throw new ArgumentException($"Expected {count} samples x {Spec.Inputs} features = {(long)count * Spec.Inputs} values, got {features.Length}.");
        var prepared = features.ToArray();
        Preprocessor?.Apply(prepared, prepared);
        return prepared;
    }

    private double[] Run<T>(Network<T> network, double[] prepared, int count) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var output = network.PredictProba(Matrix<T>.FromDoubles(count, Spec.Inputs, prepared));
        return output.ToDoubles();
    }
}
