namespace Backprop.Data.Preprocessing;

/// <summary>
/// Deterministic stratified splits. Shuffling uses <see cref="System.Random"/> seeded with the given seed
/// (its seeded algorithm is fixed across .NET versions), so the same data and seed give the same split.
/// Each part keeps the samples in their original order.
/// </summary>
public static class Splits
{
    /// <summary>
    /// Splits off round(<paramref name="fraction"/> · Count) samples as a holdout set, each class contributing in
    /// proportion to its size (largest-remainder rounding, so per-class counts differ from the exact proportion by less than one).
    /// </summary>
    public static (Dataset Train, Dataset Holdout) Stratified(Dataset data, double fraction, int seed)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (!(fraction >= 0 && fraction <= 1))
            throw new ArgumentOutOfRangeException(nameof(fraction), $"The holdout fraction must be within 0..1, got {fraction}.");
        var rng = new Random(seed);
        var byClass = new List<int>[data.Classes];
        for (int k = 0; k < data.Classes; k++) byClass[k] = [];
        for (int i = 0; i < data.Count; i++) byClass[data.Labels[i]].Add(i);

        // Largest-remainder allocation of the holdout size over the classes.
        int total = (int)Math.Round(fraction * data.Count, MidpointRounding.AwayFromZero);
        var take = new int[data.Classes];
        var remainders = new (double Rem, int Class)[data.Classes];
        int assigned = 0;
        for (int k = 0; k < data.Classes; k++)
        {
            double exact = fraction * byClass[k].Count;
            take[k] = (int)Math.Floor(exact);
            assigned += take[k];
            remainders[k] = (exact - take[k], k);
        }
        foreach (var (_, k) in remainders.OrderByDescending(r => r.Rem).ThenBy(r => r.Class))
        {
            if (assigned >= total) break;
            if (take[k] < byClass[k].Count) { take[k]++; assigned++; }
        }

        var holdout = new List<int>();
        var train = new List<int>();
        for (int k = 0; k < data.Classes; k++)
        {
            var members = byClass[k].ToArray();
            rng.Shuffle(members);
            holdout.AddRange(members[..take[k]]);
            train.AddRange(members[take[k]..]);
        }
        holdout.Sort();
        train.Sort();
        return (data.Subset(train.ToArray(), $"{data.Name} (train)"), data.Subset(holdout.ToArray(), $"{data.Name} (holdout)"));
    }

    /// <summary>
    /// Three stratified parts: first the test set (<paramref name="testFraction"/> of all samples), then the validation set
    /// (<paramref name="validationFraction"/> of all samples, taken from the rest); the remainder is the training set.
    /// </summary>
    public static (Dataset Train, Dataset Validation, Dataset Test) TrainValidationTest(Dataset data, double validationFraction, double testFraction, int seed)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (!(validationFraction >= 0 && testFraction >= 0 && validationFraction + testFraction <= 1))
            throw new ArgumentOutOfRangeException(nameof(validationFraction), $"Fractions {validationFraction} (validation) and {testFraction} (test) must be non-negative and sum to at most 1.");
        var (rest, test) = Stratified(data, testFraction, seed);
        double inner = testFraction >= 1 ? 0 : Math.Min(1, validationFraction / (1 - testFraction));
        var (train, validation) = Stratified(rest, inner, unchecked(seed + 1));
        return (Rename(train, $"{data.Name} (train)"), Rename(validation, $"{data.Name} (validation)"), Rename(test, $"{data.Name} (test)"));
    }

    private static Dataset Rename(Dataset d, string name) =>
        new(name, d.Features, d.Count, d.FeatureCount, d.Labels, d.Classes, d.ClassNames, d.Image);
}
