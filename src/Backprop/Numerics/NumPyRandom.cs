using System.Runtime.CompilerServices;

namespace Backprop.Numerics;

/// <summary>
/// A bit-identical port of NumPy's legacy <c>numpy.random.RandomState</c> (MT19937): the same seed
/// gives the same stream of integers, doubles, normals, shuffles and choices as NumPy, so data sets
/// and initialisations written against <c>np.random.seed(s)</c> can be reproduced exactly.
/// </summary>
/// <remarks>
/// Seeding follows <c>RandomState(int)</c>: Knuth's <c>init_genrand</c> with the 32-bit seed (NumPy uses
/// <c>init_by_array</c> only for array seeds, see <see cref="FromKey"/>). Not thread-safe.
/// </remarks>
public sealed class NumPyRandom
{
    private const int N = 624;
    private const int M = 397;
    private const uint MatrixA = 0x9908b0dfU;
    private const uint UpperMask = 0x80000000U;
    private const uint LowerMask = 0x7fffffffU;

    private readonly uint[] _mt = new uint[N];
    private int _pos;
    private bool _hasGauss;
    private double _gauss;

    /// <summary>Seeds exactly as <c>np.random.RandomState(seed)</c> / <c>np.random.seed(seed)</c> do.</summary>
    public NumPyRandom(uint seed)
    {
        uint s = seed;
        for (int i = 0; i < N; i++)
        {
            _mt[i] = s;
            s = unchecked(1812433253U * (s ^ (s >> 30)) + (uint)i + 1);
        }
        _pos = N;
    }

    /// <summary>Seeds from a long in 0..2^32-1 (what NumPy accepts); anything else is rejected as NumPy does.</summary>
    public NumPyRandom(long seed) : this(CheckSeed(seed)) { }

    private NumPyRandom() { }

    /// <summary>Seeds exactly as <c>np.random.RandomState(key)</c> does for an array of 32-bit integers (<c>init_by_array</c>).</summary>
    public static NumPyRandom FromKey(ReadOnlySpan<uint> key)
    {
        if (key.IsEmpty) throw new ArgumentException("The seed key must hold at least one value (NumPy rejects an empty seed array).", nameof(key));
        var r = new NumPyRandom();
        var mt = r._mt;
        uint s = 19650218U;
        for (int p = 0; p < N; p++)
        {
            mt[p] = s;
            s = unchecked(1812433253U * (s ^ (s >> 30)) + (uint)p + 1);
        }
        int i = 1, j = 0;
        for (int k = Math.Max(N, key.Length); k > 0; k--)
        {
            mt[i] = unchecked((mt[i] ^ ((mt[i - 1] ^ (mt[i - 1] >> 30)) * 1664525U)) + key[j] + (uint)j);
            i++; j++;
            if (i >= N) { mt[0] = mt[N - 1]; i = 1; }
            if (j >= key.Length) j = 0;
        }
        for (int k = N - 1; k > 0; k--)
        {
            mt[i] = unchecked((mt[i] ^ ((mt[i - 1] ^ (mt[i - 1] >> 30)) * 1566083941U)) - (uint)i);
            i++;
            if (i >= N) { mt[0] = mt[N - 1]; i = 1; }
        }
        mt[0] = 0x80000000U;
        r._pos = N;
        return r;
    }

    /// <summary>The generator's whole state, as <c>RandomState.get_state()</c> gives it (key, position, cached normal).</summary>
    public NumPyRandomState GetState() => new((uint[])_mt.Clone(), _pos, _hasGauss, _gauss);

    /// <summary>Puts the generator back into <paramref name="state"/> (<c>RandomState.set_state</c>): the same stream follows.</summary>
    public void SetState(NumPyRandomState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (state.Key is not { Length: N }) throw new ArgumentException($"An MT19937 state has {N} key words, got {state.Key?.Length ?? 0}.", nameof(state));
        if (state.Position is < 0 or > N) throw new ArgumentException($"An MT19937 position is in 0..{N}, got {state.Position}.", nameof(state));
        state.Key.CopyTo(_mt, 0);
        _pos = state.Position;
        _hasGauss = state.HasGauss;
        _gauss = state.Gauss;
    }

