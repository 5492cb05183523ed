using System.Runtime.InteropServices;

namespace Backprop.Cli;

/// <summary>
/// Ctrl+C (SIGINT), SIGTERM and SIGHUP during training: the first asks the run to stop after the current epoch (the
/// command then saves the model and a checkpoint and exits with 128 + the signal's number: 130, 143 or 129); a second
/// one stops the process at once with that code.
/// </summary>
internal sealed class Interrupts : IDisposable
{
    private readonly List<PosixSignalRegistration> registrations = [];
    private readonly CancellationTokenSource source = new();
    private readonly TextWriter stderr;
    private int signalled;

    private Interrupts(TextWriter stderr)
    {
        this.stderr = stderr;
        foreach (var signal in new[] { PosixSignal.SIGINT, PosixSignal.SIGTERM, PosixSignal.SIGHUP })
            registrations.Add(PosixSignalRegistration.Create(signal, OnSignal));
    }

    /// <summary>Listens for the signals when the command runs in its own process on the real console; otherwise (a test harness) null.</summary>
    public static Interrupts? Listen(TextWriter stdout, TextWriter stderr) =>
        ReferenceEquals(stdout, Console.Out) ? new Interrupts(stderr) : null;

    public CancellationToken Token => source.Token;
    /// <summary>The signal that stopped the run ("SIGINT"…), null when none came.</summary>
    public string? Signal { get; private set; }
    /// <summary>128 + the signal's number: 130 (SIGINT), 143 (SIGTERM), 129 (SIGHUP).</summary>
    public int ExitCode { get; private set; }

    private void OnSignal(PosixSignalContext context)
    {
        context.Cancel = true;   // the command decides when to end
        var (name, code) = context.Signal switch
        {
            PosixSignal.SIGTERM => ("SIGTERM", 143),
            PosixSignal.SIGHUP => ("SIGHUP", 129),
            _ => ("SIGINT", 130),
        };
        if (Interlocked.Increment(ref signalled) > 1)
        {
            stderr.WriteLine($"backprop: {name} again: stopping now (the last checkpoint, if any, stays)");
            Environment.Exit(code);
        }
        Signal = name;
        ExitCode = code;
        stderr.WriteLine($"backprop: {name}: stopping after this epoch to save the model (send it again to stop at once)");
        source.Cancel();
    }

    public void Dispose()
    {
        foreach (var r in registrations) r.Dispose();
        source.Dispose();
    }
}
