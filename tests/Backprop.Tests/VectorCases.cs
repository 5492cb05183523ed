using System.Numerics;

namespace Backprop.Tests;

/// <summary>Inputs for testing vector kernels against scalar loops (<c>using static Backprop.Tests.VectorCases;</c>).</summary>
internal static class VectorCases
{
    /// <summary>Span lengths that exercise every vector tail: empty, shorter than a vector, one vector and one more or less, several.</summary>
    public static readonly int[] Lengths = [0, 1, 3, 7, 8, 10, 15, 16, 17, 25, 31, 32, 33, 100, 125, 250];

    /// <summary><paramref name="n"/> values drawn uniformly from [<paramref name="lo"/>, <paramref name="hi"/>).</summary>
    public static T[] Values<T>(Random random, int n, double lo, double hi) where T : IFloatingPointIeee754<T> =>
        Enumerable.Range(0, n).Select(_ => T.CreateTruncating(lo + (hi - lo) * random.NextDouble())).ToArray();
}
