using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Backprop.Numerics;

/// <summary>The A·Bᵀ dot-product tiles: C[i, j] = dot(A row i, B row j), 4 rows of A × 4 rows of B per tile.</summary>
internal static unsafe partial class ManagedGemm
{
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void DotBlock<T, TV, S>(GemmJob<T> g, T* a, T* b, T* c, int i0, int i1, int j0, int j1)
        where T : unmanaged, IFloatingPointIeee754<T> where TV : struct where S : struct, ISimd<T, TV>
    {
        // A [m, k] rows and B [n, k] rows are both contiguous along k: C[i, j] = dot(A row i, B row j).
        for (int ic = i0; ic < i1; ic += DotMC)
        {
            int icEnd = Math.Min(ic + DotMC, i1);
            for (int jb = j0; jb < j1; jb += DotTile)
            {
                int cols = Math.Min(DotTile, j1 - jb);
                for (int ib = ic; ib < icEnd; ib += DotTile)
                {
                    // On the first pass over a block of rows of A (cold: a shuffled mini-batch read in place comes from
                    // memory), the kernel prefetches the next tile's rows while it computes this one.
                    int next = jb == j0 && ib + DotTile < icEnd ? ib + DotTile : -1;
                    DotKernel<T, TV, S>(g, a, b, c, ib, Math.Min(DotTile, icEnd - ib), jb, cols, next, next < 0 ? 0 : Math.Min(DotTile, icEnd - next));
                }
            }
        }
    }

