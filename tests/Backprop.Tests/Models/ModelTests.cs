using Backprop.Data;
using Backprop.Data.Builtin;
using Backprop.Data.Formats.Mat;
using Backprop.Data.Preprocessing;
using Backprop.Experiments;
using Backprop.Models;

namespace Backprop.Tests.Models;

public class ModelTests
{
    /// <summary>ex4data1 with the course's labels as output units: label k (10 = the digit 0) ↔ unit k, class index k − 1.</summary>
    private static readonly Lazy<Dataset> Ex4Data1 = new(() =>
    {
        var (x, y) = Ex4Data.Build(BuiltinData.FindDataDirectory());
        var labels = LabelMapping.ToIndices(y, LabelConvention.OneBased, out var names);
        return new Dataset("ex4data1", x, Ex4Data.Samples, 400, labels, names.Length, names);
    });

    private static Model Ex4Weights(Precision precision)
    {
        var network = CourseFiles.LoadThetas(MatFile.Read(BuiltinData.WeightsPath("ex4weights")));
        string[] names = [.. Enumerable.Range(1, 10).Select(k => k.ToString(System.Globalization.CultureInfo.InvariantCulture))];
        return precision == Precision.Float64 ? Model.From(network, classNames: names) : Model.From(network.Convert<float>(), classNames: names);
    }

    [Fact]
    public void EvaluateGivesEx4sPublishedCostsAndAccuracy()
    {
        var model = Ex4Weights(Precision.Float64);
        var e0 = model.Evaluate(Ex4Data1.Value);
        var e1 = model.Evaluate(Ex4Data1.Value, lambda: 1);
        Assert.Equal(0.287629, e0.Cost, 6);    // ex4.pdf: "about 0.287629"
        Assert.Equal(0.383770, e1.Cost, 6);    // "about 0.383770"
        Assert.Equal(0.9752, e0.Accuracy, 12); // "about 97.5 %" (ex4.m prints 97.52)
        Assert.Equal((5000, 1.0, 10), (e1.Samples, e1.Lambda, e1.Classes));
        Assert.Equal(e0.Accuracy, model.Score(Ex4Data1.Value));
        // The same figures as the course-file path of `backprop evaluate`.
        var course = CourseFiles.Evaluate(model.Network<double>(), Ex4Data1.Value.FeaturesAs<double>(), [.. Ex4Data1.Value.Labels.Select(l => l + 1)], 1);
        Assert.Equal((e1.Cost, e1.Accuracy), (course.Cost, course.Accuracy));
    }

    [Fact]
    public void EvaluateGivesPerClassFigures()
    {
        var e = Ex4Weights(Precision.Float64).Evaluate(Ex4Data1.Value);
        var confusion = e.ConfusionMatrix();
        int right = 0;
        for (int k = 0; k < 10; k++)
        {
            int samples = Enumerable.Range(0, 10).Sum(j => confusion[k, j]);
            Assert.Equal(500, samples);
            Assert.Equal(confusion[k, k] / 500.0, e.ClassAccuracy(k));
            right += confusion[k, k];
        }
        Assert.Equal(e.Accuracy, right / 5000.0);
        Assert.Throws<ArgumentOutOfRangeException>(() => e.ClassAccuracy(10));
    }

    [Fact]
    public void AFloat32ModelIsEvaluatedInFloat64()
    {
        // The weights round to float32 once; the cost is then computed as a float64 model's would be.
        var single = Ex4Weights(Precision.Float32);
        var widened = Model.From(single.Network<float>().Convert<double>(), classNames: single.ClassNames);
        Assert.Equal(widened.Evaluate(Ex4Data1.Value, 1).Cost, single.Evaluate(Ex4Data1.Value, 1).Cost);
        Assert.Equal(0.383770, single.Evaluate(Ex4Data1.Value, 1).Cost, 5);
    }

    [Fact]
    public void EvaluateAppliesThePreprocessingAndChecksItsArguments()
    {
        var data = Ex4Data1.Value;
        var doubled = new Dataset("doubled", [.. data.Features.Select(v => 2 * v)], data.Count, data.FeatureCount, data.Labels, data.Classes, data.ClassNames);
        var plain = Ex4Weights(Precision.Float64);
        var halving = Model.From(plain.Network<double>(), Preprocessor.MinMaxFixed(400, 0, 2), plain.ClassNames);
        Assert.Equal(plain.Evaluate(data, 1).Cost, halving.Evaluate(doubled, 1).Cost, 12);
        Assert.Throws<ArgumentOutOfRangeException>(() => plain.Evaluate(data, -1));
        var narrow = new Dataset("narrow", new double[10], 1, 10, [0], 10);
        Assert.Contains("10 features", Assert.Throws<ArgumentException>(() => plain.Evaluate(narrow)).Message);
    }
}
