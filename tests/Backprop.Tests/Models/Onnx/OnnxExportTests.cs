using Xunit.Abstractions;
using Backprop.Data;
using Backprop.Data.Builtin;
using Backprop.Data.Formats.Mat;
using Backprop.Data.Preprocessing;
using Backprop.Experiments;
using Backprop.Layers;
using Backprop.Losses;
using Backprop.Models;
using Backprop.Models.Onnx;
using Backprop.Networks;
using Backprop.Training;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Backprop.Tests.Models.Onnx;

/// <summary>
/// Exported graphs run in ONNX Runtime (an independent implementation of every operator) must give
/// <see cref="Model.PredictProba(Dataset)"/>'s probabilities and exactly <see cref="Model.Predict(Dataset)"/>'s labels.
/// </summary>
public class OnnxExportTests(ITestOutputHelper output)
{
    /// <summary>One exported model and raw inputs to run it on.</summary>
    public sealed record Case(string Name, Model Model, double[] Features, int Count)
    {
        public override string ToString() => Name;
    }

    private static Network<T> Random<T>(NetworkSpec spec, int seed, double gain = 1) where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        var rng = new Random(seed);
        var p = new T[spec.ParameterCount];
        int at = 0;
        for (int l = 0; l < spec.LayerCount; l++)
        {
            int inputs = spec.LayerSizes[l], outputs = spec.LayerSizes[l + 1];
            double scale = gain * Math.Sqrt(3.0 / inputs);
            for (int i = 0; i < outputs * (inputs + 1); i++) p[at++] = T.CreateTruncating((rng.NextDouble() * 2 - 1) * scale);
        }
        return new Network<T>(spec, p);
    }

    private static double[] RandomFeatures(int count, int features, int seed, double lo, double hi)
    {
        var rng = new Random(seed);
        var x = new double[count * features];
        for (int i = 0; i < x.Length; i++) x[i] = lo + (hi - lo) * rng.NextDouble();
        return x;
    }

    public static TheoryData<string> CaseNames => new(Cases.Keys);

    private static readonly Lazy<Dictionary<string, Case>> AllCases = new(BuildCases);
    private static Dictionary<string, Case> Cases => AllCases.Value;

    private static Dictionary<string, Case> BuildCases()
    {
        var list = new List<Case>();

        // ex4: the course's Theta1/Theta2 (400-25-10 sigmoid/sigmoid, float64) on 60 generated 20x20 digits.
        var ex4 = CourseFiles.LoadThetas(MatFile.Read(Fixture.Path("mat", "corpus", "ex4weights.mat")));
        var f = Fixture.Json("engine", "ex4_generated.json");
        list.Add(new Case("ex4 sigmoid/sigmoid float64", Model.From(ex4, classNames: ["1", "2", "3", "4", "5", "6", "7", "8", "9", "0"]),
            f.GetProperty("X").Doubles(), f.GetProperty("m").GetInt32()));

        // ReLU/softmax, two hidden layers, standardized inputs (one constant feature: std 0 taken as 1).
        var x = RandomFeatures(200, 20, 1, -3, 5);
        for (int i = 0; i < 200; i++) x[i * 20 + 7] = 2.5;
        var standardize = Preprocessor.FitStandardize(x, 200, 20);
        list.Add(new Case("relu/softmax standardized float32",
            Model.From(Random<float>(NetworkSpec.Create([20, 16, 8, 5], Activation.Relu, Activation.Softmax), 2), standardize), x, 200));

        // tanh hidden units, softmax output, MinMax to [−1, 1].
        var xt = RandomFeatures(150, 6, 3, 10, 90);
        list.Add(new Case("tanh/softmax minmax float32",
            Model.From(Random<float>(NetworkSpec.Create([6, 10, 4], Activation.Tanh, Activation.Softmax), 4, gain: 2), Preprocessor.FitMinMax(xt, 150, 6, -1, 1)), xt, 150));

        // A single sigmoid output unit: label = probability > 0.5.
        var xs = RandomFeatures(300, 5, 5, -2, 2);
        list.Add(new Case("relu/sigmoid single unit float32",
            Model.From(Random<float>(NetworkSpec.Create([5, 7, 1], Activation.Relu, Activation.Sigmoid), 6, gain: 2), Preprocessor.FitStandardize(xs, 300, 5), ["no", "yes"]), xs, 300));

        // Identity output (squared error) and tanh, no preprocessing, float64.
        var xi = RandomFeatures(100, 4, 7, -1, 1);
        list.Add(new Case("tanh/identity no scaling float64",
            Model.From(Random<double>(NetworkSpec.Create([4, 9, 3], Activation.Tanh, Activation.Identity, Loss.SquaredError), 8)), xi, 100));

        // No hidden layer (multinomial logistic regression): one Gemm, pixels 0..255 to [−1, 1].
        var xl = RandomFeatures(80, 16, 9, 0, 255);
        list.Add(new Case("logistic no hidden layer float32",
            Model.From(Random<float>(NetworkSpec.Create([16, 3], Activation.Relu, Activation.Softmax), 10, gain: 3), Preprocessor.MinMaxFixed(16, 0, 255, -1, 1)), xl, 80));

        // A trained model with pixel scaling: MNIST 784-32-10 ReLU/softmax, one epoch on 6000 images, run on 1000 test images.
        var mnist = BuiltinData.Load("mnist");
        var train = Slice(mnist.Train, 6000);
        var clf = new MlpClassifier
        {
            HiddenLayers = [32], Hidden = Activation.Relu, Output = Activation.Softmax, Scaling = Scaling.Pixels, Seed = 1,
            Training = new TrainingOptions { Optimizer = OptimizerKind.Adam, Epochs = 1, BatchSize = 100, LearningRate = 0.003 },
        }.Fit(train);
        var test = Slice(mnist.Test!, 1000);
        list.Add(new Case("mnist pixels relu/softmax float32 (trained)", clf.Model!, test.Features.ToArray(), test.Count));

        return list.ToDictionary(c => c.Name);
    }

    private static Dataset Slice(Dataset d, int count) =>
        new(d.Name, d.Features.AsSpan(0, count * d.FeatureCount).ToArray(), count, d.FeatureCount, d.Labels.AsSpan(0, count).ToArray(), d.Classes, d.ClassNames, d.Image);

    private static SessionOptions OneThread() => new() { IntraOpNumThreads = 1, InterOpNumThreads = 1 };

    /// <summary>Runs the ONNX bytes in ONNX Runtime: probabilities (as double) and labels.</summary>
    internal static (double[] Probabilities, long[] Labels, InferenceSession Session) Run(byte[] onnx, double[] features, int count, int inputs, OnnxElementType type)
    {
        var session = new InferenceSession(onnx, OneThread());
        NamedOnnxValue input = type == OnnxElementType.Float32
            ? NamedOnnxValue.CreateFromTensor(OnnxExport.InputName, new DenseTensor<float>(features.Select(v => (float)v).ToArray(), [count, inputs]))
            : NamedOnnxValue.CreateFromTensor(OnnxExport.InputName, new DenseTensor<double>(features.ToArray(), [count, inputs]));
        using var results = session.Run([input]);
        var probs = results.Single(r => r.Name == OnnxExport.ProbabilitiesName);
        double[] p = type == OnnxElementType.Float32 ? probs.AsEnumerable<float>().Select(v => (double)v).ToArray() : probs.AsEnumerable<double>().ToArray();
        var labels = results.Single(r => r.Name == OnnxExport.LabelName).AsTensor<long>();
        Assert.Equal([count], labels.Dimensions.ToArray());
        return (p, labels.ToArray(), session);
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void OnnxRuntimeMatchesPredictProbaAndPredict(string name)
    {
        var c = Cases[name];
        var (bytes, info) = OnnxExport.Export(c.Model);
        var (probabilities, labels, session) = Run(bytes, c.Features, c.Count, c.Model.Spec.Inputs, OnnxElementType.Float32);
        using (session)
        {
            var expected = c.Model.PredictProba(c.Features, c.Count);
            Assert.Equal(expected.Length, probabilities.Length);
            double worst = 0;
            for (int i = 0; i < expected.Length; i++) worst = Math.Max(worst, Math.Abs(expected[i] - probabilities[i]));
            output.WriteLine($"{name}: max |ORT − PredictProba| = {worst:E3}, {info.Bytes} bytes, {string.Join(" ", info.Operators)}");
            Assert.True(worst <= 1e-5, $"{name}: max |ORT − PredictProba| = {worst:E3} > 1e-5");
            Assert.Equal(c.Model.Predict(c.Features, c.Count).Select(l => (long)l).ToArray(), labels);

            // What a consumer reads off the file.
            Assert.Equal(bytes.Length, info.Bytes);
            Assert.Equal("Backprop", session.ModelMetadata.ProducerName);
            Assert.Equal(1, session.ModelMetadata.Version);
            var classes = System.Text.Json.JsonSerializer.Deserialize<string[]>(session.ModelMetadata.CustomMetadataMap[OnnxExport.ClassesKey]);
            Assert.Equal(c.Model.ClassNames, classes);
            Assert.Equal(c.Model.Spec.ToString(), session.ModelMetadata.CustomMetadataMap["network"]);
            var input = session.InputMetadata[OnnxExport.InputName];
            Assert.Equal([-1, c.Model.Spec.Inputs], input.Dimensions);
            Assert.Equal(typeof(float), input.ElementType);
            Assert.Equal([-1, c.Model.Spec.Outputs], session.OutputMetadata[OnnxExport.ProbabilitiesName].Dimensions);
            Assert.Equal(typeof(long), session.OutputMetadata[OnnxExport.LabelName].ElementType);
        }
    }

    [Fact]
    public void TrainedMnistModelLabelsGiveItsAccuracy()
    {
        var c = Cases["mnist pixels relu/softmax float32 (trained)"];
        var (bytes, _) = OnnxExport.Export(c.Model);
        var (_, labels, session) = Run(bytes, c.Features, c.Count, 784, OnnxElementType.Float32);
        session.Dispose();
        var truth = Slice(BuiltinData.Load("mnist").Test!, 1000).Labels;
        double accuracy = labels.Zip(truth).Count(p => p.First == p.Second) / 1000.0;
        Assert.True(accuracy > 0.85, $"accuracy {accuracy:P2} of the exported one-epoch model");
        Assert.Equal(["Mul", "Add", "Gemm", "Relu", "Gemm", "Softmax", "ArgMax"], OnnxExport.Export(c.Model).Info.Operators);
    }

    [Theory]
    [InlineData("ex4 sigmoid/sigmoid float64")]
    [InlineData("tanh/identity no scaling float64")]
    [InlineData("relu/softmax standardized float32")]
    public void Float64ExportMatchesToDoublePrecision(string name)
    {
        var c = Cases[name];
        var (bytes, info) = OnnxExport.Export(c.Model, new OnnxExportOptions { ElementType = OnnxElementType.Float64 });
        Assert.Equal(OnnxElementType.Float64, info.ElementType);
        var (probabilities, labels, session) = Run(bytes, c.Features, c.Count, c.Model.Spec.Inputs, OnnxElementType.Float64);
        using (session)
        {
            Assert.Equal(typeof(double), session.InputMetadata[OnnxExport.InputName].ElementType);
            var expected = c.Model.PredictProba(c.Features, c.Count);
            // A float32 model's own arithmetic is float32: compare at its precision; float64 models agree to rounding.
            double tolerance = c.Model.Precision == Precision.Float64 ? 1e-12 : 1e-5;
            output.WriteLine($"{name} (float64 graph): max |ORT − PredictProba| = {expected.Zip(probabilities).Max(p => Math.Abs(p.First - p.Second)):E3}");
            for (int i = 0; i < expected.Length; i++)
                Assert.True(Math.Abs(expected[i] - probabilities[i]) <= tolerance, $"{name}[{i}]: {expected[i]:R} vs {probabilities[i]:R}");
            Assert.Equal(c.Model.Predict(c.Features, c.Count).Select(l => (long)l).ToArray(), labels);
        }
    }

    [Fact]
    public void SingleUnitLabelsFollowTheHalfThresholdOnBothSides()
    {
        var c = Cases["relu/sigmoid single unit float32"];
        var (bytes, info) = OnnxExport.Export(c.Model);
        Assert.Equal(["Sub", "Div", "Gemm", "Relu", "Gemm", "Sigmoid", "Greater", "Cast", "Squeeze"], info.Operators);
        var (probabilities, labels, session) = Run(bytes, c.Features, c.Count, 5, OnnxElementType.Float32);
        session.Dispose();
        Assert.Contains(0L, labels);
        Assert.Contains(1L, labels);
        for (int i = 0; i < labels.Length; i++) Assert.Equal(probabilities[i] > 0.5 ? 1L : 0L, labels[i]);
    }

    [Fact]
    public void ExportIsDeterministicAndSaveWritesTheSameBytes()
    {
        var c = Cases["tanh/softmax minmax float32"];
        var a = OnnxExport.Export(c.Model).Bytes;
        var b = OnnxExport.Export(c.Model).Bytes;
        Assert.Equal(a, b);
        using var dir = new Cli.TempDir();
        string path = dir.File("sub/model.onnx");
        var info = c.Model.SaveOnnx(path);
        Assert.Equal(a, File.ReadAllBytes(path));
        Assert.Equal(a.Length, info.Bytes);
        Assert.Single(Directory.GetFiles(Path.GetDirectoryName(path)!));   // no temporary file left behind
    }

    [Fact]
    public void NonFiniteParametersAreRefusedNamingTheTensor()
    {
        var network = Random<double>(NetworkSpec.Create([3, 4, 2], Activation.Relu, Activation.Softmax), 9);
        network.Layers[1].Weights[1, 2] = double.NaN;
        var e = Assert.Throws<InvalidDataException>(() => OnnxExport.Export(Model.From(network)));
        Assert.Contains("layer2.weight[6]", e.Message);
        Assert.Contains("not finite", e.Message);
    }

    [Fact]
    public void Float64ValuesBeyondFloat32AreRefusedUnlessExportedAsFloat64()
    {
        var network = Random<double>(NetworkSpec.Create([3, 4, 2], Activation.Relu, Activation.Softmax), 9);
        network.Layers[0].Bias.Span[3] = 1e39;
        var model = Model.From(network);
        var e = Assert.Throws<InvalidDataException>(() => OnnxExport.Export(model));
        Assert.Contains("layer1.bias[3]", e.Message);
        Assert.Contains("overflows float32", e.Message);
        Assert.Equal(OnnxElementType.Float64, OnnxExport.Export(model, new OnnxExportOptions { ElementType = OnnxElementType.Float64 }).Info.ElementType);
    }

    [Fact]
    public void MetadataCarriesClassesPreprocessingImageAndTheModelsOwnFacts()
    {
        var c = Cases["mnist pixels relu/softmax float32 (trained)"];
        var meta = OnnxExport.Export(c.Model).Info.Metadata.ToDictionary(kv => kv.Key, kv => kv.Value);
        Assert.Equal("[\"0\",\"1\",\"2\",\"3\",\"4\",\"5\",\"6\",\"7\",\"8\",\"9\"]", meta["classes"]);
        Assert.StartsWith("MinMax to [0, 1]", meta["preprocessing"]);
        Assert.Equal("28x28x1 row-major", meta["image"]);
        Assert.Equal("argmax of probabilities", meta["label_rule"]);
        foreach (var (key, value) in c.Model.Metadata) Assert.Equal(value, meta["metadata." + key]);
    }
}
