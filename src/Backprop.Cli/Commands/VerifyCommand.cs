using System.CommandLine;
using System.Text.Json.Nodes;
using Backprop.Experiments;

namespace Backprop.Cli.Commands;

/// <summary>
/// <c>backprop verify</c>: the ex4 exercise's checkpoints with PASS/FAIL per line — sigmoidGradient, the debug
/// network's gradient check and its published first five gradient entries, and the published costs (0.287629,
/// 0.383770, 0.576051) and accuracy (97.52 %) of the course's weights on its data — the built-in ex4data1 and
/// ex4weights unless <c>--data</c> / <c>--weights</c> name other files (a learner's own export of them, say).
/// </summary>
internal static class VerifyCommand
{
    public static Command Create()
    {
        var data = new Option<string?>("--data") { Description = "The course's data file with X and y (default: the built-in ex4data1)" };
        var weights = new Option<string?>("--weights") { Description = "The course's weights with Theta1 and Theta2 (default: the built-in ex4weights)" };
        var json = Options.Json();
        var command = new Command("verify", "Check the course's published checkpoints (PASS/FAIL per line); exit code 1 when one fails")
        {
            data, weights, json,
        };
        command.SetAction(parse =>
        {
            var stdout = parse.InvocationConfiguration.Output;
            string dataPath = parse.GetValue(data) ?? "ex4data1", weightsPath = parse.GetValue(weights) ?? "ex4weights";
            var checkpoints = new List<Checkpoint>(CourseCheckpoints.WithoutFiles());
            var w = InputFiles.Read(weightsPath, "--weights");
            var d = InputFiles.Read(dataPath, "--data");
            checkpoints.AddRange(CourseCheckpoints.Files(d, w));
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
                        ["diagnosis"] = k.Diagnosis,
                    }).ToArray()),
                });
            }
            else
            {
                foreach (var k in checkpoints)
                {
                    stdout.WriteLine($"{(k.Passed ? "PASS" : k.Diagnosis is null ? "FAIL" : "TRANSPOSED")}  {k.Name}");
                    stdout.WriteLine($"      ex4 text: {k.Expected}");
                    stdout.WriteLine($"      ours:     {k.Actual}");
                }
                foreach (var why in checkpoints.Select(k => k.Diagnosis).OfType<string>().Distinct()) stdout.WriteLine($"why        {why}");
                stdout.WriteLine($"{checkpoints.Count(k => k.Passed)} of {checkpoints.Count} checkpoints pass (data {dataPath}, weights {weightsPath})");
            }
            return passed ? Cli.Ok : Cli.Failure;
        });
        return command;
    }
}
