using Backprop.Data.Builtin;
using Backprop.Evaluation;
using Backprop.Models;
using Backprop.Training;

namespace Backprop.Tests.Engine;

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
    public void Save_and_load_give_identical_predictions(Precision precision)
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
    public void Damaged_or_foreign_files_give_a_clear_error()
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
}
