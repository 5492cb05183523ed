using System.Net;
using System.Net.ServerSentEvents;
using System.Text;
using System.Text.Json;
using Backprop.Web.Playground;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace Backprop.Tests.Web.Playground;

/// <summary>The playground's HTTP API and its Server-Sent Events stream, on Kestrel (127.0.0.1, a free port).</summary>
public class PlaygroundStreamTests
{
    private static async Task<(WebApplication App, HttpClient Client, PlaygroundRuns Runs)> Start(PlaygroundLimits? limits = null)
    {
        var app = PlaygroundServer.Build(["http://127.0.0.1:0"], limits);
        await app.StartAsync();
        var client = new HttpClient { BaseAddress = new Uri(app.Urls.Single()), Timeout = TimeSpan.FromSeconds(30) };
        return (app, client, app.Services.GetRequiredService<PlaygroundRuns>());
    }

    private static async Task<string> Create(HttpClient client, string settings)
    {
        var r = await client.PostAsync("/playground/api/runs", new StringContent(settings, Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Created, r.StatusCode);
        return JsonDocument.Parse(await r.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString()!;
    }

    [Fact]
    public async Task FramesStreamAtABoundedRateAndTheRunStopsWhenTheClientDisconnects()
    {
        var (app, client, runs) = await Start(new PlaygroundLimits { FramesPerSecond = 20 });
        await using var _ = app;
        using var __ = client;
        string id = await Create(client, """{"data": "moons", "points": 300, "hidden": [16, 16], "activation": "relu", "optimizer": "sgd", "batchSize": 10, "learningRate": 0.05, "epochs": 100000}""");
        Assert.True(runs.TryGet(id, out var run));

        var response = await client.GetAsync($"/playground/api/runs/{id}/events", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        var stream = await response.Content.ReadAsStreamAsync();
        var events = SseParser.Create(stream).EnumerateAsync().GetAsyncEnumerator();
        Assert.True(await events.MoveNextAsync());
        Assert.Equal("init", events.Current.EventType);
        var init = JsonDocument.Parse(events.Current.Data).RootElement;
        Assert.Equal("2-16-16-2 relu/relu/softmax cross-entropy", init.GetProperty("network").GetString());
        Assert.Equal(150 * 2, init.GetProperty("train").GetProperty("x").GetArrayLength());
        Assert.Equal(150, init.GetProperty("test").GetProperty("y").GetArrayLength());
        Assert.True(await events.MoveNextAsync());
        var first = JsonDocument.Parse(events.Current.Data).RootElement;
        Assert.Equal("frame", events.Current.EventType);
        Assert.Equal("paused", first.GetProperty("state").GetString());
        Assert.Equal(0, first.GetProperty("epoch").GetInt32());
        Assert.Equal(PlaygroundFrames.Grid * PlaygroundFrames.Grid, Convert.FromBase64String(first.GetProperty("boundary").GetProperty("classes").GetString()!).Length);
        var hidden = first.GetProperty("layers")[0];
        Assert.Equal(PlaygroundFrames.ShownUnits, hidden.GetProperty("maps").GetArrayLength());
        Assert.Equal(PlaygroundFrames.MapGrid * PlaygroundFrames.MapGrid, Convert.FromBase64String(hidden.GetProperty("maps")[0].GetString()!).Length);
        Assert.Equal(2, hidden.GetProperty("weights")[0].GetArrayLength());

        Assert.Equal(HttpStatusCode.NoContent, (await client.PostAsync($"/playground/api/runs/{id}/play", null)).StatusCode);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        int frames = 0, lastEpoch = 0;
        while (frames < 8)
        {
            Assert.True(await events.MoveNextAsync());
            var f = JsonDocument.Parse(events.Current.Data).RootElement;
            int epoch = f.GetProperty("epoch").GetInt32();
            Assert.True(epoch >= lastEpoch);
            lastEpoch = epoch;
            if (f.GetProperty("state").GetString() == "running") frames++;
        }
        double seconds = clock.Elapsed.TotalSeconds;
        Assert.True(lastEpoch > 8, $"epoch {lastEpoch} after 8 frames: the trainer should run between frames");
        Assert.True(frames <= 20 * seconds + 2, $"{frames} frames in {seconds:F2} s: more than 20 per second");
        // A second page cannot take this run over.
        Assert.Equal(HttpStatusCode.Conflict, (await client.GetAsync($"/playground/api/runs/{id}/events", HttpCompletionOption.ResponseHeadersRead)).StatusCode);

        // The page goes away: the run is cancelled, its thread ends and it is forgotten.
        await events.DisposeAsync();
        response.Dispose();
        await run.Finished.WaitAsync(TimeSpan.FromSeconds(10));
        int stopped = run.Epoch;
        await Task.Delay(200);
        Assert.Equal(stopped, run.Epoch);
        Assert.Equal(0, runs.Count);
        Assert.Equal(HttpStatusCode.NotFound, (await client.PostAsync($"/playground/api/runs/{id}/play", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/playground/api/runs/{id}/model")).StatusCode);
    }

    [Fact]
    public async Task ThePagePresetsAndErrorsAreServed()
    {
        var (app, client, runs) = await Start(new PlaygroundLimits { MaxRuns = 1 });
        await using var _ = app;
        using var __ = client;
        var page = await client.GetStringAsync("/playground");
        Assert.Contains("<canvas id=\"boundary\"", page);
        foreach (var asset in new[] { page, await client.GetStringAsync("/playground.js"), await client.GetStringAsync("/playground.css") })
        {
            Assert.DoesNotContain("http://", asset);
            Assert.DoesNotContain("https://", asset);
        }
        var presets = JsonDocument.Parse(await client.GetStringAsync("/playground/api/presets")).RootElement;
        var spiral = presets.GetProperty("presets").GetProperty("spiral");
        Assert.Equal(0.3, spiral.GetProperty("lambda").GetDouble());
        Assert.Equal("normal:0.01@outin", spiral.GetProperty("init").GetString());
        Assert.True(presets.GetProperty("presets").GetProperty("flower").GetProperty("weightsAfterData").GetBoolean());

        var bad = await client.PostAsync("/playground/api/runs", new StringContent("""{"hidden": [500]}""", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Equal("hidden[0]: expected 1..128 units, got 500.", JsonDocument.Parse(await bad.Content.ReadAsStringAsync()).RootElement.GetProperty("detail").GetString());
        var notJson = await client.PostAsync("/playground/api/runs", new StringContent("{", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, notJson.StatusCode);

        string first = await Create(client, """{"data": "xor"}""");
        var full = await client.PostAsync("/playground/api/runs", new StringContent("""{"data": "xor"}""", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, full.StatusCode);
        // A page that replaces its own run frees its place.
        string second = await Create(client, $$"""{"data": "xor", "replaces": "{{first}}"}""");
        Assert.False(runs.TryGet(first, out var _));
        Assert.True(runs.TryGet(second, out var _));
        Assert.Equal(HttpStatusCode.NotFound, (await client.PostAsync($"/playground/api/runs/{second}/jump", null)).StatusCode);
    }
}
