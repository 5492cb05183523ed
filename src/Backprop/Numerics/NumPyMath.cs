namespace Backprop.Numerics;

/// <summary>
/// NumPy array arithmetic reproduced with NumPy's exact operations, so that generated data (the planar
/// toy sets) match NumPy bit for bit.
/// </summary>
/// <remarks>
/// <para><see cref="Sin"/> and <see cref="Cos"/> reproduce the float64 <c>np.sin</c>/<c>np.cos</c> of NumPy
/// 1.22–1.24 on x86-64 CPUs with AVX-512 (SKX), where NumPy dispatches to Intel SVML's "la" kernels
/// (<c>__svml_sin8</c>/<c>__svml_cos8</c>, BSD-3-Clause). Those differ from the C library (and from
/// <see cref="Math.Sin"/>) in the last bit for roughly half of all arguments, and the reference data of the
/// planar sets were produced with them. The kernel is: N = nearest integer to x/π (for cos: of x/π − ½),
/// R = x − N·π with π split in three parts, sin R by an odd polynomial, sign by the parity of N. Every step
/// is a single IEEE operation or fused multiply-add, replayed here in the same order, so the results are
/// identical on any CPU. Arguments beyond the kernel's range (|x| &gt; 2^24 for sin, ≈ 2.6e7 for cos),
/// where SVML switches to a multi-word reduction, fall back to <see cref="Math.Sin"/>/<see cref="Math.Cos"/>.</para>
/// </remarks>
public static class NumPyMath
{
    /// <summary>
    /// <c>np.linspace(start, stop, num)</c> (endpoint=True): <c>i * step + start</c> with
    /// <c>step = (stop - start) / (num - 1)</c> and the last element set to <paramref name="stop"/>,
    /// exactly as NumPy computes it (including its special case for a step that underflows to zero).
    /// </summary>
    public static double[] Linspace(double start, double stop, int num)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(num);
        var y = new double[num];
        int div = num - 1;
        double delta = stop - start;
        if (div > 0)
        {
            double step = delta / div;
            if (step == 0)
                for (int i = 0; i < num; i++) y[i] = i / (double)div * delta + start;
            else
                for (int i = 0; i < num; i++) y[i] = i * step + start;
            y[num - 1] = stop;
        }
        else
        {
            for (int i = 0; i < num; i++) y[i] = i * delta + start;
        }
        return y;
    }

    // 1/π and π as a three-word sum (π = PiA + PiB + PiC to ~160 bits).
    private static readonly double InvPi = Bits(0x3FD45F306DC9C883);
    private static readonly double PiA = Bits(0x400921FB54442D18);
    private static readonly double PiB = Bits(0x3CA1A62633145C06);
    private static readonly double PiC = Bits(0x395C1CD129024E09);

    // sin R ≈ R + R³·(S1 + S2 R² + … + S7 R¹²)
    private static readonly double[] SinPoly =
    [
        Bits(0xBFC55555555554A8), Bits(0x3F8111111110A573), Bits(0xBF2A01A019A659DD), Bits(0x3EC71DE3806ADD1A),
        Bits(0xBE5AE6355AAA4A53), Bits(0x3DE60E6BEE01D83E), Bits(0xBD69F1517E9F65F0),
    ];

    // the cos kernel's own fit of the same odd polynomial (eight terms, the second unused by the la kernel)
    private static readonly double[] CosPoly =
    [
        Bits(0xBFC55555555554A7), Bits(0x3F8111111110A4A8), Bits(0xBF2A01A019A5B87B), Bits(0x3EC71DE38030FEA0),
        Bits(0xBE5AE63546002231), Bits(0x3DE60E6857A2F220), Bits(0xBD69F0D60811AAC8),
    ];

    private const double SinShifter = 6755399441055744.0; // 1.5 * 2^52: adding it rounds to an integer
    private const double SinRange = 16777216.0;            // 2^24
    private const double CosLimitN = 8388606;              // beyond this N the kernel hands over
    private const double CosTiny = 7.450580596923828e-09;  // 2^-27: cos x rounds to 1

    private static double Bits(ulong b) => BitConverter.UInt64BitsToDouble(b);

    /// <summary><c>np.sin(x)</c> for float64 as NumPy computes it with SVML on AVX-512 (see the type remarks).</summary>
    public static double Sin(double x)
    {
        if (!(Math.Abs(x) <= SinRange)) return Math.Sin(x);
        double y = Math.FusedMultiplyAdd(x, InvPi, SinShifter);
        ulong sign = BitConverter.DoubleToUInt64Bits(y) << 63;
        double n = y - SinShifter;
        if (x == 0) sign ^= BitConverter.DoubleToUInt64Bits(x);
        double r = Math.FusedMultiplyAdd(-n, PiA, x);
        r = Math.FusedMultiplyAdd(-n, PiB, r);
        double r2 = r * r;
        r = Math.FusedMultiplyAdd(-PiC, n, r);
        var c = SinPoly;
        double p = Math.FusedMultiplyAdd(c[6], r2, c[5]);
        double r3 = r2 * r;
        p = Math.FusedMultiplyAdd(r2, p, c[4]);
        p = Math.FusedMultiplyAdd(r2, p, c[3]);
        p = Math.FusedMultiplyAdd(r2, p, c[2]);
        p = Math.FusedMultiplyAdd(r2, p, c[1]);
        p = Math.FusedMultiplyAdd(r2, p, c[0]);
        double res = Math.FusedMultiplyAdd(r3, p, r);
        return BitConverter.UInt64BitsToDouble(BitConverter.DoubleToUInt64Bits(res) ^ sign);
    }

    /// <summary><c>np.cos(x)</c> for float64 as NumPy computes it with SVML on AVX-512 (see the type remarks).</summary>
    public static double Cos(double x)
    {
        double ax = Math.Abs(x);
        if (!double.IsFinite(ax)) return Math.Cos(x);
        // N = floor(|x| / π) exactly as SVML's round-toward-zero fma(|x|, 1/π, 2^52) gives it
        double prod = ax * InvPi;
        double err = Math.FusedMultiplyAdd(ax, InvPi, -prod);
        double n = Math.Floor(prod);
        if (n == prod && err < 0) n -= 1;
        if (n > CosLimitN) return Math.Cos(x);
        ulong sign = ((ulong)n & 1) << 63;
        double dn = n + 0.5;
        double a = Math.FusedMultiplyAdd(dn, PiA, -ax);
        a = Math.FusedMultiplyAdd(PiB, dn, a);
        double r2 = a * a;
        double b = Math.FusedMultiplyAdd(PiC, dn, a);
        var c = CosPoly;
        double p = Math.FusedMultiplyAdd(c[6], r2, c[5]);
        p = Math.FusedMultiplyAdd(r2, p, c[4]);
        p = Math.FusedMultiplyAdd(r2, p, c[3]);
        p = Math.FusedMultiplyAdd(r2, p, c[2]);
        double s = BitConverter.UInt64BitsToDouble(BitConverter.DoubleToUInt64Bits(b) ^ sign);
        p = Math.FusedMultiplyAdd(r2, p, c[1]);
        double t = s * r2;
        p = Math.FusedMultiplyAdd(r2, p, c[0]);
        double res = Math.FusedMultiplyAdd(t, p, s);
        return ax < CosTiny ? 1.0 : res;
    }
}
