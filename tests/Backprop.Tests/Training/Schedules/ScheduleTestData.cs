using Backprop.Training.Schedules;

namespace Backprop.Tests.Training.Schedules;

/// <summary>Steps a schedule through epochs as the trainer does.</summary>
internal static class ScheduleTestData
{
    /// <summary>The rate of each of <paramref name="epochs"/> epochs, ending each with <paramref name="cost"/> after <paramref name="batch"/> more samples.</summary>
    public static double[] Rates(LearningRateSchedule schedule, int epochs, double cost = 1.0, int batch = 100)
    {
        var rates = new double[epochs];
        for (int e = 0; e < epochs; e++)
        {
            rates[e] = schedule.Rate;
            schedule.EpochEnded((e + 1L) * batch, cost);
        }
        return rates;
    }

    /// <summary>The epoch (1-based) after which the schedule says stop, for a cost that never changes; null if it never does within <paramref name="limit"/>.</summary>
    public static int? StopEpoch(LearningRateSchedule schedule, int limit = 100)
    {
        for (int e = 1; e <= limit; e++)
        {
            schedule.EpochEnded(e * 100L, 1.0);
            if (schedule.ShouldStop) return e;
        }
        return null;
    }
}
