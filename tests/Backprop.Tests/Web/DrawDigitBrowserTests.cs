using System.Globalization;
using Backprop.Data.Preprocessing;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace Backprop.Tests.Web;

/// <summary>A fact that runs only where Debian's Chromium is installed (.ci/run installs it); elsewhere it is reported
/// as skipped, with the reason, instead of passing silently.</summary>
public sealed class ChromiumFactAttribute : FactAttribute
{
    public const string Chromium = "/usr/bin/chromium";

    public ChromiumFactAttribute()
    {
        if (!File.Exists(Chromium))
            Skip = $"SKIPPED: no browser at {Chromium} (apt-get install chromium; .ci/run installs it), so the draw-a-digit page was not tested in a browser.";
    }
}

/// <summary>
/// The page in a real headless Chromium (the system one, driven by Playwright's bundled driver — no browser download):
/// a stroke drawn with the mouse on the pad is sent to the server, and the page shows the model's prediction for
/// exactly that drawing (checked against <see cref="DigitPreprocessing"/> + <c>Model.PredictProba</c> in-process).
/// </summary>
[Collection(DigitServerCollection.Name)]
public class DrawDigitBrowserTests(DigitServerFixture server, ITestOutputHelper output)
{
    private static readonly string[] ChromiumArgs =
        ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];

    private const string ReadInk = """
        () => { const c = document.getElementById('pad'); const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
                const a = new Array(c.width * c.height); for (let i = 0; i < a.length; i++) a[i] = d[4 * i + 3]; return a; }
        """;

    private const string ReadShown = """
        () => JSON.stringify({ predicted: document.getElementById('prediction').textContent,
                 bars: [...document.querySelectorAll('#bars li')].map(li => ({ p: li.dataset.probability || '', pct: li.querySelector('.pct').textContent, top: li.classList.contains('top') })),
                 seen: [...document.getElementById('seen').getContext('2d').getImageData(0, 0, 28, 28).data].filter((_, i) => i % 4 === 0) })
        """;

    private sealed record Bar(string P, string Pct, bool Top);
    private sealed record Shown(string Predicted, Bar[] Bars, int[] Seen);

    [ChromiumFact]
    public async Task DrawingAOneShowsTheModelsPredictionForThatDrawing()
    {
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new() { ExecutablePath = ChromiumFactAttribute.Chromium, Headless = true, Args = ChromiumArgs });
        var page = await browser.NewPageAsync(new() { ViewportSize = new() { Width = 820, Height = 560 } });
        var errors = new List<string>();
        page.PageError += (_, e) => errors.Add(e);
        page.Console += (_, m) => { if (m.Type == "error") errors.Add($"{m.Text} ({m.Location})"); };
        page.SetDefaultTimeout(10_000);
        await page.GotoAsync(server.BaseAddress.ToString());
        await page.WaitForFunctionAsync("() => document.getElementById('model').textContent.includes('784-32-10')");
        Assert.Equal(10, await page.Locator("#bars li").CountAsync());

        // A "1": one vertical stroke with the mouse, in small steps as a hand would.
        var box = (await page.Locator("#pad").BoundingBoxAsync())!;
        await page.Mouse.MoveAsync(box.X + 145, box.Y + 45);
        await page.Mouse.DownAsync();
        await page.Mouse.MoveAsync(box.X + 138, box.Y + 235, new() { Steps = 12 });
        await page.Mouse.UpAsync();

        var ink = (await page.EvaluateAsync<int[]>(ReadInk)).Select(v => (double)v).ToArray();
        Assert.True(ink.Count(v => v > 0) > 2000, "the stroke should have left ink on the pad");
        var image = DigitPreprocessing.ToMnist(ink, 280, 280);
        var expected = server.Model.PredictProba(image, 1);
        int best = Array.IndexOf(expected, expected.Max());
        string want = server.Model.ClassNames[best];

        // The page may still be answering an earlier part of the stroke: wait for the answer to the whole drawing.
        string key = expected[best].ToString("R", CultureInfo.InvariantCulture);
        await page.WaitForFunctionAsync($"() => document.querySelector('#bars li[data-index=\"{best}\"]')?.dataset.probability === '{key}'");
        var shown = System.Text.Json.JsonSerializer.Deserialize<Shown>(await page.EvaluateAsync<string>(ReadShown), new System.Text.Json.JsonSerializerOptions(System.Text.Json.JsonSerializerDefaults.Web))!;
        Assert.Equal(want, shown.Predicted);
        Assert.Equal("1", want); // the model reads the stroke as a one
        for (int k = 0; k < expected.Length; k++)
        {
            Assert.Equal(expected[k], double.Parse(shown.Bars[k].P, CultureInfo.InvariantCulture), 15);
            Assert.Equal((100 * expected[k]).ToString("F1", CultureInfo.InvariantCulture) + " %", shown.Bars[k].Pct);
            Assert.Equal(k == best, shown.Bars[k].Top);
        }
        // The bars are drawn to scale (after their short transition).
        await page.WaitForFunctionAsync($$"""
            () => [...document.querySelectorAll('#bars li')].every((li, k) => {
                const p = [{{string.Join(",", expected.Select(v => v.ToString("R", CultureInfo.InvariantCulture)))}}][k];
                const r = li.querySelector('.fill').getBoundingClientRect().width / li.querySelector('.track').getBoundingClientRect().width;
                return Math.abs(r - p) < 0.01; })
            """);
        // The small preview is the 28x28 image the model saw.
        for (int i = 0; i < image.Length; i++) Assert.True(Math.Abs(Math.Round(image[i]) - shown.Seen[i]) <= 1, $"preview pixel {i}");

        var shot = Path.Combine(Path.GetTempPath(), "backprop-draw-digit-test.png");
        await page.ScreenshotAsync(new() { Path = shot });
        output.WriteLine($"screenshot: {shot}; predicted {want} ({expected[best]:P1})");

        await page.ClickAsync("#clear");
        Assert.Equal("?", await page.TextContentAsync("#prediction"));
        Assert.Equal(0, (await page.EvaluateAsync<int[]>(ReadInk)).Count(v => v > 0));
        Assert.Empty(errors);
    }
}
