using System.Diagnostics;
using System.Globalization;
using System.Threading.Channels;
using Backprop.Models;
using Backprop.Networks;
using Backprop.Training;

namespace Backprop.Web.Playground;

/// <summary>Where a run is: not started, training, paused by the page (or between single epochs), queued for a training
/// slot, finished (all epochs, or the time limit), stopped because the cost diverged, or failed.</summary>
public enum RunState { Paused, Running, Waiting, Done, Diverged, Failed }

/// <summary>
/// One page's training run. The library's pipeline (<see cref="PlaygroundConfig.Classifier"/>,
/// <see cref="MlpClassifier.CreateTrainer{T}"/>: float64, the settings' optimizer, initial weights drawn as the seed notebooks
/// draw them) makes the network and its <see cref="Trainer{T}"/>, which trains on a thread of its own; after every epoch its callback decides whether to go
/// on (play), hold (pause, or after a single step) or stop (cancelled, time limit), and at most
/// <see cref="PlaygroundLimits.FramesPerSecond"/> times a second renders a frame (<see cref="PlaygroundFrames"/>) into a
/// one-slot channel that the page's event stream reads; a slow page skips frames, the trainer never waits for it.
/// </summary>
public sealed class PlaygroundRun
{
    private readonly PlaygroundLimits limits;
    private readonly SemaphoreSlim slots;
    private readonly Channel<string> frames = Channel.CreateBounded<string>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropOldest });
    private readonly CancellationTokenSource cancel = new();
    private readonly SemaphoreSlim wake = new(0);
    private readonly Lock gate = new();
    private readonly Stopwatch trainingClock = new();
    private readonly TaskCompletionSource finished = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly MlpClassifier classifier;
    private readonly Trainer<double> trainer;
    private readonly Network<double> network;
    private PlaygroundFrames? renderer;
    private Thread? worker;
    private bool running, holdsSlot;
    private int steps, epoch;
    private long lastFrameTicks = long.MinValue;
    private double[] snapshot;
    private int snapshotEpoch;
    private double? snapshotTrain, snapshotTest;

    public PlaygroundRun(string id, PlaygroundConfig config, PlaygroundSets sets, PlaygroundLimits limits, SemaphoreSlim slots)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(sets);
        Id = id;
        Config = config;
        Sets = sets;
        this.limits = limits;
        this.slots = slots;
        classifier = config.Classifier();
        Spec = classifier.CreateSpec(sets.Train);
        trainer = classifier.CreateTrainer<double>(Spec, sets.Train);
        trainer.EpochEnded = EpochEnded;
        network = trainer.Network;
        snapshot = (double[])network.Parameters.Clone();
        Created = Stopwatch.GetTimestamp();
    }

    public string Id { get; }
    public PlaygroundConfig Config { get; }
    public PlaygroundSets Sets { get; }
    public NetworkSpec Spec { get; }
    public long Created { get; }
    /// <summary>Whether a page's event stream has attached (a run streams to one page only).</summary>
    public bool Attached { get; private set; }
    public RunState State { get; private set; } = RunState.Paused;
    /// <summary>Why the run ended (Done, Diverged); null while it can still train.</summary>
    public string? StopReason { get; private set; }
    /// <summary>Completes when the training thread has ended (finished, or cancelled and stopped).</summary>
    public Task Finished => finished.Task;
    /// <summary>The last epoch trained.</summary>
    public int Epoch => Volatile.Read(ref epoch);

    /// <summary>The frames for the page, newest only (JSON objects).</summary>
    public ChannelReader<string> Frames => frames.Reader;

    /// <summary>Marks the stream attached and starts the training thread (paused at epoch 0). False if a page is already attached.</summary>
    public bool Attach()
    {
        lock (gate)
        {
            if (Attached || cancel.IsCancellationRequested) return false;
            Attached = true;
        }
        var thread = new Thread(Work) { IsBackground = true, Name = $"playground {Id}", Priority = ThreadPriority.BelowNormal };
        worker = thread;
        thread.Start();
        return true;
    }

    /// <summary>Train on (until paused or finished).</summary>
    public void Play() { lock (gate) { running = true; } wake.Release(); }

    /// <summary>Hold after the current epoch.</summary>
    public void Pause() { lock (gate) { running = false; steps = 0; } wake.Release(); }

    /// <summary>Train exactly one more epoch, then hold.</summary>
    public void Step() { lock (gate) { if (!running) steps++; } wake.Release(); }

    /// <summary>Stops training (the page went away, or started another run).</summary>
    public void Cancel()
    {
        cancel.Cancel();
        frames.Writer.TryComplete();
        if (worker is null) finished.TrySetResult();
    }

    /// <summary>The trained model as of the last frame (every CLI command reads its file).</summary>
    public Model SnapshotModel()
    {
        double[] parameters; int at; double? train, test;
        lock (gate) { parameters = (double[])snapshot.Clone(); at = snapshotEpoch; train = snapshotTrain; test = snapshotTest; }
        var c = CultureInfo.InvariantCulture;
        var metadata = new Dictionary<string, string>
        {
            ["source"] = "backprop playground",
            ["data"] = Sets.Description,
            ["training"] = Config.Training.ToString(),
            ["initializer"] = classifier.InitializerFor(Spec).ToString() + (Config.WeightsAfterData ? " (drawn after the data)" : ""),
            ["seed"] = Config.Seed.ToString(c),
            ["epochs"] = at.ToString(c),
        };
        if (train is double tr) metadata["train_accuracy"] = tr.ToString("R", c);
        if (test is double te) metadata["test_accuracy"] = te.ToString("R", c);
        return Model.From(new Network<double>(Spec, parameters), null, Sets.Train.ClassNames, null, metadata);
    }

    /// <summary>The first message of the stream: the points, the plane and the network's shape.</summary>
    public string InitMessage() => PlaygroundFrames.Init(this);

    private void Work()
    {
        var token = cancel.Token;
        try
        {
            renderer = new PlaygroundFrames(network, Sets);
            Emit(RunState.Paused, force: true);
            if (!Hold(token)) return;
            var train = Sets.Train;
            var result = trainer.Fit(train.FeaturesAs<double>(), train.Labels);
            if (token.IsCancellationRequested) return;
            StopReason ??= result.StopReason;
            Emit(RunState.Done, force: true);
        }
        catch (OperationCanceledException) { }
        catch (TrainingDivergedException e)
        {
            StopReason = e.Message;
            Emit(RunState.Diverged, force: true);
        }
        catch (Exception e)
        {
            // A thread of its own: an exception escaping it would end the server. The page shows why the run stopped.
            StopReason = $"the run failed: {e.Message}";
            try { Emit(RunState.Failed, force: true); }
            catch (Exception) { State = RunState.Failed; frames.Writer.TryComplete(); }
        }
        finally
        {
            trainingClock.Stop();
            ReleaseSlot();
            if (State is not (RunState.Done or RunState.Diverged or RunState.Failed) || token.IsCancellationRequested) frames.Writer.TryComplete();
            finished.TrySetResult();
        }
    }

    private bool EpochEnded(EpochRecord record)
    {
        epoch = record.Epoch;
        if (cancel.IsCancellationRequested) return false;
        if (trainingClock.Elapsed.TotalSeconds >= limits.MaxSeconds)
        {
            StopReason = string.Create(CultureInfo.InvariantCulture, $"stopped at the time limit of {limits.MaxSeconds:0.#} s of training after epoch {epoch}");
            return false;
        }
        Emit(RunState.Running, force: false);
        return Hold(cancel.Token);
    }

    /// <summary>Returns when the next epoch may run (true) or the run is cancelled (false); holds the training slot
    /// only while training, so that a paused page leaves it to others.</summary>
    private bool Hold(CancellationToken token)
    {
        while (!token.IsCancellationRequested)
        {
            bool go;
            lock (gate)
            {
                go = running || steps > 0;
                if (!running && steps > 0) steps--;
            }
            if (go)
            {
                if (!holdsSlot)
                {
                    if (!slots.Wait(0))
                    {
                        trainingClock.Stop();
                        Emit(RunState.Waiting, force: true);
                        try { slots.Wait(token); } catch (OperationCanceledException) { return false; }
                    }
                    holdsSlot = true;
                    trainingClock.Start();
                }
                return true;
            }
            trainingClock.Stop();
            ReleaseSlot();
            Emit(RunState.Paused, force: true);
            try { wake.Wait(token); } catch (OperationCanceledException) { return false; }
        }
        return false;
    }

    private void ReleaseSlot()
    {
        if (!holdsSlot) return;
        holdsSlot = false;
        slots.Release();
    }

    /// <summary>Renders and publishes a frame when one is due (or <paramref name="force"/>d: state changes, the last one).</summary>
    private void Emit(RunState state, bool force)
    {
        State = state;
        long now = Stopwatch.GetTimestamp();
        if (!force && lastFrameTicks != long.MinValue && Stopwatch.GetElapsedTime(lastFrameTicks, now).TotalSeconds < 1 / limits.FramesPerSecond) return;
        lastFrameTicks = now;
        var frame = renderer!.Render(state, epoch, Config.Epochs, trainingClock.Elapsed.TotalSeconds, StopReason);
        lock (gate)
        {
            network.Parameters.CopyTo(snapshot, 0);
            snapshotEpoch = epoch;
            snapshotTrain = frame.TrainAccuracy;
            snapshotTest = frame.TestAccuracy;
        }
        frames.Writer.TryWrite(frame.Json);
    }

}
