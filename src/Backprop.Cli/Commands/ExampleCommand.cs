using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using Backprop.Layers;
using Backprop.Losses;
using Backprop.Networks;
using Backprop.Numerics;

namespace Backprop.Cli.Commands;

/// <summary>
/// <c>backprop example mazur</c>: Matt Mazur's "A Step by Step Backpropagation Example" (2-2-2 sigmoid network, squared
/// error, one gradient step with η = 0.5, biases held) computed by the engine's layers and network, every value beside
/// the number the article prints. Exit code 1 when a published number is not reproduced.
/// </summary>
internal static class ExampleCommand
{
    private static readonly CultureInfo C = CultureInfo.InvariantCulture;

    /// <summary>One computed value, with Mazur's printed number when the article gives one.</summary>
    private sealed record Row(string Section, string Name, double Value, string? Published)
    {
        /// <summary>Our value rounded to the published number's decimals equals it (true when nothing is published).</summary>
        public bool Matches => Published is null
            || Math.Round(Value, Published.Length - Published.IndexOf('.') - 1) == double.Parse(Published, C);
    }

    public static Command Create()
    {
        var json = Options.Json();
        var mazur = new Command("mazur", "Matt Mazur's 2-2-2 worked example: forward pass, E_total, deltas, gradients and the updated weights, beside his numbers")
        {
            json,
        };
        mazur.SetAction(parse =>
        {
            var stdout = parse.InvocationConfiguration.Output;
            var rows = Mazur();
            bool allMatch = rows.All(r => r.Matches);
            if (parse.GetValue(json))
            {
                Cli.WriteJson(stdout, new JsonObject
                {
                    ["example"] = "mazur",
                    ["source"] = Source,
                    ["learning_rate"] = LearningRate,
                    ["all_published_match"] = allMatch,
                    ["values"] = new JsonArray(rows.Select(r => (JsonNode)new JsonObject
                    {
                        ["section"] = r.Section, ["name"] = r.Name, ["value"] = r.Value,
                        ["published"] = r.Published is null ? null : double.Parse(r.Published, C), ["matches"] = r.Published is null ? null : r.Matches,
                    }).ToArray()),
                });
            }
            else
            {
                stdout.WriteLine($"Matt Mazur, \"{Source}\": a 2-2-2 network, sigmoid everywhere, E = Σ ½(target − out)², η = {LearningRate.ToString(C)}");
                stdout.WriteLine("inputs i1, i2 = 0.05, 0.10; targets 0.01, 0.99; w1..w8 = 0.15 0.20 0.25 0.30 0.40 0.45 0.50 0.55;");
                stdout.WriteLine("biases b1 = 0.35 (hidden), b2 = 0.60 (output), held fixed as in the article. Computed by the engine's layers.");
                string? section = null;
                foreach (var r in rows)
                {
                    if (r.Section != section)
                    {
                        section = r.Section;
                        stdout.WriteLine();
                        stdout.WriteLine($"{section,-38} {"ours",14}   {"Mazur",12}");
                    }
                    string published = r.Published is null ? "" : $"{r.Published,12}  {(r.Matches ? "ok" : "DIFFERS")}";
                    stdout.WriteLine($"  {r.Name,-36} {r.Value.ToString("F9", C),14}   {published}".TrimEnd());
                }
                stdout.WriteLine();
                stdout.WriteLine(allMatch
                    ? $"All {rows.Count(r => r.Published is not null)} published numbers reproduced (to the digits the article prints)."
                    : $"{rows.Count(r => !r.Matches)} published numbers NOT reproduced.");
            }
            return allMatch ? Cli.Ok : Cli.Failure;
        });
        return new Command("example", "Worked examples from the literature, computed step by step by the engine") { mazur };
    }

    private const string Source = "A Step by Step Backpropagation Example";
    private const double LearningRate = 0.5;

