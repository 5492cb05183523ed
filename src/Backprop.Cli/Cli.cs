using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using Backprop.Data.Formats;

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

    /// <summary>--max-memory: the read budget of one data file (<see cref="ReadLimits.MaxBytes"/>), on every command.</summary>
    public static readonly Option<string?> MaxMemory = new("--max-memory")
    {
        Description = $"Largest amount of memory the arrays of one data file may take, counted at 8 bytes a value (the float64 they become), e.g. 4G or 512M; larger files are refused before they are read (default {ReadLimits.FormatSize(ReadLimits.DefaultMaxBytes)})",
        Recursive = true,
    };

    /// <summary>--max-classes: the most classes a label set may have (<see cref="ReadLimits.MaxClasses"/>), on every command.</summary>
    public static readonly Option<int?> MaxClasses = new("--max-classes")
    {
        Description = $"Most classes the labels of a data file may describe (default {ReadLimits.DefaultMaxClasses})",
        Recursive = true,
    };

    public static int Run(RootCommand root, string[] args, TextWriter? stdout = null, TextWriter? stderr = null)
    {
        stdout ??= Console.Out;
        stderr ??= Console.Error;
        if (!root.Options.Contains(MaxMemory)) root.Options.Add(MaxMemory);
        if (!root.Options.Contains(MaxClasses)) root.Options.Add(MaxClasses);
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            // An unknown word explains "required command was not provided" and the like: report it first.
            var error = parse.Errors.FirstOrDefault(e => e.Message.StartsWith("Unrecognized", StringComparison.Ordinal)) ?? parse.Errors[0];
            stderr.WriteLine($"backprop: {OneLine(Explain(parse, error.Message))} (see 'backprop {HelpFor(parse)}--help')");
            return UsageError;
        }
        try
        {
            using var limits = ReadLimits.Use(LimitsOf(parse));
            return parse.Invoke(new InvocationConfiguration { Output = stdout, Error = stderr, EnableDefaultExceptionHandler = false });
        }
        catch (Exception e) when (Describe(e) is { } message)
        {
            stderr.WriteLine($"backprop: {message}");
            return IsBadInput(e) ? UsageError : Failure;
        }
        catch (OutOfMemoryException e)
        {
            // The command boundary: whatever ran out of memory, say so on one line (a file reader names its file).
            stderr.WriteLine(e is InsufficientMemoryException
                ? $"backprop: {OneLine(e.Message)}"
                : "backprop: out of memory; use smaller data or a smaller network, or lower --max-memory so that large files are refused before they are read.");
            return Failure;
        }
    }

    private static ReadLimits LimitsOf(ParseResult parse)
    {
        long bytes = ReadLimits.DefaultMaxBytes;
        if (parse.GetValue(MaxMemory) is { } text)
            bytes = ReadLimits.ParseSize(text) ?? throw new UsageException($"--max-memory '{text}': expected a positive size such as 4G, 512M or 1073741824 (bytes).");
        int classes = parse.GetValue(MaxClasses) ?? ReadLimits.DefaultMaxClasses;
        if (classes < 1)
            throw new UsageException($"--max-classes {classes}: expected a positive number of classes.");
        return new ReadLimits(bytes, classes);
    }

    private static string HelpFor(ParseResult parse) =>
        parse.CommandResult.Command is RootCommand ? "" : parse.CommandResult.Command.Name + " ";

    /// <summary>
    /// A parse error in the user's words: a value that does not parse says what was expected (not a .NET type), and an
    /// unknown command or option gets the closest known one as a suggestion.
    /// </summary>
    internal static string Explain(ParseResult parse, string message)
    {
        var badValue = System.Text.RegularExpressions.Regex.Match(message, @"^Cannot parse argument '(.*)' for option '(.*)' as expected type '(.*)'\.?$");
        if (badValue.Success)
        {
            string type = badValue.Groups[3].Value;
            string expected = type.Contains("Int32", StringComparison.Ordinal) || type.Contains("Int64", StringComparison.Ordinal) ? "a whole number, e.g. 12"
                : type.Contains("Double", StringComparison.Ordinal) || type.Contains("Single", StringComparison.Ordinal) ? "a number, e.g. 0.001"
                : type.Contains("Boolean", StringComparison.Ordinal) ? "true or false" : "another kind of value";
            return $"{badValue.Groups[2].Value} '{badValue.Groups[1].Value}': expected {expected}.";
        }
        var unknown = System.Text.RegularExpressions.Regex.Match(message, @"^Unrecognized command or argument '(.*)'\.?$");
        if (unknown.Success)
        {
            string token = unknown.Groups[1].Value;
            var command = parse.CommandResult.Command;
            var names = token.StartsWith('-')
                ? command.Options.SelectMany(o => o.Aliases.Prepend(o.Name))
                : command.Subcommands.Select(c => c.Name);
            string? best = Closest(token, names);
            string what = token.StartsWith('-') ? $"unknown option '{token}'{(command is RootCommand ? "" : $" for {command.Name}")}"
                : command is RootCommand ? $"unknown command '{token}'" : $"unexpected argument '{token}' for {command.Name}";
            return best is null ? what + "." : $"{what}; did you mean '{best}'?";
        }
        return message.TrimEnd('.') + ".";
    }

    /// <summary>The name nearest to <paramref name="typed"/> by edit distance (a swap of two letters counts once), if near enough to be a typo.</summary>
    internal static string? Closest(string typed, IEnumerable<string> names)
    {
        string? best = null;
        int bestDistance = int.MaxValue;
        foreach (var name in names.Distinct())
        {
            int d = Distance(typed.ToLowerInvariant(), name.ToLowerInvariant());
            if (d < bestDistance) (best, bestDistance) = (name, d);
        }
        int allowed = Math.Max(1, typed.TrimStart('-').Length / 3);
        return bestDistance <= allowed ? best : null;
    }

    /// <summary>Optimal string alignment distance: insertions, deletions, substitutions and adjacent swaps.</summary>
    private static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (int i = 0; i <= a.Length; i++) d[i, 0] = i;
        for (int j = 0; j <= b.Length; j++) d[0, j] = j;
        for (int i = 1; i <= a.Length; i++)
            for (int j = 1; j <= b.Length; j++)
            {
                int cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
            }
        return d[a.Length, b.Length];
    }

    /// <summary>Errors in what the user typed or in the files they named (exit 2), as opposed to a failed computation (exit 1).</summary>
    private static bool IsBadInput(Exception e) => e switch
    {
        // Also a file MATLAB wrote that this reader does not take (v7.3), and a path the user may not read or write.
        UsageException or FileNotFoundException or DirectoryNotFoundException or InvalidDataException
            or NotSupportedException or UnauthorizedAccessException => true,
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
        Printable(System.Text.RegularExpressions.Regex.Replace(message, @" \(Parameter '[^']*'\)", "").ReplaceLineEndings(" "));

    /// <summary>
    /// Text from a file made safe for a terminal: control characters (C0, DEL, C1: escape sequences that would set
    /// the terminal's title or colours, carriage returns that would hide text) are shown as \xHH.
    /// </summary>
    internal static string Printable(string text)
    {
        if (!text.Any(IsControl)) return text;
        var sb = new System.Text.StringBuilder(text.Length + 8);
        foreach (char c in text)
            sb.Append(IsControl(c) ? $"\\x{(int)c:X2}" : c);
        return sb.ToString();
    }

    private static bool IsControl(char c) => (c < 0x20 && c != '\t') || c is >= '\x7F' and <= '\x9F';

    /// <summary>Writes exactly one JSON object to stdout.</summary>
    public static void WriteJson(TextWriter stdout, JsonNode node) => stdout.WriteLine(node.ToJsonString(JsonOptions));

    public static JsonArray ToJsonArray<T>(IEnumerable<T> values) => new(values.Select(v => JsonValue.Create(v)).ToArray<JsonNode?>());
}
