using System.CommandLine;
using System.Text.Json.Nodes;
using Backprop.Experiments;

namespace Backprop.Cli.Commands;

/// <summary>
/// <c>backprop verify</c>: the ex4 exercise's checkpoints with PASS/FAIL per line — sigmoidGradient, the debug
/// network's gradient check and its published first five gradient entries; with <c>--data ex4data1.mat
/// --weights ex4weights.mat</c> also the published costs (0.287629, 0.383770, 0.576051) and accuracy (97.52 %).
/// </summary>
internal static class VerifyCommand
{
    public static Command Create()
    {
        var data = new Option<string?>("--data") { Description = "The course's data file with X and y (ex4data1.mat)" };
        var weights = new Option<string?>("--weights") { Description = "The course's weights with Theta1 and Theta2 (ex4weights.mat)" };
        var json = Options.Json();
        var command = new Command("verify", "Check the course's published checkpoints (PASS/FAIL per line); exit code 1 when one fails")
        {
            data, weights, json,
        };
        command.SetAction(parse =>
        {
            var stdout = parse.InvocationConfiguration.Output;
            string? dataPath = parse.GetValue(data), weightsPath = parse.GetValue(weights);
            if ((dataPath is null) != (weightsPath is null))
                throw new UsageException($"verify needs both --data (ex4data1.mat) and --weights (ex4weights.mat), or neither; only {(dataPath is null ? "--weights" : "--data")} was given.");
            var checkpoints = new List<Checkpoint>(CourseCheckpoints.WithoutFiles());
            if (dataPath is not null)
            {
                var w = InputFiles.Read(weightsPath!, "--weights");
                var d = InputFiles.Read(dataPath, "--data");
                checkpoints.AddRange(CourseCheckpoints.Files(d, w));
            }
            bool passed = checkpoints.All(k => k.Passed);
            if (parse.GetValue(json))
            {
                Cli.WriteJson(stdout, new JsonObject
                {
                    ["data"] = dataPath,
                    ["weights"] = weightsPath,
                    ["passed"] = passed,
                    ["checkpoints"] = new JsonArray(checkpoints.Select(k => (JsonNode)new JsonObject
                    {
                        ["name"] = k.Name, ["passed"] = k.Passed, ["expected"] = k.Expected, ["actual"] = k.Actual, ["values"] = Cli.ToJsonArray(k.Values),
                    }).ToArray()),
                });
            }
            else
            {
                foreach (var k in checkpoints)
                {
                    stdout.WriteLine($"{(k.Passed ? "PASS" : "FAIL")}  {k.Name}");
                    stdout.WriteLine($"      ex4 text: {k.Expected}");
                    stdout.WriteLine($"      ours:     {k.Actual}");
                }
                stdout.WriteLine($"{checkpoints.Count(k => k.Passed)} of {checkpoints.Count} checkpoints pass" +
                    (dataPath is null ? " (add --data ex4data1.mat --weights ex4weights.mat for the cost and accuracy checkpoints)" : ""));
            }
            return passed ? Cli.Ok : Cli.Failure;
        });
        return command;
    }
}
