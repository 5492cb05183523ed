using Backprop.Numerics;

namespace Backprop.Data.Builtin;

/// <summary>
/// The two classic 2-D toy sets, generated with <see cref="NumPyRandom"/> so that they equal the
/// NumPy originals bit for bit for the same seed.
/// </summary>
public static class PlanarData
{
    /// <summary>The set named <paramref name="name"/> (flower or spiral, default sizes) drawn from <paramref name="rng"/>, which
    /// is left after the data: a notebook that seeds once, makes its data and then draws its weights from the same generator.</summary>
    /// <exception cref="ArgumentException">Another name.</exception>
    public static Dataset Generate(string name, NumPyRandom rng)
    {
        ArgumentNullException.ThrowIfNull(name);
        return name.Trim().ToLowerInvariant() switch
        {
            "flower" => Flower(rng),
            "spiral" => Spiral(rng),
            _ => throw new ArgumentException($"Only the generated sets flower and spiral can share their generator with the weights, not '{name}'."),
        };
    }

    /// <summary>
    /// The "flower" set of the deep-learning course's <c>planar_utils.load_planar_dataset</c>: two
    /// classes of <paramref name="m"/>/2 points each on the petals of <c>r = 4 sin(4t)</c>, with noise.
    /// Seed 1 and m = 400 reproduce the course's data exactly.
    /// </summary>
    public static Dataset Flower(int seed = 1, int m = 400) => Flower(new NumPyRandom((long)seed), m);

    /// <summary>The flower set drawn from <paramref name="rng"/>, which is left where the notebook's generator is after
    /// <c>load_planar_dataset()</c> (so weights drawn next continue its stream).</summary>
    public static Dataset Flower(NumPyRandom rng, int m = 400)
    {
        ArgumentNullException.ThrowIfNull(rng);
        if (m < 2 || m % 2 != 0) throw new ArgumentOutOfRangeException(nameof(m), $"The flower set needs an even number of points >= 2, got {m}.");
        int n = m / 2;
        const double a = 4;
        var x = new double[m * 2];
        var y = new int[m];
        var noise = new double[n];
        for (int j = 0; j < 2; j++)
        {
            var t = NumPyMath.Linspace(j * 3.12, (j + 1) * 3.12, n);
            rng.Randn(noise);
            for (int i = 0; i < n; i++) t[i] += noise[i] * 0.2;
            rng.Randn(noise);
            for (int i = 0; i < n; i++)
            {
                double r = a * NumPyMath.Sin(4 * t[i]) + noise[i] * 0.2;
                int row = n * j + i;
                x[2 * row] = r * NumPyMath.Sin(t[i]);
                x[2 * row + 1] = r * NumPyMath.Cos(t[i]);
                y[row] = j;
            }
        }
        return new Dataset("flower", x, m, 2, y, 2);
    }

    /// <summary>
    /// The CS231n three-arm spiral: <paramref name="classes"/> arms of <paramref name="pointsPerClass"/>
    /// points, radius 0..1, angle noise 0.2. Seed 0 with the defaults reproduces the original exactly.
    /// </summary>
    public static Dataset Spiral(int seed = 0, int pointsPerClass = 100, int classes = 3) => Spiral(new NumPyRandom((long)seed), pointsPerClass, classes);

    /// <summary>The spiral drawn from <paramref name="rng"/>, which is left where the generator is after the data (weights drawn next continue its stream).</summary>
    public static Dataset Spiral(NumPyRandom rng, int pointsPerClass = 100, int classes = 3)
    {
        ArgumentNullException.ThrowIfNull(rng);
        if (pointsPerClass < 1) throw new ArgumentOutOfRangeException(nameof(pointsPerClass), $"Need at least one point per class, got {pointsPerClass}.");
        if (classes < 1) throw new ArgumentOutOfRangeException(nameof(classes), $"Need at least one class, got {classes}.");
        int n = pointsPerClass, count = checked(n * classes);
        var x = new double[checked(count * 2)];
        var y = new int[count];
        var noise = new double[n];
        var r = NumPyMath.Linspace(0.0, 1.0, n);
        for (int j = 0; j < classes; j++)
        {
            var t = NumPyMath.Linspace(j * 4.0, (j + 1) * 4.0, n);
            rng.Randn(noise);
            for (int i = 0; i < n; i++)
            {
                double ti = t[i] + noise[i] * 0.2;
                int row = n * j + i;
                x[2 * row] = r[i] * NumPyMath.Sin(ti);
                x[2 * row + 1] = r[i] * NumPyMath.Cos(ti);
                y[row] = j;
            }
        }
        return new Dataset("spiral", x, count, 2, y, classes);
    }
}
