using Backprop.Data;
using Backprop.Data.Builtin;
using Backprop.Models;
using Backprop.Training;
using Backprop.Web;
using Microsoft.AspNetCore.Builder;

namespace Backprop.Tests.Web;

/// <summary>A small MNIST model trained in-test (784-32-10 on 6000 images, 3 epochs, about a second) and the
/// draw-a-digit server on 127.0.0.1 with a free port, shared by the HTTP and the browser tests.</summary>
public sealed class DigitServerFixture : LoopbackServerFixture
{
    public Model Model { get; private set; } = null!;
    public Dataset Test { get; private set; } = null!;

    public static (Model Model, Dataset Test) TrainSmallModel()
    {
        var mnist = BuiltinData.Load("mnist");
        var train = mnist.Train.Subset(Enumerable.Range(0, 6000).ToArray(), "mnist-6000");
        var clf = new MlpClassifier
        {
            HiddenLayers = [32],
            Scaling = Scaling.Pixels,
            Training = new TrainingOptions { Optimizer = OptimizerKind.Adam, Epochs = 3, LearningRate = 0.003, BatchSize = 50 },
        };
        clf.Fit(train);
        return (clf.Model!, mnist.Test!);
    }

    protected override WebApplication Build()
    {
        (Model, Test) = TrainSmallModel();
        return DigitServer.Build(Model, ["http://127.0.0.1:0"]);
    }
}

[CollectionDefinition(Name)]
public sealed class DigitServerCollection : ICollectionFixture<DigitServerFixture>
{
    public const string Name = "digit server";
}
