using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Backprop.Numerics;

/// <summary>
/// Small products C = L·R where one factor is banded (zero more than a given distance off its diagonal) — the
/// separable Gaussian smoothing of an image as two products with banded Toeplitz matrices. Vectorized along C's
/// rows (at the GEMM kernels' register width), four rows by two vectors of C at a time.
/// </summary>
internal static class BandedProduct
{
    /// <summary>
    /// output[r, c] = Σ_k left[r, k]·right[k, c] for r &lt; <paramref name="rows"/> and c &lt; <paramref name="stride"/>
    /// (a multiple of <see cref="Lanes{T}"/>): left is [rows, inner], right [inner, stride], output [rows, stride].
    /// The sum skips the k where left[r, k] is known to be 0 (|r − k| &gt; <paramref name="leftBand"/>) or right[k, c] is
    /// (|k − c| &gt; <paramref name="rightBand"/>); pass a band ≥ inner for a dense factor. Each element's sum runs over
    /// k in increasing order, one fused multiply-add per term, whatever the register width.
    /// </summary>
    public static void Multiply<T>(ReadOnlySpan<T> left, ReadOnlySpan<T> right, Span<T> output, int rows, int inner, int stride, int leftBand, int rightBand)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (stride % Lanes<T>() != 0 || left.Length < rows * inner || right.Length < inner * stride || output.Length < rows * stride)
            throw new ArgumentException($"A banded product of [{rows}, {inner}]·[{inner}, {stride}] needs a stride that is a multiple of {Lanes<T>()} and room for every matrix.");
        leftBand = Math.Min(leftBand, rows + inner);   // no |r − k| reaches these: larger bands are dense
        rightBand = Math.Min(rightBand, inner + stride);
        switch (ManagedGemm.VectorBits)
        {
            case 512: Multiply<T, Vector512<T>, V512<T>>(left, right, output, rows, inner, stride, leftBand, rightBand); break;
            case 256: Multiply<T, Vector256<T>, V256<T>>(left, right, output, rows, inner, stride, leftBand, rightBand); break;
            default: Multiply<T, Vector128<T>, V128<T>>(left, right, output, rows, inner, stride, leftBand, rightBand); break;
        }
    }

    /// <summary>The stride's granule: one 512-bit vector of T, so that every register width divides it.</summary>
    public static int Lanes<T>() where T : unmanaged => 64 / Unsafe.SizeOf<T>();

    private static unsafe void Multiply<T, TV, S>(ReadOnlySpan<T> left, ReadOnlySpan<T> right, Span<T> output, int rows, int inner, int stride, int leftBand, int rightBand)
        where T : unmanaged, IFloatingPointIeee754<T> where TV : struct where S : struct, ISimd<T, TV>
    {
        int width = S.Lanes;
        fixed (T* l = left, b = right, o = output)
        {
            for (int r0 = 0; r0 < rows; r0 += 4)
            {
                int c0 = 0;
                if (r0 + 4 <= rows)
                    for (; c0 + 2 * width <= stride; c0 += 2 * width)
                        FourRowsTwoVectors<T, TV, S>(l + r0 * inner, inner, b + c0, stride, o + r0 * stride + c0, Band(r0, 4, leftBand, c0, 2 * width, rightBand, inner));
                for (; c0 < stride; c0 += width)
                    for (int r = r0; r < Math.Min(r0 + 4, rows); r++)
                    {
                        var (lo, hi) = Band(r, 1, leftBand, c0, width, rightBand, inner);
                        var a = S.Zero;
                        for (int k = lo; k < hi; k++) a = S.Fma(S.Splat(l[r * inner + k]), S.Load(b + k * stride + c0), a);
                        S.Store(a, o + r * stride + c0);
                    }
            }
        }
    }

    /// <summary>The k in [0, inner) where left[r, k] (r in [r0, r0 + rowCount)) and right[k, c] (c in [c0, c0 + columnCount)) can both be non-zero.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (int Lo, int Hi) Band(int r0, int rowCount, int leftBand, int c0, int columnCount, int rightBand, int inner) =>
        (Math.Max(0, Math.Max(r0 - leftBand, c0 - rightBand)), Math.Min(inner, Math.Min(r0 + rowCount + leftBand, c0 + columnCount + rightBand)));

    /// <summary>
    /// Four rows by two vectors of the output: eight accumulators, each loaded vector of R used four times and each
    /// broadcast element of L twice. Terms outside one vector's band are exact zeros, so every element gets the sum
    /// the one-row loop gives.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void FourRowsTwoVectors<T, TV, S>(T* l, int inner, T* b, int stride, T* o, (int Lo, int Hi) band)
        where T : unmanaged, IFloatingPointIeee754<T> where TV : struct where S : struct, ISimd<T, TV>
    {
        int width = S.Lanes;
        TV a0 = S.Zero, a1 = a0, a2 = a0, a3 = a0, e0 = a0, e1 = a0, e2 = a0, e3 = a0;
        for (int k = band.Lo; k < band.Hi; k++)
        {
            var v = S.Load(b + k * stride);
            var u = S.Load(b + k * stride + width);
            var s0 = S.Splat(l[k]);
            var s1 = S.Splat(l[inner + k]);
            var s2 = S.Splat(l[2 * inner + k]);
            var s3 = S.Splat(l[3 * inner + k]);
            a0 = S.Fma(s0, v, a0); e0 = S.Fma(s0, u, e0);
            a1 = S.Fma(s1, v, a1); e1 = S.Fma(s1, u, e1);
            a2 = S.Fma(s2, v, a2); e2 = S.Fma(s2, u, e2);
            a3 = S.Fma(s3, v, a3); e3 = S.Fma(s3, u, e3);
        }
        S.Store(a0, o); S.Store(e0, o + width);
        S.Store(a1, o + stride); S.Store(e1, o + stride + width);
        S.Store(a2, o + 2 * stride); S.Store(e2, o + 2 * stride + width);
        S.Store(a3, o + 3 * stride); S.Store(e3, o + 3 * stride + width);
    }
}
