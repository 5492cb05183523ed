using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using Backprop.Experiments;
using Backprop.Models;
using Backprop.Web;
using Microsoft.Extensions.Hosting;

namespace Backprop.Cli.Commands;

/// <summary>
/// <c>backprop serve</c>: the draw-a-digit web page and its JSON API (<see cref="DigitServer"/>) over a model of 28x28
/// images. Without <c>--model</c> it serves <c>models/mnist-mlp.json</c>, training the default model first (as
/// <c>backprop train</c> does) when that file does not exist yet. Runs until Ctrl+C.
/// </summary>
internal static class ServeCommand
{
    /// <summary>Where <c>backprop train</c> saves the default model, relative to the working folder.</summary>
    public static readonly string DefaultModelPath = Path.Combine("models", "mnist-mlp.json");

    public static Command Create()
    {
        var modelPath = new Option<string?>("--model") { Description = $"A model of 28x28 images saved by 'backprop train' (default: {DefaultModelPath}, trained first when missing)" };
        var urls = new Option<string>("--urls")
        {
            Description = "Address(es) to listen on, separated by ';' (port 0 picks a free port; http only). The default listens on this machine only",
            DefaultValueFactory = _ => DigitServer.DefaultUrl,
        };
        var json = Options.Json();
        var command = new Command("serve",
            "Serve the draw-a-digit page: draw with the mouse or a finger, see the model's prediction live; and the live playground at /playground. API: GET /api/model, POST /api/predict. " +
            "JSON: one object when listening (urls, model, trained, network, test_accuracy)")
        {
            modelPath, urls, json,
        };
        command.SetAction(async (parse, cancellation) =>
        {
            var (stdout, progress, asJson) = CommandOutput.Of(parse, json);
            var addresses = ParseUrls(parse.GetValue(urls) ?? DigitServer.DefaultUrl);
            Model model; string path; bool trained;
            try { (model, path, trained) = ResolveModel(parse.GetValue(modelPath), progress, cancellation); }
            catch (OperationCanceledException e) when (cancellation.IsCancellationRequested)
            {
                parse.InvocationConfiguration.Error.WriteLine($"backprop: {e.Message}");
                return Cli.Failure;
            }
            var app = DigitServer.Build(model, addresses);
            await using (app)
            {
                await app.StartAsync(cancellation);
                var bound = app.Urls.ToArray();
                double? test = model.Metadata.TryGetValue("test_accuracy", out var t) && double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) ? d : null;
                if (asJson)
                {
                    Cli.WriteJson(stdout, new JsonObject
                    {
                        ["urls"] = Cli.ToJsonArray(bound),
                        ["url"] = bound.FirstOrDefault(),
                        ["model"] = Path.GetFullPath(path),
                        ["trained"] = trained,
                        ["network"] = model.Spec.ToString(),
                        ["test_accuracy"] = test,
                        ["playground"] = bound.FirstOrDefault() is { } first ? first.TrimEnd('/') + "/playground" : null,
                    });
                }
                else
                {
                    stdout.WriteLine($"model      {Path.GetFullPath(path)}: {model.Spec}, {Backprop.Models.Precisions.Name(model.Precision)}" +
                        (test is double a ? string.Create(CultureInfo.InvariantCulture, $", test accuracy {a * 100:F2} %") : ""));
                    foreach (var url in bound) stdout.WriteLine($"serving    {url}  (open it in a browser; Ctrl+C stops)");
                    if (bound.FirstOrDefault() is { } first) stdout.WriteLine($"playground {first.TrimEnd('/')}/playground  (the live playground)");
                }
                stdout.Flush();
                await app.WaitForShutdownAsync(cancellation);
            }
            return Cli.Ok;
        });
        return command;
    }

    /// <summary>"http://127.0.0.1:5000;http://[::1]:5000" → the addresses, each checked.</summary>
    internal static string[] ParseUrls(string text)
    {
        var parts = text.Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length == 0) throw new UsageException("--urls: give at least one address, e.g. http://127.0.0.1:5000.");
        foreach (var p in parts)
        {
            if (!Uri.TryCreate(p, UriKind.Absolute, out var uri) || uri.Scheme != Uri.UriSchemeHttp || uri.AbsolutePath != "/" || uri.Query.Length > 0)
                throw new UsageException($"--urls '{p}': expected http://HOST:PORT, e.g. http://127.0.0.1:5000 (plain HTTP; put a reverse proxy in front for HTTPS).");
        }
        return parts;
    }

    private static (Model Model, string Path, bool Trained) ResolveModel(string? path, TextWriter progress, CancellationToken cancellation)
    {
        if (!string.IsNullOrEmpty(path))
        {
            if (!File.Exists(path)) throw new UsageException($"--model {path}: no such file.");
            var model = Model.Load(path);
            if (DigitServer.Unsuitable(model) is { } reason) throw new UsageException($"--model {path}: {reason}.");
            return (model, path, false);
        }
        if (File.Exists(DefaultModelPath))
        {
            var model = Model.Load(DefaultModelPath);
            if (DigitServer.Unsuitable(model) is { } reason)
                throw new UsageException($"{DefaultModelPath}: {reason}; pass --model, or move the file away to train the default model.");
            return (model, DefaultModelPath, false);
        }

        var preset = Presets.Get("default");
        progress.WriteLine($"model      {Path.GetFullPath(DefaultModelPath)} does not exist yet: training the default model first ({preset.Description})");
        var prepared = Experiment.Prepare(preset);
        var p = prepared.Preset;
        var result = TrainingProgress.Show(progress, live: TrainingProgress.IsTerminal(progress), p.Training.Epochs,
            TrainingProgress.DefaultPrintEvery(p.Training.Epochs), onEpoch => prepared.Run(onEpoch, cancellation));
        if (cancellation.IsCancellationRequested)
            throw new OperationCanceledException($"cancelled after epoch {result.Epochs} of {p.Training.Epochs}: nothing was saved and nothing served.");
        progress.WriteLine(string.Create(CultureInfo.InvariantCulture, $"stopped    {result.StopReason.TrimEnd('.')} in {result.Seconds:F1} s"));
        progress.WriteLine($"accuracy   train {TrainingProgress.Pct(result.TrainAccuracy).Trim()}  valid {TrainingProgress.Pct(result.ValidAccuracy).Trim()}  test {TrainingProgress.Pct(result.TestAccuracy).Trim()}");
        result.Model.Save(DefaultModelPath);
        progress.WriteLine($"model      saved to {Path.GetFullPath(DefaultModelPath)}");
        return (result.Model, DefaultModelPath, true);
    }
}
