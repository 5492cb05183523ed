using Backprop.Data.Builtin;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Backprop.Evaluation;
using Backprop.Models;
using Backprop.Networks;
using Backprop.Training;

namespace Backprop.Tests.Models;

public class ModelFileTests
{
    private static MlpClassifier Trained(Precision precision) => new MlpClassifier
    {
        HiddenLayers = [12], Precision = precision, Scaling = Scaling.Standardize, Seed = 5,
        Training = new TrainingOptions { Epochs = 3, LearningRate = 0.01 },
    }.Fit(BuiltinData.Load("digits").Train);

    [Theory]
    [InlineData(Precision.Float32)]
    [InlineData(Precision.Float64)]
    public void SaveAndLoadGiveIdenticalPredictions(Precision precision)
    {
        var clf = Trained(precision);
        var data = BuiltinData.Load("digits").Train;
        var path = Path.Combine(Path.GetTempPath(), $"backprop-model-{Guid.NewGuid():N}.json");
        try
        {
            clf.Model!.Save(path);
            var loaded = Model.Load(path);
            Assert.Equal(clf.Model.Spec, loaded.Spec);
            Assert.Equal(precision, loaded.Precision);
            Assert.Equal(clf.Model.ParametersAsDoubles(), loaded.ParametersAsDoubles());
            Assert.Equal(clf.PredictProba(data), loaded.PredictProba(data));
            Assert.Equal(clf.Model.ClassNames, loaded.ClassNames);
            Assert.Equal(PreprocessorKindOf(clf.Model), PreprocessorKindOf(loaded));
            Assert.Equal(clf.Score(data), Metrics.Accuracy(loaded.Predict(data), data.Labels));
            Assert.Empty(Directory.GetFiles(Path.GetTempPath(), $".{Path.GetFileName(path)}*.tmp"));
        }
        finally { File.Delete(path); }
    }

    private static string? PreprocessorKindOf(Model m) => m.Preprocessor?.ToJson();

    [Fact]
    public void DamagedOrForeignFilesGiveAClearError()
    {
        var clf = Trained(Precision.Float32);
        var path = Path.Combine(Path.GetTempPath(), $"backprop-model-{Guid.NewGuid():N}.json");
        try
        {
            clf.Model!.Save(path);
            var text = File.ReadAllText(path);
            int b64 = text.IndexOf("\"base64\": \"", StringComparison.Ordinal) + 12;
            File.WriteAllText(path, text[..b64] + (text[b64] == 'A' ? 'B' : 'A') + text[(b64 + 1)..]);
            Assert.Contains("damaged", Assert.Throws<InvalidDataException>(() => Model.Load(path)).Message);
            File.WriteAllText(path, text.Replace("\"version\": 1", "\"version\": 7"));
            Assert.Contains("version 7", Assert.Throws<InvalidDataException>(() => Model.Load(path)).Message);
            File.WriteAllText(path, text[..(text.Length / 2)]);
            Assert.Contains(Path.GetFileName(path), Assert.Throws<InvalidDataException>(() => Model.Load(path)).Message);
            File.WriteAllText(path, "{\"hello\": 1}");
            Assert.Contains("not a Backprop model", Assert.Throws<InvalidDataException>(() => Model.Load(path)).Message);
        }
        finally { File.Delete(path); }
    }

    /// <summary>Saves a trained float32 model, lets <paramref name="edit"/> change its JSON, and loads it back.</summary>
    private static Model LoadEdited(Action<JsonObject> edit, out string name)
    {
        var path = Path.Combine(Path.GetTempPath(), $"backprop-model-{Guid.NewGuid():N}.json");
        name = Path.GetFileName(path);
        try
        {
            Trained(Precision.Float32).Model!.Save(path);
            var root = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
            edit(root);
            File.WriteAllText(path, root.ToJsonString());
            return Model.Load(path);
        }
        finally { File.Delete(path); }
    }

