using System.Globalization;
using System.Text;
using Backprop.Data.Builtin;
using Backprop.Models;
using Backprop.Web.Playground;
using Microsoft.AspNetCore.Builder;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace Backprop.Tests.Web.Playground;

/// <summary>A fact that runs only where Debian's Chromium is installed; elsewhere it is reported as skipped, with the reason.</summary>
public sealed class PlaygroundChromiumFactAttribute : FactAttribute
{
    public PlaygroundChromiumFactAttribute()
    {
        if (!File.Exists(ChromiumFactAttribute.Chromium))
            Skip = $"SKIPPED: no browser at {ChromiumFactAttribute.Chromium} (apt-get install chromium; .ci/run installs it), so the playground page was not tested in a browser.";
    }
}

/// <summary>The playground server on 127.0.0.1 (a free port), shared by the browser tests.</summary>
public sealed class PlaygroundServerFixture : IAsyncLifetime
{
    private WebApplication? app;
    public Uri BaseAddress { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        app = PlaygroundServer.Build(["http://127.0.0.1:0"]);
        await app.StartAsync();
        BaseAddress = new Uri(app.Urls.Single());
    }

    public async Task DisposeAsync()
    {
        if (app is not null) await app.DisposeAsync();
    }
}

/// <summary>
/// The playground page in a real headless Chromium (the system one, driven by Playwright's bundled driver, as
/// <see cref="DrawDigitBrowserTests"/>): the spiral preset trained live to the seed's figure, the model saved from the
/// page and loaded with <see cref="Model.Load"/>; a CSV uploaded, layers added, single epochs stepped; a bad CSV refused.
/// </summary>
public class PlaygroundBrowserTests(PlaygroundServerFixture server, ITestOutputHelper output) : IClassFixture<PlaygroundServerFixture>
{
    private static readonly string[] ChromiumArgs =
        ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];

    private const string BoundaryPixels = "() => document.getElementById('boundary').toDataURL()";

    private async Task<(IPlaywright, IBrowser, IPage, List<string>)> Open()
    {
        var playwright = await Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new() { ExecutablePath = ChromiumFactAttribute.Chromium, Headless = true, Args = ChromiumArgs });
        var page = await browser.NewPageAsync(new() { ViewportSize = new() { Width = 1400, Height = 900 }, AcceptDownloads = true });
        var errors = new List<string>();
        page.PageError += (_, e) => errors.Add(e);
        page.Console += (_, m) => { if (m.Type == "error") errors.Add($"{m.Text} ({m.Location})"); };
        page.SetDefaultTimeout(20_000);
        await page.GotoAsync(new Uri(server.BaseAddress, "/playground").ToString());
        await page.WaitForFunctionAsync("() => document.body.dataset.state === 'paused'");
        return (playwright, browser, page, errors);
    }

    [PlaygroundChromiumFact]
    public async Task TheSpiralPresetTrainsLiveToTheSeedsFigureAndTheSavedModelLoads()
    {
        var (playwright, browser, page, errors) = await Open();
        using var _ = playwright;
        await using var __ = browser;

        await page.ClickAsync("#preset-spiral");
        await page.WaitForFunctionAsync("() => document.body.dataset.network === '2-100-3 relu/softmax cross-entropy' && document.body.dataset.state === 'paused'");
        Assert.Equal("0", await page.TextContentAsync("#epoch"));
        string before = await page.EvaluateAsync<string>(BoundaryPixels);

        var clock = System.Diagnostics.Stopwatch.StartNew();
        await page.ClickAsync("#play");
        await page.WaitForFunctionAsync("() => document.body.dataset.state === 'done'", null, new() { Timeout = 60_000, PollingInterval = 200 });
        output.WriteLine($"spiral preset: 10000 epochs in the browser in {clock.Elapsed.TotalSeconds:F1} s, {await page.GetAttributeAsync("#boundary", "data-frames")} frames");
        Assert.Equal("10,000", await page.TextContentAsync("#epoch"));
        // The seed's figure exactly (296 of its 300 points), and on 300 fresh spiral points nearly as good.
        Assert.Equal("98.67 %", await page.TextContentAsync("#train-accuracy"));
        double test = double.Parse((await page.GetAttributeAsync("#test-accuracy", "data-value"))!, CultureInfo.InvariantCulture);
        Assert.InRange(test, 0.95, 1.0);
        Assert.True(int.Parse((await page.GetAttributeAsync("#boundary", "data-frames"))!, CultureInfo.InvariantCulture) >= 3);
        Assert.NotEqual(before, await page.EvaluateAsync<string>(BoundaryPixels));
        Assert.StartsWith("Finished: completed 10000 epochs", await page.TextContentAsync("#status"));

        var shot = Path.Combine(Path.GetTempPath(), "backprop-playground-test.png");
        await page.ScreenshotAsync(new() { Path = shot, FullPage = true });
        output.WriteLine($"screenshot: {shot}");

        var download = await page.RunAndWaitForDownloadAsync(() => page.ClickAsync("#save"));
        var path = Path.Combine(Path.GetTempPath(), $"backprop-playground-{Guid.NewGuid():N}.json");
        await download.SaveAsAsync(path);
        try
        {
            var model = Model.Load(path);
            Assert.Equal("2-100-3 relu/softmax cross-entropy", model.Spec.ToString());
            Assert.Equal(296.0 / 300, model.Score(PlanarData.Spiral(0)), 12);
            Assert.Equal("10000", model.Metadata["epochs"]);
        }
        finally { File.Delete(path); }
        Assert.Empty(errors);
    }

    [PlaygroundChromiumFact]
    public async Task ACsvUploadTrainsStepByStepAndABadCsvIsRefused()
    {
        var (playwright, browser, page, errors) = await Open();
        using var _ = playwright;
        await using var __ = browser;

        // Three clusters with string labels.
        var csv = new StringBuilder("x,y,colour\n");
        var random = new Random(5);
        string[] names = ["red", "green", "blue"];
        for (int i = 0; i < 90; i++)
            csv.Append(CultureInfo.InvariantCulture, $"{i % 3 * 2 + random.NextDouble():F3},{(i % 3 == 1 ? 2 : 0) + random.NextDouble():F3},{names[i % 3]}\n");
        await page.SetInputFilesAsync("#csv", new FilePayload { Name = "clusters.csv", MimeType = "text/csv", Buffer = Encoding.UTF8.GetBytes(csv.ToString()) });
        await page.WaitForFunctionAsync("() => document.getElementById('data-description').textContent.startsWith('clusters.csv: 90 points, 3 classes') && document.body.dataset.state === 'paused'");
        Assert.Contains("45 training and 45 test points", await page.TextContentAsync("#data-description"));
        Assert.Equal("2-8-8-3 tanh/tanh/softmax cross-entropy", await page.GetAttributeAsync("body", "data-network"));

        await page.ClickAsync("#add-layer");
        await page.SelectOptionAsync("#activation", "relu");
        await page.WaitForFunctionAsync("() => document.body.dataset.network === '2-8-8-8-3 relu/relu/relu/softmax cross-entropy' && document.body.dataset.state === 'paused'");
        for (int k = 1; k <= 2; k++)
        {
            await page.ClickAsync("#step");
            await page.WaitForFunctionAsync($"() => document.getElementById('epoch').textContent === '{k}' && document.body.dataset.state === 'paused'");
        }
        Assert.NotEqual("–", await page.TextContentAsync("#test-accuracy"));
        Assert.Empty(errors);

        await page.SetInputFilesAsync("#csv", new FilePayload { Name = "broken.csv", MimeType = "text/csv", Buffer = Encoding.UTF8.GetBytes("1,2,a\n3,x,b\n") });
        await page.WaitForFunctionAsync("() => document.body.dataset.state === 'error'");
        Assert.StartsWith("broken.csv: row 2, column 2", await page.TextContentAsync("#status"));
        // The browser logs the refused request (400) itself; nothing else may go wrong.
        Assert.All(errors, e => Assert.StartsWith("Failed to load resource: the server responded with a status of 400", e));
    }
}