    private static uint CheckSeed(long seed) =>
        seed is < 0 or > uint.MaxValue
            ? throw new ArgumentOutOfRangeException(nameof(seed), $"Seed must be between 0 and 2**32 - 1, got {seed}.")
            : (uint)seed;

    private void Reload()
    {
        // The reference generator's regeneration of all N words (genrand's "generate N words at one time"),
        // through a ref to the state so that the JIT needs no bounds checks. Word i depends on words i + 1 and
        // i + M (i − (N − M) once those are regenerated), at least 227 words apart: a vector of neighbours at a
        // time gives the same words as the scalar loop.
        ref uint mt = ref System.Runtime.InteropServices.MemoryMarshal.GetArrayDataReference(_mt);
        int i = 0;
        uint y;
        if (System.Numerics.Vector.IsHardwareAccelerated)
        {
            int width = System.Numerics.Vector<uint>.Count;
            for (; i <= N - M - width; i += width) Twist(ref mt, i, i + M);
            for (; i < N - M; i++) TwistOne(ref mt, i, i + M);
            for (; i <= N - 1 - width; i += width) Twist(ref mt, i, i + (M - N));
        }
        for (; i < N - M; i++) TwistOne(ref mt, i, i + M);
        for (; i < N - 1; i++) TwistOne(ref mt, i, i + (M - N));
        y = (Unsafe.Add(ref mt, N - 1) & UpperMask) | (mt & LowerMask);
        Unsafe.Add(ref mt, N - 1) = Unsafe.Add(ref mt, M - 1) ^ (y >> 1) ^ ((0U - (y & 1)) & MatrixA);
        _pos = 0;
    }

    /// <summary>Regenerates word <paramref name="i"/> from words i, i + 1 and <paramref name="far"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void TwistOne(ref uint mt, int i, int far)
    {
        uint y = (Unsafe.Add(ref mt, i) & UpperMask) | (Unsafe.Add(ref mt, i + 1) & LowerMask);
        Unsafe.Add(ref mt, i) = Unsafe.Add(ref mt, far) ^ (y >> 1) ^ ((0U - (y & 1)) & MatrixA);
    }

    /// <summary><see cref="TwistOne"/> for a vector of words from <paramref name="i"/> on.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Twist(ref uint mt, int i, int far)
    {
        var upper = System.Numerics.Vector.LoadUnsafe(ref mt, (nuint)i) & new System.Numerics.Vector<uint>(UpperMask);
        var lower = System.Numerics.Vector.LoadUnsafe(ref mt, (nuint)(i + 1)) & new System.Numerics.Vector<uint>(LowerMask);
        var y = upper | lower;
        var odd = System.Numerics.Vector<uint>.Zero - (y & System.Numerics.Vector<uint>.One);
        var word = System.Numerics.Vector.LoadUnsafe(ref mt, (nuint)far) ^ System.Numerics.Vector.ShiftRightLogical(y, 1) ^ (odd & new System.Numerics.Vector<uint>(MatrixA));
        System.Numerics.Vector.StoreUnsafe(word, ref mt, (nuint)i);
    }

    /// <summary>The next raw 32-bit output of MT19937 (tempered).</summary>
    public uint NextUInt32()
    {
        if (_pos == N) Reload();
        uint y = _mt[_pos++];
        y ^= y >> 11;
        y ^= (y << 7) & 0x9d2c5680U;
        y ^= (y << 15) & 0xefc60000U;
        y ^= y >> 18;
        return y;
    }

    /// <summary>
    /// Fills <paramref name="destination"/> with the next raw 32-bit outputs — the same stream as that many
    /// <see cref="NextUInt32()"/> calls (NumPy's <c>randint(0, 2**32, size=n, dtype=np.uint32)</c>), tempered
    /// a vector at a time.
    /// </summary>
    public void NextUInt32(Span<uint> destination)
    {
        int i = 0;
        while (i < destination.Length)
        {
            if (_pos == N) Reload();
            int count = Math.Min(N - _pos, destination.Length - i);
            Temper(_mt.AsSpan(_pos, count), destination.Slice(i, count));
            _pos += count;
            i += count;
        }
    }