    /// <summary>Replaces parameter <paramref name="index"/> (float32) and records the new bytes' SHA-256, as a careful forger would.</summary>
    private static void SetParameter(JsonObject root, int index, float value)
    {
        var p = root["parameters"]!.AsObject();
        var bytes = System.Convert.FromBase64String((string)p["base64"]!);
        BitConverter.TryWriteBytes(bytes.AsSpan(4 * index), value);
        p["base64"] = System.Convert.ToBase64String(bytes);
        p["sha256"] = System.Convert.ToHexStringLower(SHA256.HashData(bytes));
    }

    [Theory]
    [InlineData(float.NaN)]
    [InlineData(float.PositiveInfinity)]
    public void NaNOrInfiniteWeightIsRefusedAtLoadNamingTheFile(float value)
    {
        string name = "";
        var e = Assert.Throws<InvalidDataException>(() => LoadEdited(root => { SetParameter(root, 7, value); root.Remove("sha256"); }, out name));
        Assert.Equal($"{name}: parameter 7 (layer1.weight[7]) is NaN or infinite (a diverged or damaged model); refusing to load it.", e.Message);
    }

    [Fact]
    public void TheFileHashCoversTheScalerTheClassesAndTheParameters()
    {
        string name = "";
        // The parameters' own hash still matches: only the whole-model hash sees these edits.
        var e = Assert.Throws<InvalidDataException>(() => LoadEdited(root => root["preprocessing"]!["mean"]![3] = 1.5, out name));
        Assert.StartsWith($"{name}: the model is damaged or was edited", e.Message);
        e = Assert.Throws<InvalidDataException>(() => LoadEdited(root => root["classes"]![0] = "nought", out name));
        Assert.StartsWith($"{name}: the model is damaged or was edited", e.Message);
        e = Assert.Throws<InvalidDataException>(() => LoadEdited(root => SetParameter(root, 0, 0.25f), out name));
        Assert.StartsWith($"{name}: the model is damaged or was edited", e.Message);
    }

    [Fact]
    public void FilesWrittenBeforeTheWholeModelHashStillLoad()
    {
        var original = Trained(Precision.Float32).Model!;
        var loaded = LoadEdited(root => Assert.True(root.Remove("sha256")), out _);
        Assert.Equal(original.ParametersAsDoubles(), loaded.ParametersAsDoubles());
        Assert.Equal(original.Preprocessor!.ToJson(), loaded.Preprocessor!.ToJson());
    }

    [Fact]
    public void MissingOrNullClassNamesAreRefusedNamingTheFile()
    {
        string name = "";
        var e = Assert.Throws<InvalidDataException>(() => LoadEdited(root => root["classes"] = null, out name));
        Assert.Equal($"{name}: not a valid Backprop model: missing \"classes\" (an array)", e.Message);
        e = Assert.Throws<InvalidDataException>(() => LoadEdited(root => root["classes"]![2] = null, out name));
        Assert.Equal($"{name}: not a valid Backprop model: \"classes\" must hold one string per class", e.Message);
    }

    [Fact]
    public void ModelsBeyondWhatAFileHoldsAreNamedBeforeAnyAllocation()
    {
        // 784-39000-10: 31,005,010 parameters, within the float32 limit (31,249,999), beyond the float64 one (15,624,999).
        var spec = NetworkSpec.Create([784, 39000, 10]);
        Assert.Null(ModelFile.TooLarge(spec, Precision.Float32));
        Assert.Equal("the network 784-39000-10 sigmoid/sigmoid cross-entropy has 31,005,010 float64 parameters; a model file holds at most 15,624,999 float64 parameters: use fewer units",
            ModelFile.TooLarge(spec, Precision.Float64)?.Replace(spec.ToString(), "784-39000-10 sigmoid/sigmoid cross-entropy"));
        Assert.NotNull(ModelFile.TooLarge(NetworkSpec.Create([784, 40000, 10]), Precision.Float32));
    }
}
