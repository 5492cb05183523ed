using System.Text.Json;
using Backprop.Numerics;
using static Backprop.Tests.Data.Builtin.BuiltinFixtures;

namespace Backprop.Tests.Numerics;

public class NumPyRandomTests
{
    public static TheoryData<int> SeedIndices() => new() { 0, 1, 2, 3, 4 };

    private static (uint seed, JsonElement e, JsonDocument doc) Case(int index)
    {
        var doc = Json("random.json");
        var e = doc.RootElement.GetProperty("seeds")[index];
        return ((uint)e.GetProperty("seed").GetInt64(), e, doc);
    }

    private static long[] Repeat(int n, Func<long> f) => Enumerable.Range(0, n).Select(_ => f()).ToArray();

    [Theory, MemberData(nameof(SeedIndices))]
    public void RawAndUniformStreamsMatchNumPy(int index)
    {
        var (seed, e, doc) = Case(index);
        using var _ = doc;
        var u = Longs(e.GetProperty("uint32"));
        var r = new NumPyRandom(seed);
        Assert.Equal(u, Repeat(u.Length, () => r.NextUInt32()));

        var rand = Hexes(e.GetProperty("rand"));
        var got = new double[rand.Length];
        new NumPyRandom(seed).Rand(got);
        BitEqual(rand, got, "rand");

        var uni = Hexes(e.GetProperty("uniform"));
        r = new NumPyRandom(seed);
        BitEqual(uni, uni.Select(_ => r.Uniform(-2.0, 3.0)).ToArray(), "uniform");
    }

    [Theory, MemberData(nameof(SeedIndices))]
    public void NormalsMatchNumPy(int index)
    {
        var (seed, e, doc) = Case(index);
        using var _ = doc;
        var randn = Hexes(e.GetProperty("randn"));
        var got = new double[randn.Length];
        new NumPyRandom(seed).Randn(got);
        BitEqual(randn, got, "randn");

        var normal = Hexes(e.GetProperty("normal"));
        var r = new NumPyRandom(seed);
        BitEqual(normal, normal.Select(_ => r.Normal(1.5, 0.25)).ToArray(), "normal");

        r = new NumPyRandom(seed);
        var mixed = new[] { r.Randn(), r.Rand(), r.Randn(), r.Randn(), r.RandInt(0, 1000), r.Randn(), r.Uniform(0, 1) };
        BitEqual(Hexes(e.GetProperty("mixed")), mixed, "mixed");
    }

    [Theory, MemberData(nameof(SeedIndices))]
    public void IntegersMatchNumPy(int index)
    {
        var (seed, e, doc) = Case(index);
        using var _ = doc;
        void Check(string key, Func<NumPyRandom, long> draw)
        {
            var expected = Longs(e.GetProperty(key));
            var r = new NumPyRandom(seed);
            Assert.True(expected.SequenceEqual(Repeat(expected.Length, () => draw(r))), $"{key} differs for seed {seed}");
        }
        Check("randint_0_10", r => r.RandInt(0, 10));
        Check("randint_m5_1000", r => r.RandInt(-5, 1000));
        Check("randint_0_2p40", r => r.RandInt(0, 1L << 40));
        Check("randint_neg_big", r => r.RandInt(-(1L << 62), 1L << 62));
        Check("randint_scalar", r => r.RandInt(7));
    }

    [Theory, MemberData(nameof(SeedIndices))]
    public void ShufflesAndChoicesMatchNumPy(int index)
    {
        var (seed, e, doc) = Case(index);
        using var _ = doc;
        var a = Enumerable.Range(0, 50).ToArray();
        new NumPyRandom(seed).Shuffle<int>(a);
        Assert.Equal(Longs(e.GetProperty("shuffle50")), a.Select(x => (long)x));
        Assert.Equal(Longs(e.GetProperty("permutation10")), new NumPyRandom(seed).Permutation(10).Select(x => (long)x));
        Assert.Equal(Longs(e.GetProperty("permutation1000")), new NumPyRandom(seed).Permutation(1000).Select(x => (long)x));
        Assert.Equal(Longs(e.GetProperty("choice_replace")), new NumPyRandom(seed).Choice(100, 15, replace: true).Select(x => (long)x));
        Assert.Equal(Longs(e.GetProperty("choice_noreplace")), new NumPyRandom(seed).Choice(100, 15, replace: false).Select(x => (long)x));
    }

    [Fact]
    public void ArraySeedUsesInitByArray()
    {
        using var doc = Json("random.json");
        var expected = Hexes(doc.RootElement.GetProperty("array_seed_123_rand"));
        var r = NumPyRandom.FromKey([1u, 2u, 3u]);
        BitEqual(expected, expected.Select(_ => r.Rand()).ToArray(), "rand after RandomState([1,2,3])");
    }

    [Fact]
    public void RejectsWhatNumPyRejects()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new NumPyRandom(-1L));
        Assert.Throws<ArgumentOutOfRangeException>(() => new NumPyRandom(1L << 32));
        var r = new NumPyRandom(0u);
        Assert.Throws<ArgumentOutOfRangeException>(() => r.RandInt(5, 5));
        Assert.Throws<ArgumentOutOfRangeException>(() => r.Choice(3, 4, replace: false));
        Assert.Equal(4, r.RandInt(4, 5));
    }

    [Fact]
    public void TheVectorTwistGivesTheReferenceStream()
    {
        // MT19937 as mt19937ar.c writes it, one word at a time, over several regenerations of the 624-word state.
        var mt = new uint[624];
        mt[0] = 5489u;
        for (int i = 1; i < 624; i++) mt[i] = unchecked(1812433253u * (mt[i - 1] ^ (mt[i - 1] >> 30)) + (uint)i);
        var expected = new uint[5 * 624 + 17];
        for (int n = 0; n < expected.Length; n++)
        {
            int k = n % 624;
            if (k == 0)
                for (int i = 0; i < 624; i++)
                {
                    uint y = (mt[i] & 0x80000000u) | (mt[(i + 1) % 624] & 0x7fffffffu);
                    mt[i] = mt[(i + 397) % 624] ^ (y >> 1) ^ ((y & 1) * 0x9908b0dfu);
                }
            uint t = mt[k];
            t ^= t >> 11;
            t ^= (t << 7) & 0x9d2c5680u;
            t ^= (t << 15) & 0xefc60000u;
            expected[n] = t ^ (t >> 18);
        }
        var bulk = new uint[expected.Length];
        new NumPyRandom(5489u).NextUInt32(bulk);
        Assert.Equal(expected, bulk);
        var one = new NumPyRandom(5489u);
        Assert.Equal(expected, expected.Select(_ => one.NextUInt32()).ToArray());
    }
}
