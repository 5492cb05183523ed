using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using Backprop.Data;

namespace Backprop.Cli.Commands;

/// <summary><c>backprop inspect FILE</c>: what a data file holds, like MATLAB's <c>whos -file</c>.</summary>
internal static class InspectCommand
{
    public static Command Create()
    {
        var file = new Argument<string>("file") { Description = "A data file: .mat, .npy, .npz, idx (MNIST), .csv/.tsv/.txt (optionally .gz)" };
        var json = Options.Json();
        var command = new Command("inspect", "List the variables of a data file (name, class, size in MATLAB order, sum), like MATLAB's whos -file")
        {
            file, json,
        };
        command.SetAction(parse =>
        {
            var stdout = parse.InvocationConfiguration.Output;
            string path = parse.GetValue(file)!;
            var contents = InputFiles.Read(path);
            string format = InputFiles.Format(path);
            if (parse.GetValue(json))
                Cli.WriteJson(stdout, ToJson(path, format, contents));
            else
                WriteTable(stdout, path, format, contents);
            return Cli.Ok;
        });
        return command;
    }

    internal static JsonObject ToJson(string path, string format, DataFileContents contents) => new()
    {
        ["file"] = path,
        ["format"] = format,
        ["variables"] = new JsonArray(contents.Variables.Select(v =>
        {
            var o = new JsonObject
            {
                ["name"] = v.Name,
                ["class"] = v.ClassName,
                ["shape"] = Cli.ToJsonArray(v.Shape),
                ["sum"] = v.Sum() is { } s && double.IsFinite(s) ? JsonValue.Create(s) : null,
            };
            if (v.Note is not null) o["note"] = v.Note;
            return (JsonNode)o;
        }).ToArray()),
        ["skipped"] = new JsonArray(contents.Skipped.Select(s => (JsonNode)new JsonObject
        {
            ["name"] = s.Name, ["class"] = s.ClassName, ["reason"] = s.Reason,
        }).ToArray()),
    };

    private static void WriteTable(TextWriter stdout, string path, string format, DataFileContents contents)
    {
        var c = CultureInfo.InvariantCulture;
        stdout.WriteLine($"{Cli.Printable(path)} ({format}): {contents.Variables.Count} variable{(contents.Variables.Count == 1 ? "" : "s")}");
        if (contents.Variables.Count > 0)
        {
            var rows = contents.Variables.Select(v => new[]
            {
                v.Name, v.ClassName, v.ShapeText, v.Sum() is { } s ? s.ToString("G10", c) : "-", v.Note ?? "",
            }).ToList();
            WriteColumns(stdout, ["Name", "Class", "Size", "Sum", "Note"], rows, rightAligned: 3);
        }
        if (contents.Skipped.Count > 0)
        {
            stdout.WriteLine();
            stdout.WriteLine($"Skipped {contents.Skipped.Count} variable{(contents.Skipped.Count == 1 ? "" : "s")}:");
            WriteColumns(stdout, ["Name", "Class", "Reason"], contents.Skipped.Select(s => new[] { s.Name, s.ClassName, s.Reason }).ToList(), rightAligned: -1);
        }
    }

    private static void WriteColumns(TextWriter stdout, string[] header, List<string[]> rows, int rightAligned)
    {
        // Names and notes come from the file: a name may hold escape sequences meant for the terminal.
        rows = rows.Select(r => r.Select(Cli.Printable).ToArray()).ToList();
        var widths = header.Select((h, i) => Math.Max(h.Length, rows.Count == 0 ? 0 : rows.Max(r => r[i].Length))).ToArray();
        void Line(string[] cells) => stdout.WriteLine(("  " + string.Join("  ", cells.Select((cell, i) =>
            i == cells.Length - 1 ? cell : i == rightAligned ? cell.PadLeft(widths[i]) : cell.PadRight(widths[i])))).TrimEnd());
        Line(header);
        foreach (var r in rows) Line(r);
    }
}
