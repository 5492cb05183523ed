using System.Buffers;
using System.Text;
using System.Text.Json;
using Backprop.Data;
using Backprop.Evaluation;
using Backprop.Layers;
using Backprop.Networks;
using Backprop.Numerics;

namespace Backprop.Web.Playground;

/// <summary>A rendered frame: its JSON and the accuracies it shows.</summary>
public sealed record PlaygroundFrame(string Json, double TrainAccuracy, double? TestAccuracy);

/// <summary>
/// Turns the network's current state into what the page draws: the decision regions over the plane (predicted class and
/// its probability on a <see cref="Grid"/>² grid), every shown unit's activation over the plane (a <see cref="MapGrid"/>²
/// heat map, read from the same forward pass), the weights between shown units, and the train and test loss and accuracy.
/// Layers with more than <see cref="ShownUnits"/> units show those with the largest outgoing weights.
/// </summary>
internal sealed class PlaygroundFrames
{
    public const int Grid = 96, MapStride = 4, MapGrid = Grid / MapStride, ShownUnits = 8;

    private readonly Network<double> net;
    private readonly Matrix<double> plane, trainX, trainY;
    private readonly Matrix<double>? testX, testY;
    private readonly Dataset train;
    private readonly Dataset? test;
    private readonly Matrix<double>[] outputs;
    private readonly Matrix<double> outputZ;

    public PlaygroundFrames(Network<double> network, PlaygroundSets sets)
    {
        net = network;
        train = sets.Train;
        test = sets.Test;
        trainX = train.FeaturesAs<double>();
        trainY = Targets.OneHot<double>(train.Labels, train.Classes, net.Spec.Outputs);
        if (test is not null)
        {
            testX = test.FeaturesAs<double>();
            testY = Targets.OneHot<double>(test.Labels, test.Classes, net.Spec.Outputs);
        }
        // The plane's cell centres, top row first (y falls as the row index grows, as on the page).
        var e = sets.Extent;
        plane = new Matrix<double>(Grid * Grid, 2);
        for (int i = 0; i < Grid; i++)
            for (int j = 0; j < Grid; j++)
            {
                plane[i * Grid + j, 0] = e[0] + (j + 0.5) / Grid * (e[1] - e[0]);
                plane[i * Grid + j, 1] = e[3] - (i + 0.5) / Grid * (e[3] - e[2]);
            }
        outputs = net.Layers.Select(l => new Matrix<double>(Grid * Grid, l.Outputs)).ToArray();
        outputZ = new Matrix<double>(Grid * Grid, net.Spec.Outputs);
    }

