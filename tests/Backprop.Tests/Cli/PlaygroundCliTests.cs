using System.Diagnostics;
using System.Text.Json;

namespace Backprop.Tests.Cli;

public class PlaygroundCliTests
{
    /// <summary>The real tool in its own process: `playground --json` picks a free loopback port, prints the page's
    /// address in one JSON object, serves the page and its API, and is ended by the test.</summary>
    [Fact]
    public async Task PlaygroundListensOnAFreeLoopbackPortAndPrintsThePage()
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { Path.Combine(AppContext.BaseDirectory, "backprop.dll"), "playground", "--json" }) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        try
        {
            var url = (await CliHarness.ReadJsonObjectAsync(process)).GetProperty("url").GetString()!;
            Assert.Matches(@"^http://127\.0\.0\.1:\d+/playground$", url);
            Assert.DoesNotContain(":0/", url);
            using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
            Assert.Contains("<canvas id=\"boundary\"", await client.GetStringAsync(url));
            var presets = JsonDocument.Parse(await client.GetStringAsync(url + "/api/presets")).RootElement;
            Assert.Equal(100, presets.GetProperty("presets").GetProperty("spiral").GetProperty("hidden")[0].GetInt32());
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
    }

    [Fact]
    public void BadUrlsAreUsageErrors()
    {
        var r = CliHarness.Run("playground", "--urls", "https://127.0.0.1:0");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("--urls 'https://127.0.0.1:0': expected http://HOST:PORT", r.Stderr);
        Assert.Single(r.Stderr.Trim().Split('\n'));
    }
}
