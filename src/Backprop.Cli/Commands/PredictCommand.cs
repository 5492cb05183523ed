using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Backprop.Models;

namespace Backprop.Cli.Commands;

/// <summary>
/// <c>backprop predict --model M --input FILE… [--json] [--out FILE.csv]</c>: a saved model applied to new samples
/// (scikit-learn's predict / predict_proba): the label and its probability per sample, and the accuracy when the file
/// carries labels. Inputs are read by <see cref="PredictInputs"/>.
/// </summary>
internal static class PredictCommand
{
    public static Command Create()
    {
        var modelPath = new Option<string>("--model") { Description = "A model saved by 'backprop train' (or Model.Save, or 'backprop import')", Required = true };
        var input = new Option<string[]>("--input")
        {
            Description = "Samples: a CSV (features only, or with the label last), .npy, .npz or .mat (X; y is scored when present), MNIST idx (raw or .gz), or one or more PNG/JPEG digit images",
            Required = true,
            AllowMultipleArgumentsPerToken = true,
        };
        var output = new Option<string?>("--out") { Description = "Also write the predictions as CSV: index, label, confidence, one probability column per class" };
        var json = Options.Json();
        var command = new Command("predict",
            "Apply a saved model to new samples: one line per sample (index, label, confidence). JSON: labels, probabilities, classes (and accuracy when the input has labels)")
        {
            modelPath, input, output, json,
        };
        command.SetAction(parse =>
        {
            var stdout = parse.InvocationConfiguration.Output;
            string path = parse.GetValue(modelPath)!;
            var inputs = parse.GetValue(input) ?? [];
            string? outPath = string.IsNullOrWhiteSpace(parse.GetValue(output)) ? null : parse.GetValue(output);
            if (outPath is not null) Options.RequireOutputFile(outPath, "--out");
            var model = ExportCommand.Load(path);
            var data = PredictInputs.Read(inputs, model);

            var probabilities = model.PredictProba(data.Features, data.Count);
            int k = model.ClassNames.Count;
            int units = model.Spec.Outputs;
            var labels = new int[data.Count];
            var confidence = new double[data.Count];
            var perClass = new double[data.Count * k];
            for (int i = 0; i < data.Count; i++)
            {
                var p = ClassProbabilities(probabilities.AsSpan(i * units, units), k);
                p.CopyTo(perClass.AsSpan(i * k, k));
                labels[i] = ArgMax(p);
                confidence[i] = p[labels[i]];
            }
            var score = Score(data, labels, model, parse.InvocationConfiguration.Error);

            if (outPath is not null)
                Options.WriteOutput(outPath, "--out", () => AtomicFile.WriteAllText(outPath, Csv(model, labels, confidence, perClass)));
            if (parse.GetValue(json))
            {
                var o = new JsonObject
                {
                    ["model"] = path,
                    ["input"] = data.SampleNames is null ? data.Source : Cli.ToJsonArray(data.SampleNames),
                    ["samples"] = data.Count,
                    ["classes"] = Cli.ToJsonArray(model.ClassNames),
                    ["labels"] = Cli.ToJsonArray(labels.Select(l => model.ClassNames[l])),
                    ["probabilities"] = new JsonArray(Enumerable.Range(0, data.Count)
                        .Select(i => (JsonNode?)Cli.ToJsonArray(perClass.AsSpan(i * k, k).ToArray())).ToArray()),
                };
                if (score is { } s)
                {
                    o["accuracy"] = s.Accuracy;
                    o["scored"] = s.Scored;
                }
                if (outPath is not null) o["out"] = outPath;
                Cli.WriteJson(stdout, o);
            }
            else
            {
                var c = CultureInfo.InvariantCulture;
                stdout.WriteLine($"model      {path}: {model.Spec}, {model.ClassNames.Count} classes");
                stdout.WriteLine($"input      {data.Source}: {data.Count} sample{(data.Count == 1 ? "" : "s")} x {data.Width} features");
                if (outPath is null)
                {
                    stdout.WriteLine("index  label  confidence");
                    for (int i = 0; i < data.Count; i++)
                        stdout.WriteLine(string.Create(c, $"{i,5}  {model.ClassNames[labels[i]],5}  {confidence[i],10:F4}{(data.SampleNames is null ? "" : "  " + data.SampleNames[i])}"));
                }
                else
                    stdout.WriteLine($"predictions {data.Count} rows written to {outPath}");
                if (score is { } s)
                    stdout.WriteLine(string.Create(c, $"accuracy   {s.Accuracy * 100:F2} % ({s.Scored} samples, labels from {data.LabelSource})"));
            }
            return Cli.Ok;
        });
        return command;
    }

    /// <summary>One probability per class: the output row, or (a single sigmoid unit) [1 − p, p].</summary>
    private static double[] ClassProbabilities(ReadOnlySpan<double> output, int classes) =>
        output.Length == classes ? output.ToArray() : [1 - output[0], output[0]];

    /// <summary>The first index of the largest value, as <see cref="Model.Predict(ReadOnlySpan{double}, int)"/> decides.</summary>
    private static int ArgMax(ReadOnlySpan<double> p)
    {
        int best = 0;
        for (int j = 1; j < p.Length; j++) if (p[j] > p[best]) best = j;
        return best;
    }

    /// <summary>Accuracy against the file's labels when every label is one of the model's class names; otherwise a note on stderr.</summary>
    private static (double Accuracy, int Scored)? Score(PredictInput data, int[] labels, Model model, TextWriter stderr)
    {
        if (data.TrueLabels is null) return null;
        var index = model.ClassNames.Select((name, i) => (name, i)).ToDictionary(p => p.name, p => p.i, StringComparer.Ordinal);
        var unknown = data.TrueLabels.FirstOrDefault(l => !index.ContainsKey(l));
        if (unknown is not null)
        {
            stderr.WriteLine($"backprop: note: {data.Source}: label '{unknown}' in {data.LabelSource} is not one of the model's classes ({string.Join(", ", model.ClassNames)}); the labels are ignored.");
            return null;
        }
        int correct = 0;
        for (int i = 0; i < labels.Length; i++) if (index[data.TrueLabels[i]] == labels[i]) correct++;
        return ((double)correct / Math.Max(labels.Length, 1), labels.Length);
    }

    private static string Csv(Model model, int[] labels, double[] confidence, double[] perClass)
    {
        var c = CultureInfo.InvariantCulture;
        int k = model.ClassNames.Count;
        var sb = new StringBuilder();
        sb.Append("index,label,confidence");
        foreach (var name in model.ClassNames) sb.Append(",p_").Append(CsvCell(name));
        sb.Append('\n');
        for (int i = 0; i < labels.Length; i++)
        {
            sb.Append(i.ToString(c)).Append(',').Append(CsvCell(model.ClassNames[labels[i]])).Append(',').Append(confidence[i].ToString("R", c));
            for (int j = 0; j < k; j++) sb.Append(',').Append(perClass[i * k + j].ToString("R", c));
            sb.Append('\n');
        }
        return sb.ToString();
    }

    private static string CsvCell(string s) =>
        s.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? "\"" + s.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : s;
}
