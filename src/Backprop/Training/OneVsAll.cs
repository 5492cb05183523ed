using System.Numerics;
using Backprop.Layers;
using Backprop.Networks;
using Backprop.Numerics;

namespace Backprop.Training;

/// <summary>
/// One-vs-all logistic regression (the course's ex3 <c>oneVsAll</c>): for each class k, a logistic regression of
/// "class k" against the rest, minimized on its own from zero weights with the given options (ex3: fmincg 50,
/// λ = 0.1); the K classifiers become the rows of a network without a hidden layer and with K sigmoid outputs, so
/// predicting takes the class whose classifier is most confident (<c>predictOneVsAll</c>).
/// </summary>
/// <remarks>
/// Training the K outputs jointly minimizes the same summed cost, but one line search for all K classes takes other
/// steps than K separate ones; this is the course's protocol.
/// </remarks>
public static class OneVsAll
{
    /// <summary>Trains <paramref name="network"/> (inputs → K sigmoid outputs, no hidden layer) class by class.</summary>
    /// <param name="onEpoch">Sees (class, epoch record) of every class's run; false stops that class's run.</param>
    /// <returns>The history of all K runs one after another (epochs numbered on), the summed final cost (the cost of
    /// the assembled network) and the total time.</returns>
    public static TrainingResult Fit<T>(Network<T> network, Matrix<T> x, int[] labels, TrainingOptions options,
        Func<int, EpochRecord, bool>? onEpoch = null, CancellationToken cancellation = default)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(labels);
        var spec = network.Spec;
        if (spec.LayerSizes.Count != 2 || spec.OutputActivation != Activation.Sigmoid)
            throw new ArgumentException($"One-vs-all trains a network without a hidden layer and with sigmoid outputs, not {spec}.");
        int inputs = spec.Inputs, classes = spec.Outputs;
        var theta = new Matrix<T>(classes, inputs + 1);
        var history = new TrainingHistory();
        double cost = 0, seconds = 0;
        string stop = "";
        for (int k = 0; k < classes && !cancellation.IsCancellationRequested; k++)
        {
            var binary = new Network<T>(NetworkSpec.Create([inputs, 1], Activation.Sigmoid, Activation.Sigmoid));
            binary.Parameters.AsSpan().Clear();   // ex3: initial_theta = zeros(n + 1, 1)
            var y = labels.Select(l => l == k ? 1 : 0).ToArray();
            int offset = history.Count;
            double before = seconds;
            var trainer = new Trainer<T>(binary, options)
            {
                EpochEnded = e =>
                {
                    var record = e with { Epoch = offset + e.Epoch, Seconds = before + e.Seconds };
                    history.Add(record);
                    return onEpoch?.Invoke(k, record) ?? true;
                },
                Cancellation = cancellation,
            };
            var r = trainer.Fit(x, y);
            cost += r.FinalCost;
            seconds += r.Seconds;
            stop = r.StopReason;
            MatlabTheta.Export(binary.Layers[0]).Row(0).CopyTo(theta.Row(k));
        }
        MatlabTheta.Import(network.Layers[0], theta);
        return new TrainingResult(history, history.Count, cost, $"{classes} one-vs-all classifiers, the last: {(stop.Length > 0 ? char.ToLowerInvariant(stop[0]) + stop[1..] : stop)}", seconds);
    }
}