    /// <summary>The stream's first message: the points, the plane, the classes and the network's shape.</summary>
    public static string Init(PlaygroundRun run)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("id", run.Id);
            w.WriteString("description", run.Sets.Description);
            w.WriteString("network", run.Spec.ToString());
            w.WriteString("training", run.Config.Training.ToString());
            w.WriteNumber("parameters", run.Spec.ParameterCount);
            WriteInts(w, "layers", run.Spec.LayerSizes);
            w.WriteStartArray("classes");
            foreach (var c in run.Sets.Train.ClassNames) w.WriteStringValue(c);
            w.WriteEndArray();
            w.WriteStartArray("extent");
            foreach (var v in run.Sets.Extent) w.WriteNumberValue(v);
            w.WriteEndArray();
            WritePoints(w, "train", run.Sets.Train);
            if (run.Sets.Test is { } t) WritePoints(w, "test", t);
            w.WriteNumber("grid", Grid);
            w.WriteNumber("mapGrid", MapGrid);
            w.WriteNumber("epochs", run.Config.Epochs);
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    public PlaygroundFrame Render(RunState state, int epoch, int epochs, double seconds, string? reason)
    {
        double trainLoss = net.Cost(trainX, trainY), trainAccuracy = Metrics.Accuracy(net.Predict(trainX), train.Labels);
        double? testLoss = null, testAccuracy = null;
        if (testX is not null)
        {
            testLoss = net.Cost(testX, testY!);
            testAccuracy = Metrics.Accuracy(net.Predict(testX), test!.Labels);
        }
        // One forward pass over the plane through the engine's layers, keeping every layer's activations for the maps.
        var layers = net.Layers;
        var input = plane;
        for (int l = 0; l < layers.Count; l++)
        {
            bool last = l == layers.Count - 1;
            layers[l].Forward(input, last ? outputZ : outputs[l], outputs[l]);
            input = outputs[l];
        }
        var probabilities = outputs[^1];

        var buffer = new ArrayBufferWriter<byte>();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("state", state.ToString().ToLowerInvariant());
            w.WriteNumber("epoch", epoch);
            w.WriteNumber("epochs", epochs);
            w.WriteNumber("seconds", Math.Round(seconds, 3));
            if (reason is not null) w.WriteString("reason", reason);
            w.WriteNumber("trainLoss", trainLoss);
            w.WriteNumber("trainAccuracy", trainAccuracy);
            if (testLoss is double tl) w.WriteNumber("testLoss", tl); else w.WriteNull("testLoss");
            if (testAccuracy is double ta) w.WriteNumber("testAccuracy", ta); else w.WriteNull("testAccuracy");

            // Decision regions: the predicted class and its probability (0..255) per cell.
            int k = probabilities.Cols, cells = Grid * Grid;
            var classes = new byte[cells];
            var confidence = new byte[cells];
            for (int c = 0; c < cells; c++)
            {
                var row = probabilities.Row(c);
                int best = 0;
                for (int j = 1; j < k; j++) if (row[j] > row[best]) best = j;
                classes[c] = (byte)best;
                confidence[c] = ToByte(row[best]);
            }
            w.WriteStartObject("boundary");
            w.WriteBase64String("classes", classes);
            w.WriteBase64String("confidence", confidence);
            w.WriteEndObject();

            // Shown units per layer (inputs: both), their heat maps and the weights between shown units.
            var shown = new int[layers.Count + 1][];
            shown[0] = [0, 1];
            for (int l = 0; l < layers.Count; l++) shown[l + 1] = l == layers.Count - 1 ? Enumerable.Range(0, layers[l].Outputs).ToArray() : Strongest(l + 1);
            w.WriteStartArray("layers");
            for (int l = 0; l < layers.Count; l++)
            {
                bool last = l == layers.Count - 1;
                w.WriteStartObject();
                w.WriteNumber("units", layers[l].Outputs);
                WriteInts(w, "shown", shown[l + 1]);
                w.WriteStartArray("maps");
                foreach (int u in shown[l + 1]) w.WriteBase64StringValue(Map(outputs[l], u, last || layers[l].Activation == Activation.Sigmoid));
                w.WriteEndArray();
                // weights[o][i] from shown input i to shown unit o.
                var weights = layers[l].Weights;
                w.WriteStartArray("weights");
                foreach (int o in shown[l + 1])
                {
                    w.WriteStartArray();
                    foreach (int i in shown[l]) w.WriteNumberValue(Math.Round(weights[o, i], 5));
                    w.WriteEndArray();
                }
                w.WriteEndArray();
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return new PlaygroundFrame(Encoding.UTF8.GetString(buffer.WrittenSpan), trainAccuracy, testAccuracy);
    }

    /// <summary>The <see cref="ShownUnits"/> units of hidden layer <paramref name="layer"/> (1-based) with the largest outgoing weights, in index order.</summary>
    private int[] Strongest(int layer)
    {
        var next = net.Layers[layer].Weights;   // [units of layer + 1, units of layer]
        int units = next.Cols;
        if (units <= ShownUnits) return Enumerable.Range(0, units).ToArray();
        var norms = new double[units];
        for (int o = 0; o < next.Rows; o++)
            for (int u = 0; u < units; u++) norms[u] += next[o, u] * next[o, u];
        return Enumerable.Range(0, units).OrderByDescending(u => norms[u]).ThenBy(u => u).Take(ShownUnits).Order().ToArray();
    }

    /// <summary>Unit <paramref name="unit"/>'s activation on every <see cref="MapStride"/>-th cell: probabilities and sigmoid
    /// outputs as 0..1 → 0..255; tanh and ReLU as v / max|v| (−1..1) → 0..255, 0 at 127.5.</summary>
    private static byte[] Map(Matrix<double> activations, int unit, bool unitInterval)
    {
        var map = new byte[MapGrid * MapGrid];
        double scale = 0;
        if (!unitInterval)
            for (int i = 0; i < MapGrid; i++)
                for (int j = 0; j < MapGrid; j++) scale = Math.Max(scale, Math.Abs(activations[Cell(i, j), unit]));
        if (scale == 0) scale = 1;
        for (int i = 0; i < MapGrid; i++)
            for (int j = 0; j < MapGrid; j++)
            {
                double v = activations[Cell(i, j), unit];
                map[i * MapGrid + j] = unitInterval ? ToByte(v) : ToByte((v / scale + 1) / 2);
            }
        return map;
    }

    private static int Cell(int i, int j) => (i * MapStride + MapStride / 2) * Grid + j * MapStride + MapStride / 2;

    private static byte ToByte(double v) => (byte)Math.Clamp((int)Math.Round(v * 255), 0, 255);

    private static void WriteInts(Utf8JsonWriter w, string name, IEnumerable<int> values)
    {
        w.WriteStartArray(name);
        foreach (var v in values) w.WriteNumberValue(v);
        w.WriteEndArray();
    }

    private static void WritePoints(Utf8JsonWriter w, string name, Dataset d)
    {
        w.WriteStartObject(name);
        w.WriteStartArray("x");
        foreach (var v in d.Features) w.WriteNumberValue(v);
        w.WriteEndArray();
        WriteInts(w, "y", d.Labels);
        w.WriteEndObject();
    }
}