    /// <summary>The example's values, in the article's order, from the engine's forward pass and backpropagation.</summary>
    private static List<Row> Mazur()
    {
        // Parameters in the engine's layout: W1 [hidden, inputs] row by row (w1 w2 / w3 w4), b1 per hidden unit,
        // W2 [outputs, hidden] (w5 w6 / w7 w8), b2 per output unit.
        var spec = NetworkSpec.Create([2, 2, 2], Activation.Sigmoid, Activation.Sigmoid, Loss.SquaredError);
        var net = new Network<double>(spec, [0.15, 0.20, 0.25, 0.30, 0.35, 0.35, 0.40, 0.45, 0.50, 0.55, 0.60, 0.60]);
        var x = Matrix<double>.FromRows(new double[,] { { 0.05, 0.10 } });
        var y = Matrix<double>.FromRows(new double[,] { { 0.01, 0.99 } });

        // Forward pass layer by layer, keeping net (z) and out (a) of each unit.
        var hidden = net.Layers[0];
        var output = net.Layers[1];
        var zh = new Matrix<double>(1, 2); var ah = new Matrix<double>(1, 2);
        var zo = new Matrix<double>(1, 2); var ao = new Matrix<double>(1, 2);
        hidden.Forward(x, zh, ah);
        output.Forward(ah, zo, ao);

        // E_total and every ∂E/∂parameter by the network's backpropagation (one sample: the mean is the sum).
        double total = net.CostAndGradient(x, y);
        var dW1 = hidden.WeightsGradient; var dW2 = output.WeightsGradient;
        // With one sample, ∂E/∂b of a unit is its delta δ = ∂E/∂net.
        var deltaO = output.BiasGradient.Span; var deltaH = hidden.BiasGradient.Span;

        double t1 = y[0, 0], t2 = y[0, 1];
        var rows = new List<Row>
        {
            new("forward pass", "net_h1 = w1·i1 + w2·i2 + b1", zh[0, 0], "0.3775"),
            new("forward pass", "out_h1 = σ(net_h1)", ah[0, 0], "0.593269992"),
            new("forward pass", "net_h2", zh[0, 1], null),
            new("forward pass", "out_h2", ah[0, 1], "0.596884378"),
            new("forward pass", "net_o1 = w5·out_h1 + w6·out_h2 + b2", zo[0, 0], "1.105905967"),
            new("forward pass", "out_o1", ao[0, 0], "0.75136507"),
            new("forward pass", "net_o2", zo[0, 1], null),
            new("forward pass", "out_o2", ao[0, 1], "0.772928465"),
            new("error", "E_o1 = ½(target_o1 − out_o1)²", 0.5 * (t1 - ao[0, 0]) * (t1 - ao[0, 0]), "0.274811083"),
            new("error", "E_o2", 0.5 * (t2 - ao[0, 1]) * (t2 - ao[0, 1]), "0.023560026"),
            new("error", "E_total (engine's cost)", total, "0.298371109"),
            new("output deltas δ = ∂E/∂net", "δ_o1", deltaO[0], "0.138498562"),
            new("output deltas δ = ∂E/∂net", "δ_o2", deltaO[1], null),
            new("hidden deltas δ = ∂E/∂net", "δ_h1", deltaH[0], null),
            new("hidden deltas δ = ∂E/∂net", "δ_h2", deltaH[1], null),
        };
        string[] outputNames = ["w5", "w6", "w7", "w8"], hiddenNames = ["w1", "w2", "w3", "w4"];
        string?[] outputGradients = ["0.082167041", null, null, null], hiddenGradients = ["0.000438568", null, null, null];
        string[] outputUpdated = ["0.35891648", "0.408666186", "0.511301270", "0.561370121"];
        string[] hiddenUpdated = ["0.149780716", "0.19956143", "0.24975114", "0.29950229"];
        AddWeights(rows, "output layer", output.Weights, dW2, outputNames, outputGradients, outputUpdated);
        AddWeights(rows, "hidden layer", hidden.Weights, dW1, hiddenNames, hiddenGradients, hiddenUpdated);
        return rows;
    }

    /// <summary>∂E/∂w and w⁺ = w − η·∂E/∂w for the four weights of a layer, row by row.</summary>
    private static void AddWeights(List<Row> rows, string layer, Matrix<double> w, Matrix<double> dw, string[] names,
        string?[] gradients, string[] updated)
    {
        for (int k = 0; k < 4; k++)
        {
            int r = k / 2, c = k % 2;
            rows.Add(new($"{layer}: ∂E/∂w", $"∂E/∂{names[k]}", dw[r, c], gradients[k]));
        }
        for (int k = 0; k < 4; k++)
        {
            int r = k / 2, c = k % 2;
            rows.Add(new($"{layer}: w⁺ = w − η·∂E/∂w", $"{names[k]}⁺", w[r, c] - LearningRate * dw[r, c], updated[k]));
        }
    }
}
