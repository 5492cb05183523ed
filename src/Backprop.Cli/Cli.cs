using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Backprop.Cli;

/// <summary>A problem with what the user typed (exit code 2).</summary>
internal sealed class UsageException(string message) : Exception(message);

/// <summary>Shared plumbing: parsing, error reporting, exit codes and JSON output.</summary>
internal static class Cli
{
    public const int Ok = 0;
    /// <summary>The input data or a computation failed (bad file, diverging run…).</summary>
    public const int Failure = 1;
    /// <summary>The command line itself is wrong (unknown option, bad value, missing file).</summary>
    public const int UsageError = 2;

    public static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true };

    public static int Run(RootCommand root, string[] args, TextWriter? stdout = null, TextWriter? stderr = null)
    {
        stdout ??= Console.Out;
        stderr ??= Console.Error;
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            stderr.WriteLine($"backprop: {parse.Errors[0].Message} (see 'backprop --help')");
            return UsageError;
        }
        try
        {
            return parse.Invoke(new InvocationConfiguration { Output = stdout, Error = stderr, EnableDefaultExceptionHandler = false });
        }
        catch (Exception e) when (Describe(e) is { } message)
        {
            stderr.WriteLine($"backprop: {message}");
            return e is UsageException or FileNotFoundException or DirectoryNotFoundException ? UsageError : Failure;
        }
    }

    /// <summary>The one-line message for an error the user can act on; null for a bug (let it surface).</summary>
    private static string? Describe(Exception e) => e switch
    {
        UsageException or FileNotFoundException or DirectoryNotFoundException => e.Message,
        InvalidDataException or ArgumentException or IOException or InvalidOperationException or UnauthorizedAccessException or NotSupportedException
            or Backprop.Training.TrainingDivergedException => e.Message,
        AggregateException { InnerExceptions.Count: 1 } a => Describe(a.InnerExceptions[0]),
        _ => null,
    };

    /// <summary>Writes exactly one JSON object to stdout.</summary>
    public static void WriteJson(TextWriter stdout, JsonNode node) => stdout.WriteLine(node.ToJsonString(JsonOptions));

    public static JsonArray ToJsonArray<T>(IEnumerable<T> values) => new(values.Select(v => JsonValue.Create(v)).ToArray<JsonNode?>());
}
