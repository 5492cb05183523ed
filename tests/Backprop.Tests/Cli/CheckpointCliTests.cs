using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using Backprop.Models;
using Backprop.Training;

namespace Backprop.Tests.Cli;

/// <summary>
/// train --checkpoint / --resume and the signals, on real processes: a run killed with SIGKILL between epochs and
/// resumed ends with the same model file, byte for byte, as the run that was never interrupted; SIGINT and SIGTERM
/// stop after the epoch, save the model, leave a checkpoint and exit with 130 / 143.
/// </summary>
public partial class CheckpointCliTests
{
    private const int Epochs = 200;   // long enough that the kill lands before the end on any machine
    private static string[] Run(string model) => ["train", "--data", "digits", "--epochs", $"{Epochs}", "--out", model];

    /// <summary>The uninterrupted run's model file (trained once, in-process).</summary>
    private static readonly Lazy<byte[]> Uninterrupted = new(() =>
    {
        using var dir = new TempDir();
        var r = CliHarness.Run(Run(dir.File("whole.json")));
        Assert.True(r.ExitCode == 0, r.Stderr);
        return File.ReadAllBytes(dir.File("whole.json"));
    });

    private static Process Start(TempDir dir, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = dir.Path };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "backprop.dll"));
        foreach (var a in args) start.ArgumentList.Add(a);
        return Process.Start(start)!;
    }

    private static int CheckpointEpoch(string path)
    {
        try { return JsonDocument.Parse(File.ReadAllText(path)).RootElement.GetProperty("state").GetProperty("epoch").GetInt32(); }
        catch (Exception e) when (e is IOException or JsonException) { return 0; }   // not written yet
    }

    [Fact]
    public void KilledRunResumesToTheSameModelBitForBit()
    {
        using var dir = new TempDir();
        string model = dir.File("m.json"), checkpoint = dir.File("m.ckpt.json");
        using var process = Start(dir, [.. Run(model), "--checkpoint", checkpoint]);
        _ = process.StandardOutput.ReadToEndAsync();
        _ = process.StandardError.ReadToEndAsync();
        var clock = Stopwatch.StartNew();
        while (CheckpointEpoch(checkpoint) < 3 && !process.HasExited && clock.Elapsed < TimeSpan.FromSeconds(60)) Thread.Sleep(10);
        Assert.False(process.HasExited, "the run ended before it could be killed");
        process.Kill();   // SIGKILL: no chance to save anything
        process.WaitForExit();
        int killedAfter = CheckpointEpoch(checkpoint);
        Assert.InRange(killedAfter, 3, Epochs - 1);
        Assert.False(File.Exists(model));

        var r = CliHarness.Run("train", "--resume", checkpoint);
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Contains($"after epoch {killedAfter} of backprop train --data digits --epochs {Epochs}", r.Stdout);
        Assert.Contains($"completed {Epochs} epochs", r.Stdout);
        Assert.Equal(Uninterrupted.Value, File.ReadAllBytes(model));
        Assert.Equal(Epochs, CheckpointEpoch(checkpoint));
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);

    /// <summary>
    /// The signalled run is long (it cannot finish before the signal lands, however fast the machine): it stops after
    /// the epoch under way, and the model it saves is the checkpoint's parameters. Resuming a checkpoint bit for bit
    /// is <see cref="KilledRunResumesToTheSameModelBitForBit"/>'s part.
    /// </summary>
    [Theory]
    [InlineData(2, 130)]    // SIGINT (Ctrl+C)
    [InlineData(15, 143)]   // SIGTERM
    public async Task SignalSavesTheModelAndLeavesACheckpoint(int signal, int exitCode)
    {
        using var dir = new TempDir();
        string model = dir.File("m.json");
        using var process = Start(dir, "train", "--data", "digits", "--epochs", "1000000", "--print-every", "1", "--out", model);
        try
        {
            await SignalAndCheck(process, dir, model, signal, exitCode);
        }
        finally
        {
            if (!process.HasExited) process.Kill();
        }
    }

    private static async Task SignalAndCheck(Process process, TempDir dir, string model, int signal, int exitCode)
    {
        var stderr = process.StandardError.ReadToEndAsync();
        string? line;
        while ((line = await process.StandardOutput.ReadLineAsync()) is not null && !System.Text.RegularExpressions.Regex.IsMatch(line, @"^epoch\s+2/")) { }
        Assert.NotNull(line);
        Assert.Equal(0, Kill(process.Id, signal));
        string rest = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.Equal(exitCode, process.ExitCode);
        Assert.Contains("stopping after this epoch", await stderr);
        var stopped = System.Text.RegularExpressions.Regex.Match(rest, @"stopped\s+cancelled after epoch (\d+)");
        Assert.True(stopped.Success, rest);
        Assert.True(File.Exists(model), rest);
        string left = dir.File("m.checkpoint.json");
        Assert.Contains($"checkpoint {left} (continue with: backprop train --resume", rest);

        var state = TrainingCheckpoint.FromJson((JsonObject)JsonNode.Parse(File.ReadAllText(left))!["state"]!);
        Assert.Equal(int.Parse(stopped.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), state.Epoch);
        Assert.Equal(state.Parameters, Model.Load(model).ParametersAsDoubles());
    }

    [Fact]
    public void ResumeRefusesOptionsThatWouldChangeTheRunAndBadFiles()
    {
        using var dir = new TempDir();
        string checkpoint = dir.File("c.json");
        var first = CliHarness.Run("train", "--data", "digits", "--layers", "64,8,10", "--epochs", "2", "--out", dir.File("m.json"), "--checkpoint", checkpoint);
        Assert.True(first.ExitCode == 0, first.Stderr);

        var r = CliHarness.Run("train", "--resume", checkpoint, "--lr", "0.1");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("--lr cannot change it", r.Stderr);

        File.WriteAllText(dir.File("bad.json"), "{\"format\": \"something else\"}");
        r = CliHarness.Run("train", "--resume", dir.File("bad.json"));
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("not a usable backprop checkpoint", r.Stderr);

        r = CliHarness.Run("train", "--resume", dir.File("missing.json"));
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("missing.json: no such file", r.Stderr);

        r = CliHarness.Run("train", "--data", "digits", "--optimizer", "cg", "--epochs", "2", "--out", dir.File("cg.json"), "--checkpoint", dir.File("cg.ckpt"));
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("--checkpoint needs a mini-batch optimizer", r.Stderr);
        Assert.Single(r.Stderr.Trim().Split('\n'));
    }
}
