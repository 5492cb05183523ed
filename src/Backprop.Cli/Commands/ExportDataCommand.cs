using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Backprop.Data;
using Backprop.Data.Builtin;
using Backprop.Data.Formats;
using Backprop.Data.Formats.Mat;

namespace Backprop.Cli.Commands;

/// <summary>
/// <c>backprop export-data NAME --out FILE</c>: a built-in data set written as <c>.mat</c>, <c>.npz</c> or <c>.csv</c>
/// (chosen by the extension). <c>export-data ex4data1 --out ex4data1.mat</c> gives the course's file: X (5000x400
/// double, images column-major) and y (5000x1 double, 1..10 with 10 meaning 0), as SciPy and Octave load it.
/// </summary>
internal static class ExportDataCommand
{
    public static Command Create()
    {
        var name = new Argument<string>("name") { Description = $"A built-in data set: {string.Join(", ", BuiltinData.Names)}" };
        var outPath = new Option<string>("--out") { Description = "The file to write: .mat (X, y), .npz (X, y) or .csv (features, then the label)", Required = true };
        var json = Options.Json();
        var command = new Command("export-data",
            "Write a built-in data set as .mat / .npz (variables X and y, plus X_test and y_test when it has a test split) or .csv (training part: features then label). JSON: data, path, format, variables")
        {
            name, outPath, json,
        };
        command.SetAction(parse =>
        {
            var stdout = parse.InvocationConfiguration.Output;
            string data = parse.GetValue(name)!;
            if (!DataSource.IsBuiltin(data))
                throw new UsageException($"export-data '{data}': not a built-in data set (known: {string.Join(", ", BuiltinData.Names)}).");
            string path = Options.RequireOutputFile(parse.GetValue(outPath)!, "--out");
            string format = Path.GetExtension(path).ToLowerInvariant() switch
            {
                ".mat" => "mat",
                ".npz" => "npz",
                ".csv" => "csv",
                var ext => throw new UsageException($"--out {path}: unknown extension '{ext}'; expected .mat, .npz or .csv."),
            };
            var variables = Variables(data);
            Options.WriteOutput(path, "--out", () =>
            {
                switch (format)
                {
                    case "mat": MatFile.Write(path, variables); break;
                    case "npz": NpzFile.Write(path, variables); break;
                    default: WriteCsv(path, variables[0], variables[1]); break;
                }
            });
            var written = format == "csv" ? variables.Take(2).ToList() : variables;
            if (parse.GetValue(json))
            {
                Cli.WriteJson(stdout, new JsonObject
                {
                    ["data"] = data,
                    ["path"] = path,
                    ["format"] = format,
                    ["variables"] = new JsonArray(written.Select(v => (JsonNode)new JsonObject { ["name"] = v.Name, ["shape"] = new JsonArray(v.Shape.Select(d => (JsonNode)d).ToArray()) }).ToArray()),
                });
            }
            else
                stdout.WriteLine($"wrote      {path}: {string.Join(", ", written.Select(v => $"{v.Name} {v.ShapeText}"))}");
            return Cli.Ok;
        });
        return command;
    }

    /// <summary>X and y (and X_test, y_test) of a built-in set; ex4data1 with its file's 1..10 labels.</summary>
    private static IReadOnlyList<NDArray> Variables(string name)
    {
        if (Ex4Data.IsName(name))
            return Ex4Data.Contents(BuiltinData.FindDataDirectory()).Variables;
        var set = BuiltinData.Load(name);
        var list = new List<NDArray> { X("X", set.Train), Y("y", set.Train) };
        if (set.Test is { } test) list.AddRange([X("X_test", test), Y("y_test", test)]);
        return list;
    }

    private static NDArray X(string name, Dataset d) => new(name, "double", [d.Count, d.FeatureCount], d.Features);

    private static NDArray Y(string name, Dataset d) => new(name, "double", [d.Count, 1], d.Labels.Select(l => (double)l).ToArray());

    private static void WriteCsv(string path, NDArray x, NDArray y)
    {
        var c = CultureInfo.InvariantCulture;
        int m = x.Shape[0], n = x.Shape[1];
        var sb = new StringBuilder();
        sb.AppendJoin(',', Enumerable.Range(1, n).Select(j => $"x{j}")).Append(",label\n");
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++) sb.Append(x.GetDouble((long)i * n + j).ToString("R", c)).Append(',');
            sb.Append(y.GetDouble(i).ToString("R", c)).Append('\n');
        }
        AtomicFile.WriteAllText(path, sb.ToString());
    }
}
