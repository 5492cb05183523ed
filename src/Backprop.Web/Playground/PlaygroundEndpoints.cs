using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Backprop.Experiments;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.FileProviders;

namespace Backprop.Web.Playground;

/// <summary>The open playground runs of one server, the training slots they share and the limits they obey.</summary>
public sealed class PlaygroundRuns(PlaygroundLimits limits)
{
    private readonly ConcurrentDictionary<string, PlaygroundRun> runs = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim slots = new(limits.TrainingSlots, limits.TrainingSlots);

    public PlaygroundLimits Limits { get; } = limits;
    public int Count => runs.Count;
    public IReadOnlyCollection<PlaygroundRun> All => runs.Values.ToArray();

    /// <summary>A new run (paused at epoch 0; it trains once its page attaches and presses play).</summary>
    /// <exception cref="PlaygroundConfigException">The settings or the uploaded points are not usable.</exception>
    /// <exception cref="PlaygroundBusyException">As many runs are open as the limits allow.</exception>
    public PlaygroundRun Create(PlaygroundConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        DropUnattached();
        if (runs.Count >= Limits.MaxRuns)
            throw new PlaygroundBusyException($"{runs.Count} playground runs are open, the most this server allows; close a playground page or try again later.");
        PlaygroundSets sets;
        try
        {
            sets = config.Data == "csv"
                ? PlaygroundData.FromCsv(config.Csv!, config.CsvName, config.TrainPercent, config.DataSeed, Limits.MaxCsvPoints, Limits.MaxClasses)
                : PlaygroundData.Generate(config.Data, config.Points, config.Noise, config.TrainPercent, config.DataSeed);
        }
        catch (InvalidDataException e) { throw new PlaygroundConfigException(e.Message); }
        if (config.Optimizer != Training.OptimizerKind.GradientDescent && config.BatchSize > sets.Train.Count)
            config = config with { BatchSize = sets.Train.Count };
        var run = new PlaygroundRun(Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8)), config, sets, Limits, slots);
        runs[run.Id] = run;
        return run;
    }

    public bool TryGet(string id, out PlaygroundRun run) => runs.TryGetValue(id, out run!);

    /// <summary>Stops and forgets a run (its page went away or replaced it).</summary>
    public void Remove(string id)
    {
        if (runs.TryRemove(id, out var run)) run.Cancel();
    }

    /// <summary>Runs whose page never opened the stream hold no thread, but count against the limit: drop them after a while.</summary>
    private void DropUnattached()
    {
        foreach (var run in runs.Values)
            if (!run.Attached && Stopwatch.GetElapsedTime(run.Created).TotalSeconds > Limits.ConnectSeconds) Remove(run.Id);
    }
}

/// <summary>The server has as many runs open as it allows.</summary>
public sealed class PlaygroundBusyException(string message) : Exception(message);

/// <summary>
/// The live playground's HTTP surface, mapped beside the draw-a-digit API by <c>backprop serve</c> and alone by
/// <c>backprop playground</c>:
/// <list type="bullet">
/// <item><c>GET /playground</c>: the page (embedded <c>wwwroot/playground.*</c>).</item>
/// <item><c>GET /playground/api/presets</c>: the seed presets' settings (flower, spiral), the data sets and the limits.</item>
/// <item><c>POST /playground/api/runs</c> with the settings (<see cref="PlaygroundConfig.Parse"/>; <c>"replaces"</c>: the page's
/// previous run, stopped at once): <c>{"id"}</c>, or 400 naming the bad field, or 503 when the server is full.</item>
/// <item><c>GET /playground/api/runs/{id}/events</c>: Server-Sent Events, <c>init</c> (points, plane, network) then <c>frame</c>s
/// (see <see cref="PlaygroundFrames"/>); one page per run; the run stops when this stream closes.</item>
/// <item><c>POST /playground/api/runs/{id}/play | pause | step</c>, <c>GET /playground/api/runs/{id}/model</c> (the model file).</item>
/// </list>
/// </summary>
public static class PlaygroundEndpoints
{
    private const long MaxRequestBytes = 2 << 20;

    /// <summary>Registers the run registry (one per server) with <paramref name="limits"/> (default: <see cref="PlaygroundLimits"/>'s).</summary>
    public static IServiceCollection AddPlayground(this IServiceCollection services, PlaygroundLimits? limits = null) =>
        services.AddSingleton(new PlaygroundRuns(limits ?? new PlaygroundLimits()));

