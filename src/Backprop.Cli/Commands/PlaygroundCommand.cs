using System.CommandLine;
using System.Text.Json.Nodes;
using Backprop.Web.Playground;
using Microsoft.Extensions.Hosting;

namespace Backprop.Cli.Commands;

/// <summary>
/// <c>backprop playground</c>: the live playground (<see cref="PlaygroundServer"/>) on its own, on a free loopback port by
/// default; prints the page's address. Runs until Ctrl+C. (<c>backprop serve</c> serves it too, at <c>/playground</c>.)
/// </summary>
internal static class PlaygroundCommand
{
    public static Command Create()
    {
        var urls = new Option<string>("--urls")
        {
            Description = "Address(es) to listen on, separated by ';' (http only). The default listens on this machine only, on a free port",
            DefaultValueFactory = _ => PlaygroundServer.DefaultUrl,
        };
        var json = Options.Json();
        var command = new Command("playground",
            "Serve the live playground: pick data (flower, spiral, circle, XOR, Gaussians, moons, a CSV), layers, activation and optimizer, " +
            "press play and watch the engine train; save the model. JSON: one object when listening (url, urls)")
        {
            urls, json,
        };
        command.SetAction(async (parse, cancellation) =>
        {
            var (stdout, _, asJson) = CommandOutput.Of(parse, json);
            var addresses = ServeCommand.ParseUrls(parse.GetValue(urls) ?? PlaygroundServer.DefaultUrl);
            var app = PlaygroundServer.Build(addresses);
            await using (app)
            {
                await app.StartAsync(cancellation);
                var pages = app.Urls.Select(u => u.TrimEnd('/') + "/playground").ToArray();
                if (asJson) Cli.WriteJson(stdout, new JsonObject { ["url"] = pages.FirstOrDefault(), ["urls"] = Cli.ToJsonArray(pages) });
                else foreach (var page in pages) stdout.WriteLine($"playground {page}  (open it in a browser; Ctrl+C stops)");
                stdout.Flush();
                await app.WaitForShutdownAsync(cancellation);
            }
            return Cli.Ok;
        });
        return command;
    }
}
