using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using Backprop.Data;
using Backprop.Initialization;
using Backprop.Layers;
using Backprop.Models;
using Backprop.Training;

namespace Backprop.Cli.Commands;

/// <summary>
/// <c>backprop train</c>: train a classifier and save it. With no options it is the README's main job —
/// a digit recognizer on the built-in MNIST (784-256-10 ReLU/softmax, Adam, 12 epochs).
/// </summary>
internal static class TrainCommand
{
    public static Command Create()
    {
        var data = new Option<string>("--data") { Description = "Built-in data set (mnist, digits, flower, spiral) or a file (.csv, .mat/.npz with X and y)", DefaultValueFactory = _ => "mnist" };
        var layers = new Option<string?>("--layers") { Description = "Layer sizes from input to output, e.g. 784,100,10 (default: inputs,256,classes)" };
        var activation = new Option<string>("--activation") { Description = "Hidden activation: sigmoid, tanh, relu, identity", DefaultValueFactory = _ => "relu" };
        var output = new Option<string>("--output") { Description = "Output activation: softmax or sigmoid", DefaultValueFactory = _ => "softmax" };
        var optimizer = new Option<string>("--optimizer") { Description = "gd, sgd, momentum, nesterov, adam, lbfgs or cg", DefaultValueFactory = _ => "adam" };
        var epochs = new Option<int>("--epochs") { Description = "Epochs (iterations for lbfgs/cg)", DefaultValueFactory = _ => 12 };
        var batch = new Option<int>("--batch-size") { Description = "Mini-batch size (0 = full batch)", DefaultValueFactory = _ => 100 };
        var lr = new Option<double>("--lr") { Description = "Learning rate", DefaultValueFactory = _ => 0.001 };
        var schedule = new Option<string>("--schedule") { Description = "constant, invscaling, adaptive, step (×0.3 every 5 epochs) or cosine (annealed to --min-lr over the epochs)", DefaultValueFactory = _ => "step" };
        var minLr = new Option<double>("--min-lr") { Description = "Final learning rate of the cosine schedule", DefaultValueFactory = _ => 0 };
        var dropout = new Option<double>("--dropout") { Description = "Dropout rate on the hidden units during training, in [0, 1)", DefaultValueFactory = _ => 0 };
        var inputDropout = new Option<double>("--input-dropout") { Description = "Dropout rate on the input features during training, in [0, 1)", DefaultValueFactory = _ => 0 };
        var shift = new Option<int>("--shift") { Description = "Augment image data: move each training sample by a random translation of up to N pixels per direction", DefaultValueFactory = _ => 0 };
        var average = new Option<string>("--average") { Description = "Weight averaging: none, ema[:DECAY] (per step, default 0.999) or swa[:FROM_EPOCH] (default: the last quarter); the average is evaluated and saved", DefaultValueFactory = _ => "none" };
        var lambda = Options.Lambda();
        var seed = Options.Seed();
        var init = new Option<string?>("--init") { Description = "Initializer: ex4, uniform:EPS, uniform-fan, normal:STD, glorot, he (default: he for ReLU, glorot otherwise)" };
        var scaling = new Option<string>("--scaling") { Description = "none, minmax, minmax-symmetric, standardize, pixels (0..255 → [0,1]), pixels-symmetric", DefaultValueFactory = _ => "auto" };
        var valid = new Option<double>("--valid") { Description = "Fraction of the training data held out for validation (stratified)", DefaultValueFactory = _ => 1.0 / 12 };
        var precision = new Option<string>("--precision") { Description = "float32 or float64", DefaultValueFactory = _ => "float32" };
        var outPath = new Option<string?>("--out") { Description = "Where to save the model (default: models/<data>-mlp.json)" };
        var history = new Option<string?>("--history") { Description = "Also write the per-epoch history as CSV" };
        var json = Options.Json();
        var command = new Command("train", "Train a multilayer perceptron and save it (no options: a digit recognizer on built-in MNIST)")
        {
            data, layers, activation, output, optimizer, epochs, batch, lr, schedule, minLr, dropout, inputDropout, shift, average, lambda, seed, init, scaling, valid, precision, outPath, history, json,
        };
        command.SetAction(parse =>
        {
            var stdout = parse.InvocationConfiguration.Output;
            bool asJson = parse.GetValue(json);
            var progress = asJson ? parse.InvocationConfiguration.Error : stdout;
            var c = CultureInfo.InvariantCulture;

            Options.RequirePositive(parse.GetValue(epochs), "--epochs");
            if (parse.GetValue(batch) < 0) throw new UsageException($"--batch-size must be ≥ 0, got {parse.GetValue(batch)}.");
            if (!(parse.GetValue(lr) > 0)) throw new UsageException($"--lr must be positive, got {parse.GetValue(lr)}.");
            Options.RequireNonNegative(parse.GetValue(lambda), "--lambda");
            Options.RequireRate(parse.GetValue(dropout), "--dropout");
            Options.RequireRate(parse.GetValue(inputDropout), "--input-dropout");
            if (parse.GetValue(shift) < 0) throw new UsageException($"--shift must be ≥ 0 pixels, got {parse.GetValue(shift)}.");
            double minRate = parse.GetValue(minLr);
            if (!(minRate >= 0 && minRate <= parse.GetValue(lr)))
                throw new UsageException($"--min-lr must be in [0, --lr], got {minRate.ToString(CultureInfo.InvariantCulture)}.");
            double validFraction = parse.GetValue(valid);
            if (!(validFraction >= 0 && validFraction < 1)) throw new UsageException($"--valid must be a fraction in [0, 1), got {validFraction}.");
            var hidden = Options.ParseActivation(parse.GetValue(activation)!, "--activation");
            var outAct = Options.ParseActivation(parse.GetValue(output)!, "--output");
            OptimizerKind kind; ScheduleKind sched;
            (AveragingKind Kind, double Decay, int From) averaging;
            Initializer? initializer;
            try
            {
                kind = TrainingOptions.ParseOptimizer(parse.GetValue(optimizer)!);
                sched = TrainingOptions.ParseSchedule(parse.GetValue(schedule)!);
                initializer = parse.GetValue(init) is { } i ? Initializer.Parse(i) : null;
            }
            catch (ArgumentException e) { throw new UsageException(e.Message); }
            try { averaging = TrainingOptions.ParseAveraging(parse.GetValue(average)!); }
            catch (ArgumentException e) { throw new UsageException($"--average: {e.Message}"); }
            if (averaging.From > parse.GetValue(epochs))
                throw new UsageException($"--average {parse.GetValue(average)}: averaging cannot start after the last epoch ({parse.GetValue(epochs)}).");
            if ((kind is OptimizerKind.Lbfgs or OptimizerKind.ConjugateGradient) && (parse.GetValue(dropout) > 0 || parse.GetValue(inputDropout) > 0 || parse.GetValue(shift) > 0 || averaging.Kind != AveragingKind.None))
                throw new UsageException($"--dropout, --input-dropout, --shift and --average need a mini-batch optimizer (sgd, momentum, nesterov, adam, gd), not {parse.GetValue(optimizer)}.");
            var prec = parse.GetValue(precision) switch
            {
                "float32" or "single" => Precision.Float32,
                "float64" or "double" => Precision.Float64,
                var p => throw new UsageException($"--precision '{p}': expected float32 or float64."),
            };

            var set = DataLoader.Load(parse.GetValue(data)!);
            var train = set.Train;
            int[] hiddenSizes = [256];
            if (parse.GetValue(layers) is { } layerText)
            {
                var sizes = Options.ParseLayers(layerText);
                int classes = train.Classes;
                if (sizes[0] != train.FeatureCount)
                    throw new UsageException($"--layers {layerText}: the input layer has {sizes[0]} units but '{train.Name}' has {train.FeatureCount} features.");
                if (sizes[^1] != classes && !(classes == 2 && sizes[^1] == 1))
                    throw new UsageException($"--layers {layerText}: the output layer has {sizes[^1]} units but '{train.Name}' has {classes} classes.");
                hiddenSizes = sizes[1..^1];
            }
            var scale = ParseScaling(parse.GetValue(scaling)!, train);
            if (parse.GetValue(shift) > 0 && train.Image is not { Channels: 1 })
                throw new UsageException($"--shift augments images; '{train.Name}' has no single-channel image shape.");
            var options = new TrainingOptions
            {
                Optimizer = kind, Epochs = parse.GetValue(epochs), BatchSize = parse.GetValue(batch), LearningRate = parse.GetValue(lr),
                Lambda = parse.GetValue(lambda), Schedule = sched, DecayEvery = 5, DecayFactor = 0.3, Seed = parse.GetValue(seed),
                MinLearningRate = minRate, Dropout = parse.GetValue(dropout), InputDropout = parse.GetValue(inputDropout), ShiftPixels = parse.GetValue(shift),
                Averaging = averaging.Kind, AveragingDecay = averaging.Decay, AverageFromEpoch = averaging.From,
            };
            progress.WriteLine(string.Create(c, $"data       {set.Name}: {train.Count} training samples x {train.FeatureCount} features, {train.Classes} classes{(set.Test is null ? "" : $", {set.Test.Count} test samples")}"));
            var classifier = new MlpClassifier
            {
                HiddenLayers = hiddenSizes, Hidden = hidden, Output = outAct, Training = options, Initializer = initializer,
                Seed = parse.GetValue(seed), Precision = prec, Scaling = scale, ValidationFraction = validFraction,
                EpochEnded = e =>
                {
                    progress.WriteLine(string.Create(c, $"epoch {e.Epoch,4}  cost {e.Cost,9:F5}  train {Pct(e.TrainAccuracy)}  valid {Pct(e.ValidAccuracy)}  {e.Seconds,6:F1} s"));
                    return true;
                },
            };
            progress.WriteLine(string.Create(c, $"network    {string.Join("-", new[] { train.FeatureCount }.Concat(hiddenSizes))}-{(train.Classes == 2 && outAct == Activation.Sigmoid ? 1 : train.Classes)} {Activations.Name(hidden)}/{Activations.Name(outAct)}, {options}, {prec.ToString().ToLowerInvariant()}"));
            classifier.Fit(train);
            var model = classifier.Model!;
            var result = classifier.Result!;
            // Accuracy on the training split actually used (without the held-out validation samples).
            double trainAcc = result.History.Count > 0 && result.History[^1].TrainAccuracy is double t ? t : model.Score(train);
            double? validAcc = result.History.Count > 0 ? result.History[^1].ValidAccuracy : null;
            double? testAcc = set.Test is null ? null : model.Score(set.Test);
            string path = parse.GetValue(outPath) ?? Path.Combine("models", $"{set.Name}-mlp.json");
            model.Save(path);
            if (parse.GetValue(history) is { } historyPath) result.History.WriteCsv(historyPath);

            if (asJson)
            {
                Cli.WriteJson(stdout, new JsonObject
                {
                    ["data"] = set.Name,
                    ["network"] = model.Spec.ToString(),
                    ["train_accuracy"] = trainAcc,
                    ["valid_accuracy"] = validAcc,
                    ["test_accuracy"] = testAcc,
                    ["epochs"] = result.Epochs,
                    ["seconds"] = result.Seconds,
                    ["stop_reason"] = result.StopReason,
                    ["history"] = new JsonArray(result.History.Select(e => (JsonNode)new JsonObject
                    {
                        ["epoch"] = e.Epoch, ["cost"] = e.Cost, ["train_accuracy"] = e.TrainAccuracy, ["valid_accuracy"] = e.ValidAccuracy, ["seconds"] = e.Seconds,
                    }).ToArray()),
                    ["model"] = Path.GetFullPath(path),
                });
            }
            else
            {
                stdout.WriteLine(string.Create(c, $"stopped    {result.StopReason} in {result.Seconds:F1} s"));
                stdout.WriteLine(string.Create(c, $"accuracy   train {Pct(trainAcc)}  valid {Pct(validAcc)}  test {Pct(testAcc)}"));
                stdout.WriteLine($"model      saved to {Path.GetFullPath(path)}");
            }
            return Cli.Ok;
        });
        return command;
    }

    private static string Pct(double? v) => v is double d ? (d * 100).ToString("F2", CultureInfo.InvariantCulture) + " %" : "   –   ";

    /// <summary>Values within 0..255 reaching above 16 (the 8x8 digits' 0..16 range is scaled by its own min/max).</summary>
    private static bool LooksLikePixels(double[] features) =>
        features.Length > 0 && System.Numerics.Tensors.TensorPrimitives.Min<double>(features) >= 0
        && System.Numerics.Tensors.TensorPrimitives.Max<double>(features) is > 16 and <= 255;

    private static Scaling ParseScaling(string text, Dataset train) => text.ToLowerInvariant() switch
    {
        "auto" => train.Image is not null && LooksLikePixels(train.Features) ? Scaling.Pixels : Scaling.MinMax,
        "none" => Scaling.None,
        "minmax" => Scaling.MinMax,
        "minmax-symmetric" => Scaling.MinMaxSymmetric,
        "standardize" => Scaling.Standardize,
        "pixels" => Scaling.Pixels,
        "pixels-symmetric" => Scaling.PixelsSymmetric,
        _ => throw new UsageException($"--scaling '{text}': expected auto, none, minmax, minmax-symmetric, standardize, pixels or pixels-symmetric."),
    };
}