    private static void Temper(ReadOnlySpan<uint> state, Span<uint> output)
    {
        int k = 0;
        if (System.Numerics.Vector.IsHardwareAccelerated)
        {
            var b = new System.Numerics.Vector<uint>(0x9d2c5680U);
            var c = new System.Numerics.Vector<uint>(0xefc60000U);
            for (; k <= state.Length - System.Numerics.Vector<uint>.Count; k += System.Numerics.Vector<uint>.Count)
            {
                var y = new System.Numerics.Vector<uint>(state[k..]);
                y ^= System.Numerics.Vector.ShiftRightLogical(y, 11);
                y ^= System.Numerics.Vector.ShiftLeft(y, 7) & b;
                y ^= System.Numerics.Vector.ShiftLeft(y, 15) & c;
                y ^= System.Numerics.Vector.ShiftRightLogical(y, 18);
                y.CopyTo(output[k..]);
            }
        }
        for (; k < state.Length; k++)
        {
            uint y = state[k];
            y ^= y >> 11;
            y ^= (y << 7) & 0x9d2c5680U;
            y ^= (y << 15) & 0xefc60000U;
            y ^= y >> 18;
            output[k] = y;
        }
    }

    /// <summary>Two 32-bit outputs, the first in the high half (NumPy's <c>mt19937_next64</c>).</summary>
    public ulong NextUInt64()
    {
        ulong hi = NextUInt32();
        return (hi << 32) | NextUInt32();
    }

    /// <summary>A double in [0, 1) with 53 random bits: <c>random_sample()</c> / <c>rand()</c>.</summary>
    public double Rand()
    {
        uint a = NextUInt32() >> 5, b = NextUInt32() >> 6;
        return (a * 67108864.0 + b) / 9007199254740992.0;
    }

    /// <summary>Fills <paramref name="destination"/> with successive <see cref="Rand()"/> values (<c>rand(n)</c>).</summary>
    public void Rand(Span<double> destination)
    {
        for (int i = 0; i < destination.Length; i++) destination[i] = Rand();
    }

    /// <summary>A standard normal value: the legacy polar Box-Muller (<c>legacy_gauss</c>), which caches the second value of each pair.</summary>
    public double Randn()
    {
        if (_hasGauss)
        {
            _hasGauss = false;
            double g = _gauss;
            _gauss = 0.0;
            return g;
        }
        double x1, x2, r2;
        do
        {
            x1 = 2.0 * Rand() - 1.0;
            x2 = 2.0 * Rand() - 1.0;
            r2 = x1 * x1 + x2 * x2;
        } while (r2 >= 1.0 || r2 == 0.0);
        double f = Math.Sqrt(-2.0 * Math.Log(r2) / r2);
        _gauss = f * x1;
        _hasGauss = true;
        return f * x2;
    }

    /// <summary>Fills <paramref name="destination"/> with successive <see cref="Randn()"/> values (<c>randn(n)</c>).</summary>
    public void Randn(Span<double> destination)
    {
        for (int i = 0; i < destination.Length; i++) destination[i] = Randn();
    }

    /// <summary><c>normal(mean, std)</c>: <c>mean + std * randn()</c>.</summary>
    public double Normal(double mean, double std)
    {
        if (!(std >= 0)) throw new ArgumentOutOfRangeException(nameof(std), $"The standard deviation must be non-negative, got {std}.");
        return mean + std * Randn();
    }

    /// <summary><c>uniform(lo, hi)</c>: <c>lo + (hi - lo) * rand()</c>.</summary>
    public double Uniform(double lo, double hi)
    {
        double range = hi - lo;
        if (!double.IsFinite(range)) throw new ArgumentOutOfRangeException(nameof(hi), $"The range hi - lo must be finite, got {hi} - {lo}.");
        return lo + range * Rand();
    }

