using System.Globalization;
using Backprop.Data;
using Backprop.Data.Builtin;
using Backprop.Data.Formats;
using Backprop.Numerics;

namespace Backprop.Web.Playground;

/// <summary>The points of one playground run: a training and an optional test set of 2-D labelled points, and the
/// square region of the plane the page draws (the points' bounding box, padded).</summary>
public sealed record PlaygroundSets(Dataset Train, Dataset? Test, string Description, double[] Extent);

/// <summary>
/// The playground's data sets. Flower and spiral are the seeds' own generators (<see cref="PlanarData"/>) with the seeds'
/// seeds, so the training points are exactly the seed experiments' points; their test points are a fresh draw of the same
/// generator (seed + 1). Circle, moons and two Gaussians are scikit-learn's <c>make_circles</c>, <c>make_moons</c> and
/// <c>make_blobs</c> (shuffle=False) drawn with NumPy's generator, and XOR is TensorFlow Playground's quadrants; these are
/// split into training and test points by a seeded permutation.
/// </summary>
public static class PlaygroundData
{
    /// <summary>The generated sets, in the order the page lists them.</summary>
    public static IReadOnlyList<string> Names { get; } = ["flower", "spiral", "circle", "xor", "gauss", "moons"];

    /// <summary>The seeds' data seeds: flower of RandomState(1) (planar_utils), spiral of RandomState(0) (CS231n).</summary>
    public const int FlowerSeed = 1, SpiralSeed = 0;

    /// <summary>Generates <paramref name="name"/> and splits it: <paramref name="trainPercent"/> % of the points train
    /// (flower and spiral: the seed's points train, and the test points are drawn so that they make up the rest).</summary>
    public static PlaygroundSets Generate(string name, int points, double noise, int trainPercent, int seed)
    {
        if (trainPercent is < 1 or > 100) throw new ArgumentOutOfRangeException(nameof(trainPercent), $"trainPercent: expected 1..100, got {trainPercent}.");
        switch (name)
        {
            case "flower":
            {
                var train = PlanarData.Flower(FlowerSeed);
                int m = TestCount(train.Count, trainPercent, 2);
                var test = m == 0 ? null : Rename(PlanarData.Flower(FlowerSeed + 1, m), "flower-test");
                return Sets(train, test, $"the seed's flower: 400 points of planar_utils.load_planar_dataset, RandomState({FlowerSeed})" +
                    (test is null ? "" : $"; test: {test.Count} fresh points of the same generator, RandomState({FlowerSeed + 1})"));
            }
            case "spiral":
            {
                var train = PlanarData.Spiral(SpiralSeed);
                int m = TestCount(train.Count, trainPercent, 3);
                var test = m == 0 ? null : Rename(PlanarData.Spiral(SpiralSeed + 1, m / 3), "spiral-test");
                return Sets(train, test, $"the seed's spiral: CS231n's 3 arms of 100 points, RandomState({SpiralSeed})" +
                    (test is null ? "" : $"; test: {test.Count} fresh points of the same generator, RandomState({SpiralSeed + 1})"));
            }
        }
        var all = name switch
        {
            "circle" => Circles(points, noise, seed),
            "moons" => Moons(points, noise, seed),
            "gauss" => TwoGaussians(points, noise, seed),
            "xor" => Xor(points, noise, seed),
            _ => throw new ArgumentException($"data: expected one of {string.Join(", ", Names)} or csv, got '{name}'."),
        };
        string noiseText = noise.ToString("0.###", CultureInfo.InvariantCulture);
        return Split(all, trainPercent, seed, $"{name}: {points} points, noise {noiseText}, RandomState({seed})");
    }

