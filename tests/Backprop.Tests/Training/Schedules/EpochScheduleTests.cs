using Backprop.Training.Schedules;

namespace Backprop.Tests.Training.Schedules;

public class EpochScheduleTests
{
    public static TheoryData<string> Kinds => ["step", "cosine"];

    private static EpochSchedule Create(string kind, StallRule? stall = null) =>
        kind == "step" ? new StepDecaySchedule(0.1, 0.5, 2, stall) : new CosineSchedule(0.1, 0.01, 6, stall);

    [Theory]
    [MemberData(nameof(Kinds))]
    public void TheRateOfEachEpochIsItsClosedForm(string kind)
    {
        var s = Create(kind);
        Assert.Equal(Enumerable.Range(1, 6).Select(s.RateIn), ScheduleTestData.Rates(s, 6));
        Assert.Equal(0.1, s.RateIn(1));
        Assert.Throws<ArgumentOutOfRangeException>(() => s.RateIn(0));
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void ResumingNeedsOnlyTheEpochAndResetStartsOver(string kind)
    {
        var s = Create(kind, new StallRule(5));
        s.Restore(epochsDone: 3, samplesSeen: 300, rate: null, ownBest: null, ownCount: 0, stallBest: 1.0, stallCount: 2);
        Assert.Equal((s.RateIn(4), 3, 2), (s.Rate, s.EpochsDone, s.Stall!.Count));
        s.Reset();
        Assert.Equal((0.1, 0, 0), (s.Rate, s.EpochsDone, s.Stall!.Count));
    }
}
