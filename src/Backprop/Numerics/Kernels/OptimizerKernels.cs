using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Backprop.Numerics;

/// <summary>
/// The step optimizers' updates in one pass over their vectors (each element read and written once), with the
/// same operations per element, in the same order and with the same roundings, as the optimizers' formulas
/// (<c>Training/Optimizers</c>): a fused loop and a loop of whole-vector operations give the same bits.
/// </summary>
internal static unsafe class OptimizerKernels
{
    /// <summary>
    /// Adam: m ← (β1·m) + (g·(1−β1)); v ← (β2·v) + ((g·g)·(1−β2)); p ← p + (−lr_t·m) / (√v + ε).
    /// <paramref name="c1"/> = 1 − β1 and <paramref name="c2"/> = 1 − β2, rounded to T by the caller.
    /// </summary>
    public static void Adam<T>(Span<T> p, ReadOnlySpan<T> g, Span<T> m, Span<T> v, T b1, T c1, T b2, T c2, T epsilon, T negativeRate)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int n = p.Length;
        if (g.Length != n || m.Length != n || v.Length != n) throw new ArgumentException("Adam's vectors differ in length.");
        fixed (T* pp = p, pg = g, pm = m, pv = v)
        {
            var k = new AdamArgs<T>(b1, c1, b2, c2, epsilon, negativeRate);
            int i = Vector512.IsHardwareAccelerated && Vector512<T>.IsSupported ? Adam<T, Vector512<T>, V512<T>>(pp, pg, pm, pv, n, k)
                : Vector256.IsHardwareAccelerated ? Adam<T, Vector256<T>, V256<T>>(pp, pg, pm, pv, n, k)
                : Vector128.IsHardwareAccelerated ? Adam<T, Vector128<T>, V128<T>>(pp, pg, pm, pv, n, k) : 0;
            for (; i < n; i++)
            {
                T mi = Add(Mul(pm[i], b1), Mul(pg[i], c1));
                T vi = Add(Mul(pv[i], b2), Mul(Mul(pg[i], pg[i]), c2));
                pm[i] = mi;
                pv[i] = vi;
                pp[i] = Add(pp[i], Mul(mi, negativeRate) / (T.Sqrt(vi) + epsilon));
            }
        }
    }

    private readonly record struct AdamArgs<T>(T B1, T C1, T B2, T C2, T Epsilon, T NegativeRate);

    /// <summary>The whole vectors of <see cref="Adam{T}"/>; returns where the scalar tail starts.</summary>
    private static int Adam<T, TV, S>(T* p, T* g, T* m, T* v, int n, AdamArgs<T> k)
        where T : unmanaged, IFloatingPointIeee754<T> where TV : struct where S : struct, ISimd<T, TV>
    {
        TV b1 = S.Splat(k.B1), c1 = S.Splat(k.C1), b2 = S.Splat(k.B2), c2 = S.Splat(k.C2), eps = S.Splat(k.Epsilon), rate = S.Splat(k.NegativeRate);
        int i = 0;
        for (; i <= n - S.Lanes; i += S.Lanes)
        {
            TV gi = S.Load(g + i);
            TV mi = S.Add(S.Mul(S.Load(m + i), b1), S.Mul(gi, c1));
            TV vi = S.Add(S.Mul(S.Load(v + i), b2), S.Mul(S.Mul(gi, gi), c2));
            S.Store(mi, m + i);
            S.Store(vi, v + i);
            S.Store(S.Add(S.Load(p + i), S.Div(S.Mul(mi, rate), S.Add(S.Sqrt(vi), eps))), p + i);
        }
        return i;
    }

    /// <summary>
    /// Momentum: v ← (μ·v) + (g·(−lr)); p ← p + v. Nesterov (<paramref name="nesterov"/>): then
    /// p ← p + ((μ·v) + (g·(−lr))) with the new v.
    /// </summary>
    public static void Momentum<T>(Span<T> p, ReadOnlySpan<T> g, Span<T> v, T mu, T negativeRate, bool nesterov)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int n = p.Length;
        if (g.Length != n || v.Length != n) throw new ArgumentException("Momentum's vectors differ in length.");
        fixed (T* pp = p, pg = g, pv = v)
        {
            int i = Vector512.IsHardwareAccelerated && Vector512<T>.IsSupported ? Momentum<T, Vector512<T>, V512<T>>(pp, pg, pv, n, mu, negativeRate, nesterov)
                : Vector256.IsHardwareAccelerated ? Momentum<T, Vector256<T>, V256<T>>(pp, pg, pv, n, mu, negativeRate, nesterov)
                : Vector128.IsHardwareAccelerated ? Momentum<T, Vector128<T>, V128<T>>(pp, pg, pv, n, mu, negativeRate, nesterov) : 0;
            for (; i < n; i++)
            {
                T step = Mul(pg[i], negativeRate);
                T vi = Add(Mul(pv[i], mu), step);
                pv[i] = vi;
                pp[i] = Add(pp[i], nesterov ? Add(Mul(vi, mu), step) : vi);
            }
        }
    }

    private static int Momentum<T, TV, S>(T* p, T* g, T* v, int n, T mu, T negativeRate, bool nesterov)
        where T : unmanaged, IFloatingPointIeee754<T> where TV : struct where S : struct, ISimd<T, TV>
    {
        TV vmu = S.Splat(mu), rate = S.Splat(negativeRate);
        int i = 0;
        for (; i <= n - S.Lanes; i += S.Lanes)
        {
            TV step = S.Mul(S.Load(g + i), rate);
            TV vi = S.Add(S.Mul(S.Load(v + i), vmu), step);
            S.Store(vi, v + i);
            S.Store(S.Add(S.Load(p + i), nesterov ? S.Add(S.Mul(vi, vmu), step) : vi), p + i);
        }
        return i;
    }

    // One rounding per operation in the scalar tail too (never contracted into a fused multiply-add).
    [MethodImpl(MethodImplOptions.NoInlining)] private static T Mul<T>(T a, T b) where T : INumberBase<T> => a * b;
    [MethodImpl(MethodImplOptions.NoInlining)] private static T Add<T>(T a, T b) where T : INumberBase<T> => a + b;
}