    /// <summary>Maps the page and its API under <c>/playground</c>.</summary>
    public static IEndpointRouteBuilder MapPlayground(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var page = new EmbeddedFileProvider(typeof(PlaygroundEndpoints).Assembly, "Backprop.Web.wwwroot").GetFileInfo("playground.html");
        string html;
        using (var reader = new StreamReader(page.CreateReadStream())) html = reader.ReadToEnd();
        app.MapGet("/playground", (HttpContext context) =>
        {
            context.Response.Headers.CacheControl = "no-cache";
            return Results.Content(html, "text/html; charset=utf-8");
        });
        var api = app.MapGroup("/playground/api");
        api.MapGet("/presets", (PlaygroundRuns runs) => Results.Content(Presets(runs.Limits).ToJsonString(), "application/json"));
        api.MapPost("/runs", async (HttpContext context, PlaygroundRuns runs) =>
        {
            if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size) size.MaxRequestBodySize = MaxRequestBytes;
            JsonDocument doc;
            try { doc = await JsonDocument.ParseAsync(context.Request.Body, new JsonDocumentOptions { MaxDepth = 8 }, context.RequestAborted); }
            catch (JsonException e) { return Bad($"The body is not valid JSON ({e.Message}); send the playground settings as a JSON object."); }
            catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
            {
                return Results.Problem(detail: $"The request is larger than {MaxRequestBytes >> 20} MB; upload at most {runs.Limits.MaxCsvPoints} points.", statusCode: StatusCodes.Status413PayloadTooLarge, title: "Too large");
            }
            using (doc)
            {
                if (doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("replaces", out var old) && old.ValueKind == JsonValueKind.String)
                    runs.Remove(old.GetString()!);
                try
                {
                    var run = runs.Create(PlaygroundConfig.Parse(doc.RootElement, runs.Limits));
                    return Results.Json(new { id = run.Id, network = run.Spec.ToString(), data = run.Sets.Description }, statusCode: StatusCodes.Status201Created);
                }
                catch (PlaygroundConfigException e) { return Bad(e.Message); }
                catch (PlaygroundBusyException e) { return Results.Problem(detail: e.Message, statusCode: StatusCodes.Status503ServiceUnavailable, title: "Busy"); }
            }
        });
        api.MapGet("/runs/{id}/events", (string id, PlaygroundRuns runs, HttpContext context) =>
        {
            if (!runs.TryGet(id, out var run)) return NoRun(id);
            if (!run.Attach()) return Results.Problem(detail: $"Run {id} already streams to a page; start a run of your own (POST /playground/api/runs).", statusCode: StatusCodes.Status409Conflict, title: "Taken");
            return TypedResults.ServerSentEvents(Stream(run, runs, context.RequestAborted));
        });
        api.MapPost("/runs/{id}/{action}", (string id, string action, PlaygroundRuns runs) =>
        {
            if (!runs.TryGet(id, out var run)) return NoRun(id);
            switch (action)
            {
                case "play": run.Play(); break;
                case "pause": run.Pause(); break;
                case "step": run.Step(); break;
                default: return Results.Problem(detail: $"Unknown action '{action}': expected play, pause or step.", statusCode: StatusCodes.Status404NotFound, title: "Not found");
            }
            return Results.NoContent();
        });
        api.MapGet("/runs/{id}/model", (string id, PlaygroundRuns runs) =>
        {
            if (!runs.TryGet(id, out var run)) return NoRun(id);
            var model = run.SnapshotModel();
            string dir = Directory.CreateTempSubdirectory("backprop-playground-model-").FullName;
            try
            {
                string path = Path.Combine(dir, "model.json");
                model.Save(path);
                return Results.File(File.ReadAllBytes(path), "application/json", $"playground-{run.Config.Data}-{model.Metadata["epochs"]}.json");
            }
            finally { Directory.Delete(dir, recursive: true); }
        });
        return app;
    }

    /// <summary>The init message, then every frame the run publishes, until the page closes the stream (which stops the run).</summary>
    private static async IAsyncEnumerable<SseItem<string>> Stream(PlaygroundRun run, PlaygroundRuns runs, [EnumeratorCancellation] CancellationToken cancellation)
    {
        try
        {
            yield return new SseItem<string>(run.InitMessage(), "init");
            while (true)
            {
                bool more;
                try { more = await run.Frames.WaitToReadAsync(cancellation); }
                catch (OperationCanceledException) { more = false; }
                if (!more) yield break;
                while (run.Frames.TryRead(out var frame)) yield return new SseItem<string>(frame, "frame");
            }
        }
        finally { runs.Remove(run.Id); }
    }

    private static JsonObject Presets(PlaygroundLimits limits)
    {
        var presets = new JsonObject();
        foreach (var preset in new[] { Experiments.Presets.Flower, Experiments.Presets.Spiral })
        {
            var config = JsonSerializer.SerializeToNode(PlaygroundConfig.FromPreset(preset).ToJson())!.AsObject();
            config["description"] = preset.Description;
            config["seedFigure"] = preset.SeedFigures.Count > 0
                ? string.Create(CultureInfo.InvariantCulture, $"{preset.SeedFigures[0].Value * 100:F2} % {preset.SeedFigures[0].Metric.Replace('_', ' ')} ({preset.SeedFigures[0].Source})") : null;
            presets[preset.Name] = config;
        }
        return new JsonObject
        {
            ["presets"] = presets,
            ["data"] = new JsonArray([.. PlaygroundData.Names.Select(n => (JsonNode?)n), "csv"]),
            ["limits"] = JsonSerializer.SerializeToNode(limits, new JsonSerializerOptions(JsonSerializerDefaults.Web)),
        };
    }

    private static IResult NoRun(string id) =>
        Results.Problem(detail: $"No playground run '{id}' (it ended when its page closed the stream); start one with POST /playground/api/runs.", statusCode: StatusCodes.Status404NotFound, title: "Not found");

    private static IResult Bad(string detail) => Results.Problem(detail: detail, statusCode: StatusCodes.Status400BadRequest, title: "Bad request");
}