    /// <summary>Reads uploaded CSV text (x, y, label per row; a header is detected) with the engine's CSV reader.</summary>
    /// <exception cref="InvalidDataException">The text is not a table of two numeric features and a label; the message names the row.</exception>
    public static PlaygroundSets FromCsv(string text, string fileName, int trainPercent, int seed, int maxPoints, int maxClasses)
    {
        ArgumentNullException.ThrowIfNull(text);
        // The engine's reader works on files (and names them in its messages): give it the upload under its own name.
        string safe = string.Concat(Path.GetFileName(fileName).Select(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_' ? c : '_'));
        if (safe.Length == 0 || safe.Trim('.').Length == 0) safe = "points.csv";
        string dir = Directory.CreateTempSubdirectory("backprop-playground-").FullName;
        Dataset data;
        try
        {
            string path = Path.Combine(dir, safe);
            File.WriteAllText(path, text);
            data = CsvFile.ReadDataset(path, new CsvOptions { MaxCells = 3L * (maxPoints + 1) });
        }
        catch (InvalidDataException e) { throw new InvalidDataException(e.Message.Replace(dir + Path.DirectorySeparatorChar, "", StringComparison.Ordinal), e); }
        finally { Directory.Delete(dir, recursive: true); }
        if (data.FeatureCount != 2)
            throw new InvalidDataException($"{safe}: expected rows of x, y, label (2 features and the label last); found {data.FeatureCount} feature column{(data.FeatureCount == 1 ? "" : "s")}.");
        if (data.Count > maxPoints) throw new InvalidDataException($"{safe}: {data.Count} points; the playground takes at most {maxPoints}.");
        if (data.Classes < 2) throw new InvalidDataException($"{safe}: every point has the same label; give at least two classes.");
        if (data.Classes > maxClasses) throw new InvalidDataException($"{safe}: {data.Classes} classes; the playground draws at most {maxClasses}.");
        return Split(data, trainPercent, seed, $"{safe}: {data.Count} points, {data.Classes} classes ({string.Join(", ", data.ClassNames)})");
    }

    /// <summary>scikit-learn's <c>make_circles(n, shuffle=False, noise, random_state=seed, factor=0.5)</c>: outer circle class 0, inner class 1.</summary>
    public static Dataset Circles(int n, double noise, int seed)
    {
        int outer = n / 2, inner = n - outer;
        var x = new double[2 * n];
        var y = new int[n];
        for (int i = 0; i < outer; i++)
        {
            double t = i * (2 * Math.PI / outer);
            x[2 * i] = NumPyMath.Cos(t);
            x[2 * i + 1] = NumPyMath.Sin(t);
        }
        for (int i = 0; i < inner; i++)
        {
            double t = i * (2 * Math.PI / inner);
            x[2 * (outer + i)] = NumPyMath.Cos(t) * 0.5;
            x[2 * (outer + i) + 1] = NumPyMath.Sin(t) * 0.5;
            y[outer + i] = 1;
        }
        AddNoise(x, noise, new NumPyRandom((long)seed));
        return new Dataset("circle", x, n, 2, y, 2);
    }

    /// <summary>scikit-learn's <c>make_moons(n, shuffle=False, noise, random_state=seed)</c>: upper moon class 0, lower class 1.</summary>
    public static Dataset Moons(int n, double noise, int seed)
    {
        int outer = n / 2, inner = n - outer;
        var x = new double[2 * n];
        var y = new int[n];
        var to = NumPyMath.Linspace(0, Math.PI, outer);
        var ti = NumPyMath.Linspace(0, Math.PI, inner);
        for (int i = 0; i < outer; i++)
        {
            x[2 * i] = NumPyMath.Cos(to[i]);
            x[2 * i + 1] = NumPyMath.Sin(to[i]);
        }
        for (int i = 0; i < inner; i++)
        {
            x[2 * (outer + i)] = 1 - NumPyMath.Cos(ti[i]);
            x[2 * (outer + i) + 1] = 1 - NumPyMath.Sin(ti[i]) - 0.5;
            y[outer + i] = 1;
        }
        AddNoise(x, noise, new NumPyRandom((long)seed));
        return new Dataset("moons", x, n, 2, y, 2);
    }

    /// <summary>scikit-learn's <c>make_blobs([n/2, n − n/2], centers=[[−1, −1], [1, 1]], cluster_std=0.3 + 2·noise, shuffle=False)</c>.</summary>
    public static Dataset TwoGaussians(int n, double noise, int seed)
    {
        int first = n / 2;
        double std = GaussStd(noise);
        var random = new NumPyRandom((long)seed);
        var x = new double[2 * n];
        var y = new int[n];
        for (int i = 0; i < n; i++)
        {
            double centre = i < first ? -1 : 1;
            x[2 * i] = random.Normal(centre, std);
            x[2 * i + 1] = random.Normal(centre, std);
            y[i] = i < first ? 0 : 1;
        }
        return new Dataset("gauss", x, n, 2, y, 2);
    }

    /// <summary>The two Gaussians' standard deviation for a noise level.</summary>
    public static double GaussStd(double noise) => 0.3 + 2 * noise;

    /// <summary>TensorFlow Playground's XOR: uniform points in [−1, 1]², pushed 0.1 away from the axes, class 1 where
    /// x·y &gt; 0; then Gaussian noise of that standard deviation.</summary>
    public static Dataset Xor(int n, double noise, int seed)
    {
        var random = new NumPyRandom((long)seed);
        var x = new double[2 * n];
        var y = new int[n];
        for (int i = 0; i < x.Length; i++)
        {
            double v = random.Uniform(-1, 1);
            x[i] = v + (v > 0 ? 0.1 : -0.1);
        }
        for (int i = 0; i < n; i++) y[i] = x[2 * i] * x[2 * i + 1] > 0 ? 1 : 0;
        AddNoise(x, noise, random);
        return new Dataset("xor", x, n, 2, y, 2);
    }

    /// <summary><c>X += random.normal(scale=noise, size=X.shape)</c> (nothing drawn when noise is 0, as scikit-learn's <c>noise=None</c>).</summary>
    private static void AddNoise(double[] x, double noise, NumPyRandom random)
    {
        if (noise <= 0) return;
        for (int i = 0; i < x.Length; i++) x[i] += random.Normal(0, noise);
    }

    /// <summary>Test points for a fixed training set so that the training set is <paramref name="trainPercent"/> % of all, rounded to whole groups.</summary>
    private static int TestCount(int train, int trainPercent, int group)
    {
        if (trainPercent >= 100) return 0;
        int test = (int)Math.Round(train * (100.0 - trainPercent) / trainPercent / group, MidpointRounding.AwayFromZero) * group;
        return Math.Max(group, test);
    }

    /// <summary>A seeded permutation's first trainPercent % train, the rest test.</summary>
    private static PlaygroundSets Split(Dataset all, int trainPercent, int seed, string description)
    {
        int train = Math.Clamp((int)Math.Round(all.Count * trainPercent / 100.0, MidpointRounding.AwayFromZero), 1, all.Count);
        if (train == all.Count) return Sets(all, null, description + ", all for training");
        var order = new NumPyRandom((long)seed).Permutation(all.Count);
        var trainSet = all.Subset(order.AsSpan(0, train), all.Name);
        var testSet = all.Subset(order.AsSpan(train), all.Name + "-test");
        return Sets(trainSet, testSet, description + $", {train} for training and {all.Count - train} for testing");
    }

    private static Dataset Rename(Dataset d, string name) => new(name, d.Features, d.Count, d.FeatureCount, d.Labels, d.Classes, d.ClassNames);

    private static PlaygroundSets Sets(Dataset train, Dataset? test, string description) =>
        new(train, test, description, Extent(train, test));

    /// <summary>The square [x0, x1, y0, y1] around every point, padded by 10 % (as <c>plot boundary</c> pads its plane).</summary>
    private static double[] Extent(Dataset train, Dataset? test)
    {
        double x0 = double.PositiveInfinity, x1 = double.NegativeInfinity, y0 = double.PositiveInfinity, y1 = double.NegativeInfinity;
        foreach (var d in test is null ? [train] : new[] { train, test })
            for (int i = 0; i < d.Count; i++)
            {
                double a = d.Features[2 * i], b = d.Features[2 * i + 1];
                x0 = Math.Min(x0, a); x1 = Math.Max(x1, a); y0 = Math.Min(y0, b); y1 = Math.Max(y1, b);
            }
        double half = Math.Max(Math.Max(x1 - x0, y1 - y0), 1e-9) * 0.55, cx = (x0 + x1) / 2, cy = (y0 + y1) / 2;
        return [cx - half, cx + half, cy - half, cy + half];
    }
}
