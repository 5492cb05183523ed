using System.Text.Json;
using System.Text.Json.Nodes;
using Backprop.Training;

namespace Backprop.Cli;

/// <summary>
/// The file of <c>train --checkpoint PATH</c>: the command line's options that define the run (data, network,
/// training) and the trainer's state after the last whole epoch (<see cref="TrainingCheckpoint"/>). <c>train --resume
/// PATH</c> re-reads the data with those options and continues from the state. Written atomically.
/// </summary>
internal sealed record CheckpointFile(IReadOnlyList<string> Arguments, string WorkingDirectory, TrainingCheckpoint State)
{
    public const string Format = "backprop-checkpoint";
    public const int Version = 1;

    public void Save(string path) => AtomicFile.WriteAllText(path, new JsonObject
    {
        ["format"] = Format,
        ["version"] = Version,
        ["arguments"] = new JsonArray(Arguments.Select(a => (JsonNode?)a).ToArray()),
        ["working_directory"] = WorkingDirectory,
        ["state"] = State.ToJson(),
    }.ToJsonString(Compact));

    /// <summary>Base64 as it is (no \u002B escapes for '+').</summary>
    private static readonly JsonSerializerOptions Compact = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Reads a checkpoint; anything else (not JSON, another format, a damaged field) is a usage error naming the file.</summary>
    public static CheckpointFile Load(string path, string option = "--resume")
    {
        if (Directory.Exists(path)) throw new UsageException($"{option} {path}: is a directory, not a checkpoint file.");
        if (!File.Exists(path)) throw new UsageException($"{option} {path}: no such file (write one with train --checkpoint PATH).");
        try
        {
            var o = JsonNode.Parse(File.ReadAllText(path)) as JsonObject ?? throw new InvalidDataException("not a JSON object");
            if (o["format"]?.GetValue<string>() != Format) throw new InvalidDataException($"\"format\" is not \"{Format}\"");
            int version = o["version"]?.GetValue<int>() ?? 0;
            if (version != Version) throw new InvalidDataException($"version {version}; this backprop reads version {Version}");
            var args = (o["arguments"] as JsonArray ?? throw new InvalidDataException("\"arguments\" is missing")).Select(a => a?.GetValue<string>() ?? "").ToArray();
            string dir = o["working_directory"]?.GetValue<string>() ?? throw new InvalidDataException("\"working_directory\" is missing");
            var state = TrainingCheckpoint.FromJson(o["state"] as JsonObject ?? throw new InvalidDataException("\"state\" is missing"));
            return new CheckpointFile(args, dir, state);
        }
        catch (Exception e) when (e is JsonException or InvalidDataException or InvalidOperationException or FormatException or ArgumentException)
        {
            throw new UsageException($"{option} {path}: not a usable backprop checkpoint ({Cli.OneLine(e.Message).TrimEnd('.')}).");
        }
    }
}
