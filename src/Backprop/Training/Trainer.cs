using System.Diagnostics;
using System.Numerics;
using Backprop.Evaluation;
using Backprop.Layers;
using Backprop.Networks;
using Backprop.Numerics;
using Backprop.Training.Optimizers;
using Backprop.Training.Schedules;

namespace Backprop.Training;

/// <summary>What a training run produced.</summary>
public sealed record TrainingResult(TrainingHistory History, int Epochs, double FinalCost, string StopReason, double Seconds);

/// <summary>
/// Trains a <see cref="Network{T}"/> on labelled data: mini-batch epochs with a step optimizer and a
/// learning-rate schedule (optionally with dropout and a running average of the parameters, EMA or SWA),
/// or full-batch iterations of L-BFGS / conjugate gradient. After every epoch it
/// records cost, train and validation accuracy and time, calls <see cref="EpochEnded"/> (return false to
/// stop), and stops with a <see cref="TrainingDivergedException"/> — parameters restored to the last good
/// epoch — when the cost becomes NaN or infinite, or an epoch's mean cost exceeds <see cref="DivergenceFactor"/>
/// times the cost of the initial parameters (the first mini-batch's).
/// <para>With averaging, the epoch's accuracies are those of the averaged parameters, and the network ends
/// with them (or with the best epoch's average under early stopping); the optimizer itself continues from
/// its own iterate. Dropout masks are drawn per batch from NumPy's generator seeded with
/// <see cref="TrainingOptions.Seed"/> + 1, shift augmentation's translations from one seeded with
/// <see cref="TrainingOptions.Seed"/> + 2, elastic distortions from one seeded with <see cref="TrainingOptions.Seed"/> + 3
/// (shuffling uses <see cref="TrainingOptions.Seed"/>). With both augmentations a sample is shifted, then distorted.</para>
/// <para>A mini-batch epoch reads as three pieces: <see cref="MiniBatches{T}"/> is the batch source (the shuffled order,
/// each batch's targets, its samples in place or copied and augmented, its dropout masks); <c>Step</c> makes one
/// optimizer step on a batch; <c>EndOfEpoch</c> updates the schedule, checks for divergence, records the epoch and
/// applies the stop rules, the checkpoint and cancellation.</para>
/// </summary>
public sealed class Trainer<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public Trainer(Network<T> network, TrainingOptions options)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Network = network;
        Options = options;
    }

    /// <summary>An epoch whose mean cost is more than this many times the initial cost has diverged (three orders of magnitude).</summary>
    public const double DivergenceFactor = 1000;

    public Network<T> Network { get; }
    public TrainingOptions Options { get; }
    /// <summary>
    /// The generator that shuffles the mini-batches; null: a new <c>RandomState(Options.Seed)</c>. Pass the one
    /// that drew the initial weights to continue its stream, as notebooks that keep one <c>RandomState</c> do.
    /// </summary>
    public NumPyRandom? Random { get; set; }
    /// <summary>Called after every epoch with its record; return false to stop training. With averaging, the network
    /// holds the optimizer's own iterate during the call (the record's accuracies are the average's).</summary>
    public Func<EpochRecord, bool>? EpochEnded { get; set; }
    /// <summary>
    /// Mini-batch runs: called after every <see cref="CheckpointEvery"/>-th whole epoch, after the last one and after the
    /// epoch at which <see cref="Cancellation"/> stops the run (unless training stops by its own rules), with the state to
    /// resume from, e.g. to write a checkpoint file. Each call copies the whole state (parameters, optimizer moments,
    /// history), so a run that only needs it when interrupted sets <see cref="CheckpointEvery"/> to <see cref="int.MaxValue"/>.
    /// </summary>
    public Action<TrainingCheckpoint>? CheckpointReady { get; set; }
    /// <summary>Epochs between two calls of <see cref="CheckpointReady"/> (at least 1; default every epoch).</summary>
    public int CheckpointEvery
    {
        get => checkpointEvery;
        set => checkpointEvery = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "Checkpoints come every N ≥ 1 epochs.");
    }
    private int checkpointEvery = 1;
    /// <summary>Mini-batch runs: continue from this checkpoint (its epoch + 1) to <see cref="TrainingOptions.Epochs"/>.</summary>
    public TrainingCheckpoint? ResumeFrom { get; set; }
    /// <summary>Checked after every epoch (and its checkpoint): when cancelled, training stops there ("cancelled after epoch N").</summary>
    public CancellationToken Cancellation { get; set; }

    /// <summary>Trains on X [n, inputs] with labels 0..classes−1; validation data is optional.</summary>
    public TrainingResult Fit(Matrix<T> x, int[] labels, Matrix<T>? validX = null, int[]? validLabels = null)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(labels);
        if (labels.Length != x.Rows) throw new ArgumentException($"{x.Rows} samples but {labels.Length} labels.");
        if (x.Rows == 0) throw new ArgumentException("The training set is empty.");
        if ((validX is null) != (validLabels is null)) throw new ArgumentException("Pass both validation features and labels, or neither.");
        if (validX is not null && validLabels!.Length != validX.Rows) throw new ArgumentException($"{validX.Rows} validation samples but {validLabels.Length} labels.");
        int classes = Network.Spec.Outputs == 1 ? 2 : Network.Spec.Outputs;
        // Mini-batches build their own target rows from the labels; the whole one-hot matrix only when full batches need it.
        Targets.Validate(labels, classes, Network.Spec.Outputs);
        if (Options.IsFullBatchMinimizer && (ResumeFrom is not null || CheckpointReady is not null))
            throw new ArgumentException($"Checkpoints need a mini-batch optimizer (sgd, momentum, nesterov, adam, gd); {TrainingOptions.OptimizerName(Options.Optimizer)} keeps its line search's state to itself.");
        var run = new Run(this, x, labels, classes, validX, validLabels);
        return Options.IsFullBatchMinimizer ? run.FullBatch() : run.MiniBatch();
    }

    private sealed class Run(Trainer<T> trainer, Matrix<T> x, int[] labels, int classes, Matrix<T>? validX, int[]? validLabels)
    {
        private readonly Network<T> net = trainer.Network;
        private readonly TrainingOptions o = trainer.Options;
        private readonly TrainingHistory history = new();
        private readonly Stopwatch clock = Stopwatch.StartNew();
        /// <summary>Training time before this process (a resumed run's clock continues).</summary>
        private double secondsBefore;
        private double Elapsed => secondsBefore + clock.Elapsed.TotalSeconds;
        private double bestValid = double.NegativeInfinity;
        private int epochsSinceBest;
        private T[]? bestParameters;
        private ParameterAverage<T>? average;
        private T[]? raw;

        /// <summary>The parameters at the end of the last good epoch, restored when a mini-batch run diverges.</summary>
        private T[] lastGood = [];
        /// <summary>The first batch's cost, before any step: the reference for divergence.</summary>
        private double initialCost = double.NaN;
        private long samplesSeen;

        /// <summary>Epochs of batches from <see cref="MiniBatches{T}"/>, each a <see cref="Step"/>, then <see cref="EndOfEpoch"/>.</summary>
        public TrainingResult MiniBatch()
        {
            IStepOptimizer<T> optimizer = o.Optimizer switch
            {
                OptimizerKind.GradientDescent or OptimizerKind.Sgd => new GradientDescent<T>(),
                OptimizerKind.Momentum => new Momentum<T>(o.Momentum),
                OptimizerKind.Nesterov => new Momentum<T>(o.Momentum, nesterov: true),
                _ => new Adam<T>(),
            };
            average = o.Averaging switch
            {
                AveragingKind.Ema => ParameterAverage<T>.Ema(net.ParameterCount, o.AveragingDecay),
                AveragingKind.Swa => ParameterAverage<T>.Uniform(net.ParameterCount),
                _ => null,
            };
            var schedule = LearningRateSchedule.For(o);   // every schedule with the same stall rule (StopWhenStalled)
            var batches = new MiniBatches<T>(x, labels, classes, net.Spec, o, trainer.Random ?? new NumPyRandom((uint)o.Seed));
            lastGood = (T[])net.Parameters.Clone();
            int firstEpoch = 1;
            if (trainer.ResumeFrom is { } resume)
            {
                Restore(resume, optimizer, batches, schedule);
                samplesSeen = resume.SamplesSeen;
                net.Parameters.CopyTo(lastGood, 0);
                firstEpoch = resume.Epoch + 1;
            }
            for (int epoch = firstEpoch; epoch <= o.Epochs; epoch++)
            {
                double rate = schedule.Rate;
                batches.Shuffle();
                double costSum = 0;
                for (int start = 0; start < batches.Samples; start += batches.Size)
                {
                    var batch = batches.Take(start);
                    costSum += Step(batch, optimizer, epoch, rate) * batch.Count;
                }
                if (EndOfEpoch(epoch, costSum / batches.Samples, rate, optimizer, batches, schedule) is string stop) return Finish(stop);
            }
            return Finish($"completed {o.Epochs} epoch{(o.Epochs == 1 ? "" : "s")}");
        }

        /// <summary>One step on <paramref name="batch"/>: cost and gradient, the optimizer's step, the average's update; returns
        /// the batch's cost. A NaN or infinite cost restores the last good parameters and throws.</summary>
        private double Step(MiniBatches<T>.Batch batch, IStepOptimizer<T> optimizer, int epoch, double rate)
        {
            double cost = batch.CostAndGradient(net, o.Lambda);
            if (!double.IsFinite(cost))
            {
                lastGood.CopyTo(net.Parameters, 0);
                throw new TrainingDivergedException(
                    $"Training diverged in epoch {epoch} (samples {batch.Start}..{batch.Start + batch.Count - 1}): the cost became {(double.IsNaN(cost) ? "NaN" : "infinite")}. " +
                    $"The parameters were restored to the end of epoch {epoch - 1}. Lower the learning rate (now {rate:G4}) or check the data for huge values.");
            }
            if (double.IsNaN(initialCost)) initialCost = cost;
            optimizer.Step(net.Parameters, net.Gradient, rate);
            if (average is not null && epoch >= o.AveragingStart) average.Update(net.Parameters);
            return cost;
        }

        /// <summary>
        /// After an epoch of steps: the schedule's update, the divergence checks (a non-finite parameter, or a mean cost
        /// beyond <see cref="DivergenceFactor"/> times the initial one: restore the last good parameters and throw), the
        /// epoch's record (<see cref="EndEpoch"/>), the stop rules, the checkpoint and cancellation. Returns why training
        /// stops, or null to go on.
        /// </summary>
        private string? EndOfEpoch(int epoch, double epochCost, double rate, IStepOptimizer<T> optimizer, MiniBatches<T> batches, LearningRateSchedule schedule)
        {
            samplesSeen += batches.Samples;
            schedule.EpochEnded(samplesSeen, epochCost);
            if (!AllFinite(net.Parameters))
            {
                lastGood.CopyTo(net.Parameters, 0);
                throw new TrainingDivergedException($"Training diverged in epoch {epoch}: a parameter became NaN or infinite. The parameters were restored to the end of epoch {epoch - 1}. Lower the learning rate (now {rate:G4}).");
            }
            if (initialCost > 0 && epochCost > DivergenceFactor * initialCost)
            {
                lastGood.CopyTo(net.Parameters, 0);
                string restored = epoch == 1 ? "the initial ones" : $"the end of epoch {epoch - 1}";
                throw new TrainingDivergedException(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                    $"Training diverged in epoch {epoch}: the cost {epochCost:G4} is more than {DivergenceFactor:G} times the initial {initialCost:G4}. " +
                    $"The parameters were restored to {restored}. Lower the learning rate (now {rate:G4})."));
            }
            net.Parameters.CopyTo(lastGood, 0);
            if (!EndEpoch(epoch, epochCost, rate, out var reason)) return reason;
            if (schedule.ShouldStop) return schedule.StopReason!;
            bool cancelled = trainer.Cancellation.IsCancellationRequested;
            if (trainer.CheckpointReady is { } ready && (cancelled || epoch % trainer.CheckpointEvery == 0 || epoch == o.Epochs))
                ready(Capture(epoch, optimizer, batches, schedule));
            if (trainer.Cancellation.IsCancellationRequested) return $"cancelled after epoch {epoch}";   // also when cancelled in the checkpoint's callback
            return null;
        }

        public TrainingResult FullBatch()
        {
            IMinimizer minimizer = o.Optimizer switch
            {
                OptimizerKind.Lbfgs => new Lbfgs(),
                OptimizerKind.TruncatedNewton => new TruncatedNewton(),   // o.Epochs is its bound on function evaluations
                _ => new ConjugateGradient(),
            };
            var objective = net.CreateObjective(x, Targets.OneHot<T>(labels, classes, net.Spec.Outputs), o.Lambda);
            var parameters = (T[])net.Parameters.Clone();
            string? stop = null;
            var result = minimizer.Minimize<T>(objective, parameters, o.Epochs, report =>
            {
                // The objective left the network at the last evaluated point; evaluate the accepted one.
                if (!report.Point.IsEmpty) Numerics.Convert.Copy<double, T>(report.Point.Span, net.Parameters);
                if (!EndEpoch(report.Iteration, report.Cost, 0, out var reason)) { stop = reason; return false; }
                if (trainer.Cancellation.IsCancellationRequested) { stop = $"cancelled after epoch {report.Iteration}"; return false; }
                return true;
            });
            parameters.CopyTo(net.Parameters, 0);
            if (!double.IsFinite(result.Cost) || !AllFinite(net.Parameters))
                throw new TrainingDivergedException($"{minimizer.Name} stopped: {result.Message} The cost became NaN or infinite; check the data for NaN or huge values.");
            return Finish(stop ?? result.Message, result.Cost);   // tnc may spend its whole budget before a first iteration
        }

        private (Matrix<T> X, int[] Labels)? trainSample;

        /// <summary>Accuracy on the training rows, or on the fixed sample of them that <see cref="TrainingOptions.TrainAccuracyRows"/> asks for.</summary>
        private double TrainAccuracy()
        {
            if (o.TrainAccuracyRows <= 0 || o.TrainAccuracyRows >= x.Rows) return Metrics.Accuracy(net.Predict(x), labels);
            if (trainSample is null)
            {
                // Its own generator: the sample changes none of the training's random streams.
                var rows = new NumPyRandom((uint)o.Seed + 4).Permutation(x.Rows)[..o.TrainAccuracyRows];
                Array.Sort(rows);
                var sx = new Matrix<T>(rows.Length, x.Cols);
                new RowSelection<T>(x, rows, 0, rows.Length).CopyTo(sx);
                trainSample = (sx, rows.Select(r => labels[r]).ToArray());
            }
            return Metrics.Accuracy(net.Predict(trainSample.Value.X), trainSample.Value.Labels);
        }

        /// <summary>Records the epoch; false (with a reason) when training should stop.</summary>
        private bool EndEpoch(int epoch, double cost, double rate, out string reason)
        {
            reason = "";
            // Evaluate (and keep, for early stopping) the averaged parameters once there are any.
            bool averaged = average is { Count: > 0 };
            if (averaged)
            {
                raw ??= new T[net.ParameterCount];
                net.Parameters.CopyTo(raw, 0);
                average!.CopyTo(net.Parameters);
            }
            double? train = o.TrackTrainAccuracy ? TrainAccuracy() : null;
            double? valid = validX is null ? null : Metrics.Accuracy(net.Predict(validX), validLabels!);
            if (valid is double better && o.EarlyStoppingPatience > 0 && better > bestValid)
            {
                bestParameters ??= new T[net.ParameterCount];
                net.Parameters.CopyTo(bestParameters, 0);
            }
            if (averaged) raw!.CopyTo(net.Parameters, 0);
            var record = new EpochRecord(epoch, cost, train, valid, Elapsed, rate);
            history.Add(record);
            if (trainer.EpochEnded is { } callback && !callback(record)) { reason = $"stopped by the callback after epoch {epoch}"; return false; }
            if (valid is double v && o.EarlyStoppingPatience > 0)
            {
                if (v > bestValid)
                {
                    bestValid = v;   // its parameters were kept above
                    epochsSinceBest = 0;
                }
                else if (++epochsSinceBest >= o.EarlyStoppingPatience)
                {
                    reason = $"early stopping: validation accuracy did not improve for {o.EarlyStoppingPatience} epochs (best {bestValid:P2}, restored)";
                    return false;
                }
            }
            return true;
        }

        private TrainingResult Finish(string stop, double costIfNoEpoch = double.NaN)
        {
            if (bestParameters is not null) bestParameters.CopyTo(net.Parameters, 0);
            else if (average is { Count: > 0 }) average.CopyTo(net.Parameters);
            double final = history.Count > 0 ? history[^1].Cost : costIfNoEpoch;
            return new TrainingResult(history, history.Count, final, stop, Elapsed);
        }

        /// <summary>The whole state after <paramref name="epoch"/> (see <see cref="TrainingCheckpoint"/>).</summary>
        private TrainingCheckpoint Capture(int epoch, IStepOptimizer<T> optimizer, MiniBatches<T> batches, LearningRateSchedule schedule)
        {
            long steps = 0;
            var s = schedule.State;
            T[][] buffers = [];
            switch (optimizer)
            {
                case Adam<T> adam: (steps, buffers) = adam.SaveState(); break;
                case Momentum<T> momentum: buffers = momentum.SaveState(); break;
            }
            return new TrainingCheckpoint
            {
                Epoch = epoch,
                Seconds = Elapsed,
                SamplesSeen = samplesSeen,
                Precision = typeof(T) == typeof(float) ? "float32" : "float64",
                Training = o.ToString(),
                Parameters = ToDouble(net.Parameters),
                OptimizerSteps = steps,
                OptimizerState = buffers.Select(b => ToDouble(b)).ToArray(),
                Order = (int[])batches.Order.Clone(),
                Shuffle = batches.Random.GetState(),
                Dropout = batches.Dropout?.Random.GetState(),
                Shift = batches.ShiftRandom?.GetState(),
                Elastic = batches.ElasticRandom?.GetState(),
                Average = average is null ? null : ToDouble(average.Average),
                AverageCount = average?.Count ?? 0,
                ScheduleRate = s.Rate,
                ScheduleBestCost = s.OwnBest,
                ScheduleNoImprovement = s.OwnCount,
                StallBestCost = s.StallBest,
                StallNoImprovement = s.StallCount,
                BestValid = double.IsFinite(bestValid) ? bestValid : null,
                EpochsSinceBest = epochsSinceBest,
                BestParameters = bestParameters is null ? null : ToDouble(bestParameters),
                History = history.ToArray(),
            };
        }

        /// <summary>Puts the run back into <paramref name="c"/>'s state (the inverse of <see cref="Capture"/>).</summary>
        private void Restore(TrainingCheckpoint c, IStepOptimizer<T> optimizer, MiniBatches<T> batches, LearningRateSchedule schedule)
        {
            var (order, dropoutRandom, shiftRandom, elasticRandom) = (batches.Order, batches.Dropout?.Random, batches.ShiftRandom, batches.ElasticRandom);
            string precision = typeof(T) == typeof(float) ? "float32" : "float64";
            if (c.Precision != precision) throw new ArgumentException($"The checkpoint is of a {c.Precision} run; this one is {precision}.");
            if (c.Training != o.ToString()) throw new ArgumentException($"The checkpoint was written by a run with '{c.Training}'; this run has '{o}'.");
            if (c.Parameters.Length != net.ParameterCount) throw new ArgumentException($"The checkpoint holds {c.Parameters.Length} parameters; the network {net.Spec} has {net.ParameterCount}.");
            if (c.Order.Length != order.Length) throw new ArgumentException($"The checkpoint's run had {c.Order.Length} training samples; this one has {order.Length}.");
            if (c.Epoch > o.Epochs) throw new ArgumentException($"The checkpoint is after epoch {c.Epoch}, beyond the run's {o.Epochs} epochs.");
            if ((c.Dropout is null) != (dropoutRandom is null) || (c.Shift is null) != (shiftRandom is null) || (c.Elastic is null) != (elasticRandom is null)
                || (c.Average is null) != (average is null))
                throw new ArgumentException("The checkpoint's run used dropout, shifts, elastic distortion or averaging differently from this one.");
            FromDouble(c.Parameters, net.Parameters);
            var buffers = c.OptimizerState.Select(b => { var t = new T[b.Length]; FromDouble(b, t); return t; }).ToArray();
            switch (optimizer)
            {
                case Adam<T> adam: adam.RestoreState(c.OptimizerSteps, buffers); break;
                case Momentum<T> momentum: momentum.RestoreState(buffers); break;
            }
            c.Order.CopyTo(order, 0);
            batches.Random.SetState(c.Shuffle);
            if (c.Dropout is not null) dropoutRandom!.SetState(c.Dropout);
            if (c.Shift is not null) shiftRandom!.SetState(c.Shift);
            if (c.Elastic is not null) elasticRandom!.SetState(c.Elastic);
            if (c.Average is not null)
            {
                var a = new T[c.Average.Length];
                FromDouble(c.Average, a);
                average!.Restore(a, c.AverageCount);
            }
            schedule.Restore(c.Epoch, c.SamplesSeen, c.ScheduleRate, c.ScheduleBestCost, c.ScheduleNoImprovement, c.StallBestCost, c.StallNoImprovement);
            bestValid = c.BestValid ?? double.NegativeInfinity;
            epochsSinceBest = c.EpochsSinceBest;
            if (c.BestParameters is not null)
            {
                bestParameters = new T[net.ParameterCount];
                FromDouble(c.BestParameters, bestParameters);
            }
            history.AddRange(c.History);
            secondsBefore = c.Seconds;
        }

        private static double[] ToDouble(ReadOnlySpan<T> values)
        {
            var d = new double[values.Length];
            for (int i = 0; i < d.Length; i++) d[i] = double.CreateTruncating(values[i]);
            return d;
        }

        private static void FromDouble(double[] values, T[] destination)
        {
            for (int i = 0; i < values.Length; i++) destination[i] = T.CreateTruncating(values[i]);
        }

        private static bool AllFinite(T[] values)
        {
            foreach (var v in values) if (!T.IsFinite(v)) return false;
            return true;
        }
    }
}
