using Backprop.Cli;
using Backprop.Training;

namespace Backprop.Tests.Cli;

public class TrainingProgressTests
{
    [Theory]
    [InlineData(12, 1)]
    [InlineData(100, 1)]
    [InlineData(200, 10)]
    [InlineData(10000, 500)]
    [InlineData(20000, 1000)]
    public void AboutTwentyLinesForLongRuns(int epochs, int every) => Assert.Equal(every, TrainingProgress.DefaultPrintEvery(epochs));

    [Fact]
    public void EtaExtrapolatesTheEpochsAfterTheFirst()
    {
        // epoch 1 took 5 s (JIT, data); epochs 2..3 took 1 s each → 7 epochs left ≈ 7 s
        var line = TrainingProgress.Line(new EpochRecord(3, 0.25, 0.9, null, 7.0, 0.1), 10, firstEpochSeconds: 5.0);
        Assert.EndsWith("ETA   7.0 s", line);
        Assert.Contains("train  90.00 %", line);
        Assert.Contains("valid    –", line);
        Assert.EndsWith("ETA       …", TrainingProgress.Line(new EpochRecord(1, 0.5, 0.5, 0.5, 5.0, 0.1), 10, 5.0));
        Assert.EndsWith("ETA   0.0 s", TrainingProgress.Line(new EpochRecord(10, 0.1, 1, 1, 14.0, 0.1), 10, 5.0));
    }

    [Fact]
    public void PlainModePrintsTheDueEpochsOnly()
    {
        var output = new StringWriter();
        var result = TrainingProgress.Show(output, live: false, epochs: 30, printEvery: 10, onEpoch =>
        {
            for (int e = 1; e <= 30; e++) onEpoch(new EpochRecord(e, 1.0 / e, null, null, e, 0.1));
            return 42;
        });
        Assert.Equal(42, result);
        Assert.Equal(["    1/30", "   10/30", "   20/30", "   30/30"], output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l[6..14]));
    }
}
