using System.CommandLine;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Backprop.Cli;

namespace Backprop.Tests.Cli;

/// <summary>Runs the CLI in-process, as Program.cs does, capturing stdout and stderr.</summary>
internal static class CliHarness
{
    public sealed record Result(int ExitCode, string Stdout, string Stderr)
    {
        public JsonElement Json() => JsonDocument.Parse(Stdout).RootElement;
    }

    public static Result Run(params string[] args)
    {
        var root = new RootCommand();
        foreach (var c in CommandCatalog.All()) root.Subcommands.Add(c);
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = Backprop.Cli.Cli.Run(root, args, stdout, stderr);
        return new Result(code, stdout.ToString(), stderr.ToString());
    }

    /// <summary>
    /// Reads a tool process's stdout up to the end of the first JSON object it prints (its closing "}" line, as
    /// `serve --json` and `playground --json` print once they listen), within 30 s.
    /// </summary>
    public static async Task<JsonElement> ReadJsonObjectAsync(Process process)
    {
        var json = new StringBuilder();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (await process.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
        {
            json.AppendLine(line);
            if (line == "}") break;
        }
        return JsonDocument.Parse(json.ToString()).RootElement;
    }
}

/// <summary>A temporary directory deleted on dispose.</summary>
internal sealed class TempDir : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("backprop-cli-").FullName;
    public string File(string name) => System.IO.Path.Combine(Path, name);
    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { }
    }
}
