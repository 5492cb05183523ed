using System.CommandLine;
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
