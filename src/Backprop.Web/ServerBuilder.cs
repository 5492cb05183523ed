using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Backprop.Web;

/// <summary>The host both servers start from (<see cref="DigitServer"/>, <see cref="Playground.PlaygroundServer"/>).</summary>
internal static class ServerBuilder
{
    /// <summary>A slim production host rooted at the app's folder. Logs go to stderr, so that stdout carries only what the
    /// caller prints (<c>backprop serve --json</c>: one JSON object); a failure to start (e.g. the port is taken) is thrown
    /// to the caller, who reports it in one line, so the host's own log entry, which would repeat it with a stack trace, is off.</summary>
    public static WebApplicationBuilder Create(Type app, LogLevel logLevel)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            Args = [],
            ApplicationName = app.Assembly.GetName().Name,
            ContentRootPath = AppContext.BaseDirectory,
            EnvironmentName = Environments.Production,
        });
        builder.Logging.ClearProviders();
        builder.Logging.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace).AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(logLevel);
        builder.Logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.None);
        return builder;
    }
}
