using Backprop.Fuzz;

namespace Backprop.Tests.Fuzz;

/// <summary>
/// Replays the minimised afl-fuzz corpus of each reader (fuzz/corpus/TARGET, see docs/robustness.md) through the
/// fuzz targets themselves: every input must be read or refused with a documented exception, in well under a second.
/// </summary>
public class FuzzCorpusTests
{
    private static string CorpusDir(string target) => Path.Combine(AppContext.BaseDirectory, "FuzzCorpus", target);

    public static TheoryData<string> Targets() => new(FuzzTargets.Names);

    [Theory]
    [MemberData(nameof(Targets))]
    public void EveryCorpusInputIsReadOrRefusedAsDocumented(string target)
    {
        var files = Directory.GetFiles(CorpusDir(target));
        Assert.True(files.Length >= 5, $"fuzz/corpus/{target} holds {files.Length} inputs");
        var scratch = Directory.CreateTempSubdirectory("backprop-fuzz-replay-").FullName;
        try
        {
            foreach (var file in files)
            {
                var clock = System.Diagnostics.Stopwatch.StartNew();
                string outcome;
                try { outcome = FuzzTargets.Run(target, File.ReadAllBytes(file), scratch); }
                catch (Exception e) { throw new Xunit.Sdk.XunitException($"{target}/{Path.GetFileName(file)}: undocumented {e.GetType().Name}: {e.Message}\n{e.StackTrace}"); }
                Assert.True(outcome.StartsWith("read: ", StringComparison.Ordinal) || outcome.StartsWith("refused: ", StringComparison.Ordinal), outcome);
                Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2), $"{target}/{Path.GetFileName(file)} took {clock.Elapsed}");
            }
        }
        finally
        {
            Directory.Delete(scratch, recursive: true);
        }
    }

    [Fact]
    public void OnlyDocumentedExceptionsPass()
    {
        Assert.True(FuzzTargets.IsDocumented("csv", new InvalidDataException()));
        Assert.True(FuzzTargets.IsDocumented("mat", new NotSupportedException()));
        Assert.False(FuzzTargets.IsDocumented("csv", new NotSupportedException()));
        Assert.False(FuzzTargets.IsDocumented("npz", new IndexOutOfRangeException()));
        Assert.False(FuzzTargets.IsDocumented("model", new OutOfMemoryException()));
    }
}
