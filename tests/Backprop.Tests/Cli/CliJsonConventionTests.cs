using System.Text.Json;
using System.Text.RegularExpressions;

namespace Backprop.Tests.Cli;

/// <summary>docs/json.md's convention on the commands' --json objects: snake_case keys, accuracies as fractions 0..1.</summary>
public partial class CliJsonConventionTests
{
    [GeneratedRegex("^[a-z][a-z0-9]*(_[a-z0-9]+)*$")]
    private static partial Regex SnakeCase();

    private static void Check(JsonElement e, string path)
    {
        switch (e.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var p in e.EnumerateObject())
                {
                    Assert.True(SnakeCase().IsMatch(p.Name), $"{path}.{p.Name} is not snake_case");
                    if (p.Name.Contains("accuracy", StringComparison.Ordinal) && p.Value.ValueKind == JsonValueKind.Number)
                        Assert.InRange(p.Value.GetDouble(), 0, 1);
                    Check(p.Value, $"{path}.{p.Name}");
                }
                break;
            case JsonValueKind.Array:
                int i = 0;
                foreach (var item in e.EnumerateArray()) Check(item, $"{path}[{i++}]");
                break;
        }
    }

    [Fact]
    public void EveryCommandsJsonHasSnakeCaseKeysAndFractionAccuracies()
    {
        using var dir = new TempDir();
        string model = dir.File("m.json");
        string[][] commands =
        [
            ["train", "--data", "digits", "--layers", "64,8,10", "--epochs", "2", "--out", model, "--json"],
            ["evaluate", "--model", model, "--data", "digits", "--json"],
            ["sweep", "--lambda", "0,1", "--epochs", "2", "--json"],
            ["compare", "ex4", "--epochs", "2", "--json"],
            ["verify", "--json"],
            ["gradcheck", "--debug", "--json"],
            ["inspect", model.Replace("m.json", "m.csv", StringComparison.Ordinal), "--json"],
        ];
        File.WriteAllText(dir.File("m.csv"), "1,2,0\n3,4,1\n");
        foreach (var args in commands)
        {
            var r = CliHarness.Run(args);
            Assert.True(r.ExitCode == 0, $"{string.Join(' ', args)}: {r.Stderr}");
            Check(r.Json(), args[0]);
        }
        var evaluate = CliHarness.Run("evaluate", "--model", model, "--data", "digits", "--json").Json();
        Assert.InRange(evaluate.GetProperty("accuracy").GetDouble(), double.Epsilon, 1);   // a fraction, not the percentage it once was
    }
}
