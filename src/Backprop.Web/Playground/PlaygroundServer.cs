using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Backprop.Web.Playground;

/// <summary>The playground on its own (<c>backprop playground</c>): the page, its assets and its API, no model needed;
/// <c>/</c> leads to <c>/playground</c>.</summary>
public static class PlaygroundServer
{
    /// <summary>Loopback, a free port.</summary>
    public const string DefaultUrl = "http://127.0.0.1:0";

    /// <summary>Builds the app (not started) on <paramref name="urls"/>; read the bound addresses from <c>app.Urls</c> after <c>StartAsync</c>.</summary>
    public static WebApplication Build(IEnumerable<string> urls, PlaygroundLimits? limits = null, LogLevel logLevel = LogLevel.Warning)
    {
        ArgumentNullException.ThrowIfNull(urls);
        var builder = ServerBuilder.Create(typeof(PlaygroundServer), logLevel);   // as DigitServer: logs on stderr, start-up failures thrown
        builder.Services.AddProblemDetails();
        builder.Services.AddPlayground(limits);
        var app = builder.Build();
        app.Urls.Clear();
        foreach (var url in urls) app.Urls.Add(url);

        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.MapGet("/", () => Results.Redirect("/playground"));
        app.UseStaticFiles(new StaticFileOptions
        {
            FileProvider = new EmbeddedFileProvider(typeof(PlaygroundServer).Assembly, "Backprop.Web.wwwroot"),
            OnPrepareResponse = c => c.Context.Response.Headers.CacheControl = "no-cache",
        });
        app.MapPlayground();
        return app;
    }
}
