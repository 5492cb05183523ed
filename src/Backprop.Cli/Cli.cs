using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Backprop.Cli;

/// <summary>A problem with what the user typed (exit code 2).</summary>
internal sealed class UsageException(string message) : Exception(message);

/// <summary>
/// Where a command writes: results on stdout; progress on stdout too, or on stderr with --json (stdout then holds
/// only the one JSON object).
/// </summary>
internal readonly record struct CommandOutput(TextWriter Stdout, TextWriter Progress, bool AsJson)
{
    public static CommandOutput Of(ParseResult parse, Option<bool> json)
    {
        var stdout = parse.InvocationConfiguration.Output;
        bool asJson = parse.GetValue(json);
        return new CommandOutput(stdout, asJson ? parse.InvocationConfiguration.Error : stdout, asJson);
    }

    /// <summary>Live progress only on a real terminal, and never with --json.</summary>
    public bool Live => !AsJson && TrainingProgress.IsTerminal(Stdout);
}

/// <summary>Shared plumbing: parsing, error reporting, exit codes and JSON output.</summary>
internal static class Cli
{
    public const int Ok = 0;
    /// <summary>The input data or a computation failed (bad file, diverging run…).</summary>
    public const int Failure = 1;
    /// <summary>
    /// The command line itself is wrong: an unknown option, a bad value, a missing file, or a file named on the command
    /// line that cannot be used (not the format it claims, truncated, NaN in the data).
    /// </summary>
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
            return IsBadInput(e) ? UsageError : Failure;
        }
    }

    /// <summary>Errors in what the user typed or in the files they named (exit 2), as opposed to a failed computation (exit 1).</summary>
    private static bool IsBadInput(Exception e) => e switch
    {
        UsageException or FileNotFoundException or DirectoryNotFoundException or InvalidDataException => true,
        AggregateException { InnerExceptions.Count: 1 } a => IsBadInput(a.InnerExceptions[0]),
        _ => false,
    };

    /// <summary>The one-line message for an error the user can act on; null for a bug (let it surface).</summary>
    private static string? Describe(Exception e) => e switch
    {
        UsageException or FileNotFoundException or DirectoryNotFoundException => OneLine(e.Message),
        InvalidDataException or ArgumentException or IOException or InvalidOperationException or UnauthorizedAccessException or NotSupportedException
            or Backprop.Training.TrainingDivergedException => OneLine(e.Message),
        AggregateException { InnerExceptions.Count: 1 } a => Describe(a.InnerExceptions[0]),
        _ => null,
    };

    /// <summary>
    /// Drops the " (Parameter 'name')" that <see cref="ArgumentException"/> appends (it names a C# parameter, not an
    /// option; the messages wrapped into usage errors carry it too) and keeps the message on one line.
    /// </summary>
    internal static string OneLine(string message) =>
        System.Text.RegularExpressions.Regex.Replace(message, @" \(Parameter '[^']*'\)", "").ReplaceLineEndings(" ");

    /// <summary>Writes exactly one JSON object to stdout.</summary>
    public static void WriteJson(TextWriter stdout, JsonNode node) => stdout.WriteLine(node.ToJsonString(JsonOptions));

    public static JsonArray ToJsonArray<T>(IEnumerable<T> values) => new(values.Select(v => JsonValue.Create(v)).ToArray<JsonNode?>());
}