    /// <summary>
    /// An integer in [<paramref name="lo"/>, <paramref name="hi"/>): <c>randint(lo, hi)</c> with the default
    /// int64 dtype, using NumPy's legacy masked rejection (32-bit draws when the range fits in 32 bits).
    /// </summary>
    public long RandInt(long lo, long hi)
    {
        if (lo >= hi) throw new ArgumentOutOfRangeException(nameof(hi), $"randint needs low < high, got low={lo}, high={hi}.");
        ulong rng = unchecked((ulong)(hi - 1) - (ulong)lo);
        return unchecked((long)((ulong)lo + BoundedMasked(rng)));
    }

    /// <summary><c>randint(hi)</c>: an integer in [0, <paramref name="hi"/>).</summary>
    public long RandInt(long hi) => RandInt(0, hi);

    /// <summary>A uniform value in [0, rng] by masked rejection, as NumPy's <c>random_bounded_uint64_fill</c> with use_masked.</summary>
    private ulong BoundedMasked(ulong rng)
    {
        if (rng == 0) return 0;
        if (rng <= uint.MaxValue)
        {
            if (rng == uint.MaxValue) return NextUInt32();
            uint mask = (uint)Mask(rng), r32 = (uint)rng, v;
            while ((v = NextUInt32() & mask) > r32) { }
            return v;
        }
        if (rng == ulong.MaxValue) return NextUInt64();
        ulong m = Mask(rng), value;
        while ((value = NextUInt64() & m) > rng) { }
        return value;
    }

    private static ulong Mask(ulong max)
    {
        ulong mask = max;
        mask |= mask >> 1;
        mask |= mask >> 2;
        mask |= mask >> 4;
        mask |= mask >> 8;
        mask |= mask >> 16;
        mask |= mask >> 32;
        return mask;
    }

    /// <summary>NumPy's <c>random_interval(max)</c>: a value in [0, max] by masked rejection (used by shuffle).</summary>
    public ulong Interval(ulong max)
    {
        if (max == 0) return 0;
        ulong mask = Mask(max), value;
        if (max <= uint.MaxValue)
        {
            while ((value = NextUInt32() & mask) > max) { }
        }
        else
        {
            while ((value = NextUInt64() & mask) > max) { }
        }
        return value;
    }

    /// <summary>Shuffles in place exactly as <c>RandomState.shuffle</c> does on a 1-D array (Fisher-Yates from the end).</summary>
    public void Shuffle<T>(Span<T> items)
    {
        for (int i = items.Length - 1; i >= 1; i--)
        {
            int j = (int)Interval((ulong)i);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }

    /// <summary><c>permutation(n)</c>: 0..n-1 shuffled.</summary>
    public int[] Permutation(int n)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        var a = new int[n];
        for (int i = 0; i < n; i++) a[i] = i;
        Shuffle<int>(a);
        return a;
    }

    /// <summary>
    /// <c>choice(n, size, replace)</c> without probabilities: with replacement <c>randint(0, n, size)</c>,
    /// without it <c>permutation(n)[:size]</c>, as the legacy RandomState does.
    /// </summary>
    public int[] Choice(int n, int size, bool replace = true)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(size);
        if (n <= 0) throw new ArgumentOutOfRangeException(nameof(n), $"'a' must be greater than 0 unless no samples are taken, got {n}.");
        if (replace)
        {
            var r = new int[size];
            for (int i = 0; i < size; i++) r[i] = (int)RandInt(0, n);
            return r;
        }
        if (size > n) throw new ArgumentOutOfRangeException(nameof(size), $"Cannot take a larger sample ({size}) than the population ({n}) when replace is false.");
        return Permutation(n).AsSpan(0, size).ToArray();
    }
}

/// <summary>A <see cref="NumPyRandom"/>'s state: the 624 MT19937 key words, the position in them and the cached second normal (NumPy's <c>get_state()</c> tuple).</summary>
public sealed record NumPyRandomState(uint[] Key, int Position, bool HasGauss, double Gauss);