    /// <summary>A 4x4 tile of C = alpha·A·Bᵀ + beta·C; rows/cols beyond the valid ones repeat the last valid
    /// row of A/B (computed and discarded), so the valid elements see exactly the full-tile arithmetic.</summary>
    [SkipLocalsInit]
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void DotKernel<T, TV, S>(GemmJob<T> g, T* a, T* b, T* c, int ib, int rows, int jb, int cols, int next = -1, int nextRows = 0)
        where T : unmanaged, IFloatingPointIeee754<T> where TV : struct where S : struct, ISimd<T, TV>
    {
        int k = g.K, ldb = g.Ldb, L = S.Lanes;
        T* a0 = RowOfA(g, a, ib), a1 = RowOfA(g, a, ib + Math.Min(1, rows - 1));
        T* a2 = RowOfA(g, a, ib + Math.Min(2, rows - 1)), a3 = RowOfA(g, a, ib + Math.Min(3, rows - 1));
        T* b0 = b + (long)jb * ldb, b1 = b + (long)(jb + Math.Min(1, cols - 1)) * ldb;
        T* b2 = b + (long)(jb + Math.Min(2, cols - 1)) * ldb, b3 = b + (long)(jb + Math.Min(3, cols - 1)) * ldb;
        TV c00 = S.Zero, c01 = S.Zero, c02 = S.Zero, c03 = S.Zero;
        TV c10 = S.Zero, c11 = S.Zero, c12 = S.Zero, c13 = S.Zero;
        TV c20 = S.Zero, c21 = S.Zero, c22 = S.Zero, c23 = S.Zero;
        TV c30 = S.Zero, c31 = S.Zero, c32 = S.Zero, c33 = S.Zero;
        int full = k - k % L;
        int p = 0;
        if (next >= 0 && Sse.IsSupported)
        {
            // The next tile's rows, one line of each per step (a copy of the loop below, so later passes pay nothing).
            byte* f0 = (byte*)RowOfA(g, a, next), f1 = (byte*)RowOfA(g, a, next + Math.Min(1, nextRows - 1));
            byte* f2 = (byte*)RowOfA(g, a, next + Math.Min(2, nextRows - 1)), f3 = (byte*)RowOfA(g, a, next + Math.Min(3, nextRows - 1));
            nint step = Math.Max(64, L * sizeof(T)); // bytes per k step, at least a line
            for (; p < full; p += L)
            {
                Sse.Prefetch0(f0); Sse.Prefetch0(f1); Sse.Prefetch0(f2); Sse.Prefetch0(f3);
                f0 += step; f1 += step; f2 += step; f3 += step;
                TV vb0 = S.Load(b0 + p), vb1 = S.Load(b1 + p), vb2 = S.Load(b2 + p), vb3 = S.Load(b3 + p);
                TV va = S.Load(a0 + p);
                c00 = S.Fma(va, vb0, c00); c01 = S.Fma(va, vb1, c01); c02 = S.Fma(va, vb2, c02); c03 = S.Fma(va, vb3, c03);
                va = S.Load(a1 + p);
                c10 = S.Fma(va, vb0, c10); c11 = S.Fma(va, vb1, c11); c12 = S.Fma(va, vb2, c12); c13 = S.Fma(va, vb3, c13);
                va = S.Load(a2 + p);
                c20 = S.Fma(va, vb0, c20); c21 = S.Fma(va, vb1, c21); c22 = S.Fma(va, vb2, c22); c23 = S.Fma(va, vb3, c23);
                va = S.Load(a3 + p);
                c30 = S.Fma(va, vb0, c30); c31 = S.Fma(va, vb1, c31); c32 = S.Fma(va, vb2, c32); c33 = S.Fma(va, vb3, c33);
            }
        }
        for (; p < full; p += L)
        {
            TV vb0 = S.Load(b0 + p), vb1 = S.Load(b1 + p), vb2 = S.Load(b2 + p), vb3 = S.Load(b3 + p);
            TV va = S.Load(a0 + p);
            c00 = S.Fma(va, vb0, c00); c01 = S.Fma(va, vb1, c01); c02 = S.Fma(va, vb2, c02); c03 = S.Fma(va, vb3, c03);
            va = S.Load(a1 + p);
            c10 = S.Fma(va, vb0, c10); c11 = S.Fma(va, vb1, c11); c12 = S.Fma(va, vb2, c12); c13 = S.Fma(va, vb3, c13);
            va = S.Load(a2 + p);
            c20 = S.Fma(va, vb0, c20); c21 = S.Fma(va, vb1, c21); c22 = S.Fma(va, vb2, c22); c23 = S.Fma(va, vb3, c23);
            va = S.Load(a3 + p);
            c30 = S.Fma(va, vb0, c30); c31 = S.Fma(va, vb1, c31); c32 = S.Fma(va, vb2, c32); c33 = S.Fma(va, vb3, c33);
        }
        if (full < k)
        {
            // The k tail: the last k % L elements of each row as zero-padded vectors (masked loads; nothing past the
            // row is read), one more step.
            int rest = k - full;
            TV vb0 = S.LoadPartial(b0 + full, rest), vb1 = S.LoadPartial(b1 + full, rest);
            TV vb2 = S.LoadPartial(b2 + full, rest), vb3 = S.LoadPartial(b3 + full, rest);
            TV va = S.LoadPartial(a0 + full, rest);
            c00 = S.Fma(va, vb0, c00); c01 = S.Fma(va, vb1, c01); c02 = S.Fma(va, vb2, c02); c03 = S.Fma(va, vb3, c03);
            va = S.LoadPartial(a1 + full, rest);
            c10 = S.Fma(va, vb0, c10); c11 = S.Fma(va, vb1, c11); c12 = S.Fma(va, vb2, c12); c13 = S.Fma(va, vb3, c13);
            va = S.LoadPartial(a2 + full, rest);
            c20 = S.Fma(va, vb0, c20); c21 = S.Fma(va, vb1, c21); c22 = S.Fma(va, vb2, c22); c23 = S.Fma(va, vb3, c23);
            va = S.LoadPartial(a3 + full, rest);
            c30 = S.Fma(va, vb0, c30); c31 = S.Fma(va, vb1, c31); c32 = S.Fma(va, vb2, c32); c33 = S.Fma(va, vb3, c33);
        }
        if (UseTileReduce && typeof(T) == typeof(float) && typeof(TV) == typeof(Vector512<float>) && Avx512F.IsSupported)
        {
            var sums = Reduce.Tile4x4(
                As512(c00), As512(c01), As512(c02), As512(c03), As512(c10), As512(c11), As512(c12), As512(c13),
                As512(c20), As512(c21), As512(c22), As512(c23), As512(c30), As512(c31), As512(c32), As512(c33));
            StoreTile(g, (float*)c, ib, rows, jb, cols, sums);
            return;
        }
        T* s = stackalloc T[16];
        Reduce.Sum4<T, TV, S>(c00, c01, c02, c03, s);
        Reduce.Sum4<T, TV, S>(c10, c11, c12, c13, s + 4);
        Reduce.Sum4<T, TV, S>(c20, c21, c22, c23, s + 8);
        Reduce.Sum4<T, TV, S>(c30, c31, c32, c33, s + 12);
        T alpha = g.Alpha, beta = g.Beta;
        bool noBeta = T.IsZero(beta);
        for (int r = 0; r < rows; r++)
        {
            T* cr = c + (long)(ib + r) * g.Ldc + jb;
            for (int q = 0; q < cols; q++)
                cr[q] = noBeta ? alpha * s[r * 4 + q] : alpha * s[r * 4 + q] + beta * cr[q];
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> As512<TV>(TV v) where TV : struct => Unsafe.As<TV, Vector512<float>>(ref v);

    /// <summary>
    /// C = alpha·sums + beta·C on the valid part of a float32 4x4 tile (sums row-major, see <see cref="Reduce.Tile4x4"/>):
    /// one 128-bit row at a time, the same multiply and add per element as the scalar loop, masked past the valid columns.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreTile<T>(GemmJob<T> g, float* c, int ib, int rows, int jb, int cols, Vector512<float> sums)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        float alphaValue = float.CreateTruncating(g.Alpha), betaValue = float.CreateTruncating(g.Beta);
        var alpha = Vector128.Create(alphaValue);
        var beta = Vector128.Create(betaValue);
        bool noBeta = betaValue == 0;
        var mask = Vector128.LessThan(Vector128<int>.Indices, Vector128.Create(cols)).AsSingle();
        for (int r = 0; r < rows; r++)
        {
            float* cr = c + (long)(ib + r) * g.Ldc + jb;
            var v = alpha * r switch
            {
                0 => sums.GetLower().GetLower(), 1 => sums.GetLower().GetUpper(),
                2 => sums.GetUpper().GetLower(), _ => sums.GetUpper().GetUpper(),
            };
            if (cols == DotTile)
            {
                if (!noBeta) v += beta * Vector128.Load(cr);
                v.Store(cr);
            }
            else
            {
                if (!noBeta) v += beta * Avx.MaskLoad(cr, mask);
                Avx.MaskStore(cr, mask, v);
            }
        }
    }
}
