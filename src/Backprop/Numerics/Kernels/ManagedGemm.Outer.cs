using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Backprop.Numerics;

/// <summary>The outer-product register kernels: an MR x NR tile of C (8 rows x 2 vectors, or a short edge) accumulated over
/// one kc block of packed or in-place operands, and how it is stored into C (<see cref="TileUpdate{T, TV, S}"/>).</summary>
internal static unsafe partial class ManagedGemm
{
    /// <summary>
    /// One MR x NR tile: acc = Σ_p op(A)[ir+r, p]·Bpanel[p, :] over this kc block, then
    /// C = alpha·acc + beta·C on the first block and C = C + alpha·acc on later ones (plus the fused L2 term on the
    /// last block when <paramref name="x"/>, the tile's D, is given; see <see cref="TileUpdate{T, TV, S}"/>).
    /// </summary>
    [SkipLocalsInit]
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void OuterKernel<T, TV, S>(GemmJob<T> g, T* ap, nint rs, nint cs, T* bp, nint bs, int kc, T* c, int ir, int rows, int j, int cols, bool first, T* x)
        where T : unmanaged, IFloatingPointIeee754<T> where TV : struct where S : struct, ISimd<T, TV>
    {
        if (cols <= S.Lanes)
        {
            OuterKernelNarrow<T, TV, S>(g, ap, rs, cs, bp, bs, kc, c, ir, rows, j, cols, first, x);
            return;
        }
        if (rows <= HalfMR)
        {
            if (rows == 1) OuterKernelShort<T, TV, S, OneRow>(g, ap, rs, cs, bp, bs, kc, c, ir, rows, j, cols, first, x);
            else if (rows == 2) OuterKernelShort<T, TV, S, TwoRows>(g, ap, rs, cs, bp, bs, kc, c, ir, rows, j, cols, first, x);
            else OuterKernelShort<T, TV, S, FourRows>(g, ap, rs, cs, bp, bs, kc, c, ir, rows, j, cols, first, x);
            return;
        }
        int L = S.Lanes, NR = 2 * L;
        TV c00 = S.Zero, c01 = S.Zero, c10 = S.Zero, c11 = S.Zero, c20 = S.Zero, c21 = S.Zero, c30 = S.Zero, c31 = S.Zero;
        TV c40 = S.Zero, c41 = S.Zero, c50 = S.Zero, c51 = S.Zero, c60 = S.Zero, c61 = S.Zero, c70 = S.Zero, c71 = S.Zero;
        T* a0 = ap, a1 = ap + rs, a2 = ap + 2 * rs, a3 = ap + 3 * rs, a4 = ap + 4 * rs, a5 = ap + 5 * rs, a6 = ap + 6 * rs, a7 = ap + 7 * rs;
        for (int p = 0; p < kc; p++)
        {
            TV b0 = S.Load(bp), b1 = S.Load(bp + L);
            TV va = S.Splat(*a0); c00 = S.Fma(va, b0, c00); c01 = S.Fma(va, b1, c01);
            va = S.Splat(*a1); c10 = S.Fma(va, b0, c10); c11 = S.Fma(va, b1, c11);
            va = S.Splat(*a2); c20 = S.Fma(va, b0, c20); c21 = S.Fma(va, b1, c21);
            va = S.Splat(*a3); c30 = S.Fma(va, b0, c30); c31 = S.Fma(va, b1, c31);
            va = S.Splat(*a4); c40 = S.Fma(va, b0, c40); c41 = S.Fma(va, b1, c41);
            va = S.Splat(*a5); c50 = S.Fma(va, b0, c50); c51 = S.Fma(va, b1, c51);
            va = S.Splat(*a6); c60 = S.Fma(va, b0, c60); c61 = S.Fma(va, b1, c61);
            va = S.Splat(*a7); c70 = S.Fma(va, b0, c70); c71 = S.Fma(va, b1, c71);
            bp += bs;
            a0 += cs; a1 += cs; a2 += cs; a3 += cs; a4 += cs; a5 += cs; a6 += cs; a7 += cs;
        }
        var u = new TileUpdate<T, TV, S>(g, first, x);
        int ldc = g.Ldc;
        T* c0 = c + (long)ir * ldc + j;
        if (rows == MR && cols == NR)
        {
            u.Row(c0, 0, c00, c01); u.Row(c0 + ldc, 1, c10, c11); u.Row(c0 + 2 * ldc, 2, c20, c21); u.Row(c0 + 3 * ldc, 3, c30, c31);
            u.Row(c0 + 4 * ldc, 4, c40, c41); u.Row(c0 + 5 * ldc, 5, c50, c51); u.Row(c0 + 6 * ldc, 6, c60, c61); u.Row(c0 + 7 * ldc, 7, c70, c71);
            return;
        }
        // Edge tile: the same vector update on the valid rows and columns only (masked loads and stores).
        for (int r = 0; r < rows; r++)
        {
            (TV lo, TV hi) = r switch
            {
                0 => (c00, c01), 1 => (c10, c11), 2 => (c20, c21), 3 => (c30, c31),
                4 => (c40, c41), 5 => (c50, c51), 6 => (c60, c61), _ => (c70, c71),
            };
            u.EdgeRow(c0 + (long)r * ldc, r, lo, hi, cols);
        }
    }

    /// <summary>
    /// An edge tile of at most four rows (the 25- and 10-unit layers' dW = dZᵀ·X leave 1 or 2): accumulates only
    /// <typeparamref name="R"/>'s rows (1, 2 or 4, at least the valid ones), reading op(A) in place (rows past the
    /// valid ones repeat the last valid row and are discarded). Each element of C gets exactly the 8-row kernel's
    /// sequence of operations: the same lanes, the same FMA chain over p, the same update.
    /// </summary>
    [SkipLocalsInit]
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void OuterKernelShort<T, TV, S, R>(GemmJob<T> g, T* ap, nint rs, nint cs, T* bp, nint bs, int kc, T* c, int ir, int rows, int j, int cols, bool first, T* x)
        where T : unmanaged, IFloatingPointIeee754<T> where TV : struct where S : struct, ISimd<T, TV> where R : struct, IRowCount
    {
        int L = S.Lanes;
        TV c00 = S.Zero, c01 = S.Zero, c10 = S.Zero, c11 = S.Zero, c20 = S.Zero, c21 = S.Zero, c30 = S.Zero, c31 = S.Zero;
        T* a0 = ap, a1 = ap + Math.Min(1, rows - 1) * rs, a2 = ap + Math.Min(2, rows - 1) * rs, a3 = ap + Math.Min(3, rows - 1) * rs;
        for (int p = 0; p < kc; p++)
        {
            TV b0 = S.Load(bp), b1 = S.Load(bp + L);
            TV va = S.Splat(*a0); c00 = S.Fma(va, b0, c00); c01 = S.Fma(va, b1, c01);
            if (R.Rows > 1) { va = S.Splat(*a1); c10 = S.Fma(va, b0, c10); c11 = S.Fma(va, b1, c11); }
            if (R.Rows > 2)
            {
                va = S.Splat(*a2); c20 = S.Fma(va, b0, c20); c21 = S.Fma(va, b1, c21);
                va = S.Splat(*a3); c30 = S.Fma(va, b0, c30); c31 = S.Fma(va, b1, c31);
            }
            bp += bs;
            a0 += cs; a1 += cs; a2 += cs; a3 += cs;
        }
        var u = new TileUpdate<T, TV, S>(g, first, x);
        int ldc = g.Ldc;
        T* c0 = c + (long)ir * ldc + j;
        for (int r = 0; r < rows; r++)
        {
            (TV lo, TV hi) = r switch { 0 => (c00, c01), 1 => (c10, c11), 2 => (c20, c21), _ => (c30, c31) };
            u.EdgeRow(c0 + (long)r * ldc, r, lo, hi, cols);
        }
    }

    /// <summary>How many rows <see cref="OuterKernelShort{T, TV, S, R}"/> accumulates (a constant the JIT folds).</summary>
    private interface IRowCount { static abstract int Rows { get; } }
    private struct OneRow : IRowCount { public static int Rows => 1; }
    private struct TwoRows : IRowCount { public static int Rows => 2; }
    private struct FourRows : IRowCount { public static int Rows => 4; }

    /// <summary>
    /// An edge panel of at most one vector of columns (a 10-unit output layer in float32): only the first of the
    /// panel's two vectors is accumulated, half the FMAs of the full kernel. Rows past the valid ones repeat the
    /// last valid row (discarded). The valid elements get exactly the full kernel's operations.
    /// </summary>
    [SkipLocalsInit]
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void OuterKernelNarrow<T, TV, S>(GemmJob<T> g, T* ap, nint rs, nint cs, T* bp, nint bs, int kc, T* c, int ir, int rows, int j, int cols, bool first, T* x)
        where T : unmanaged, IFloatingPointIeee754<T> where TV : struct where S : struct, ISimd<T, TV>
    {
        int L = S.Lanes, NR = 2 * L;
        TV c0 = S.Zero, c1 = S.Zero, c2 = S.Zero, c3 = S.Zero, c4 = S.Zero, c5 = S.Zero, c6 = S.Zero, c7 = S.Zero;
        int last = rows - 1;
        T* a0 = ap, a1 = ap + Math.Min(1, last) * rs, a2 = ap + Math.Min(2, last) * rs, a3 = ap + Math.Min(3, last) * rs;
        T* a4 = ap + Math.Min(4, last) * rs, a5 = ap + Math.Min(5, last) * rs, a6 = ap + Math.Min(6, last) * rs, a7 = ap + Math.Min(7, last) * rs;
        for (int p = 0; p < kc; p++)
        {
            TV b0 = S.Load(bp);
            c0 = S.Fma(S.Splat(*a0), b0, c0); c1 = S.Fma(S.Splat(*a1), b0, c1);
            c2 = S.Fma(S.Splat(*a2), b0, c2); c3 = S.Fma(S.Splat(*a3), b0, c3);
            c4 = S.Fma(S.Splat(*a4), b0, c4); c5 = S.Fma(S.Splat(*a5), b0, c5);
            c6 = S.Fma(S.Splat(*a6), b0, c6); c7 = S.Fma(S.Splat(*a7), b0, c7);
            bp += bs;
            a0 += cs; a1 += cs; a2 += cs; a3 += cs; a4 += cs; a5 += cs; a6 += cs; a7 += cs;
        }
        var u = new TileUpdate<T, TV, S>(g, first, x);
        int ldc = g.Ldc;
        T* c00 = c + (long)ir * ldc + j;
        for (int r = 0; r < rows; r++)
        {
            TV lo = r switch { 0 => c0, 1 => c1, 2 => c2, 3 => c3, 4 => c4, 5 => c5, 6 => c6, _ => c7 };
            u.EdgeRow(c00 + (long)r * ldc, r, lo, S.Zero, cols);
        }
    }

    /// <summary>
    /// How a tile's accumulators go into C: alpha·acc + beta·C on the first kc block (alpha·acc when beta is zero),
    /// C + alpha·acc after it; and on the last block of a product with the fused L2 term, + Scale·D as well (x, the
    /// tile's D, is null otherwise), rounded as the separate epilogue pass would: (D·Scale) + C.
    /// </summary>
    private readonly ref struct TileUpdate<T, TV, S>
        where T : unmanaged, IFloatingPointIeee754<T> where TV : struct where S : struct, ISimd<T, TV>
    {
        private readonly TV alpha, beta, scale;
        private readonly bool first, noBeta;
        private readonly T* x;
        private readonly nint ldx;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public TileUpdate(GemmJob<T> g, bool first, T* x)
        {
            alpha = S.Splat(g.Alpha);
            beta = S.Splat(g.Beta);
            noBeta = T.IsZero(g.Beta);
            this.first = first;
            this.x = x;
            ldx = g.LdAux;
            scale = x == null ? S.Zero : S.Splat(g.Scale);
        }

        /// <summary>A full row r of an MR x NR tile: its two vectors.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Row(T* c, int r, TV lo, TV hi)
        {
            T* d = x == null ? null : x + r * ldx;
            Vector(c, d, lo);
            Vector(c + S.Lanes, d == null ? null : d + S.Lanes, hi);
        }

        /// <summary>The first <paramref name="cols"/> (1..NR) elements of row r: the same operations per element, through
        /// masked loads and stores, so nothing past the valid columns is read or written.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void EdgeRow(T* c, int r, TV lo, TV hi, int cols)
        {
            int L = S.Lanes;
            T* d = x == null ? null : x + r * ldx;
            if (cols < L)
            {
                Partial(c, d, lo, cols);
                return;
            }
            Vector(c, d, lo);
            if (cols == 2 * L) Vector(c + L, d == null ? null : d + L, hi);
            else if (cols > L) Partial(c + L, d == null ? null : d + L, hi, cols - L);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private void Vector(T* c, T* d, TV v)
        {
            TV r = first ? (noBeta ? S.Mul(alpha, v) : S.Add(S.Mul(alpha, v), S.Mul(beta, S.Load(c)))) : S.Add(S.Load(c), S.Mul(alpha, v));
            if (d != null) r = S.Add(S.Mul(S.Load(d), scale), r);
            S.Store(r, c);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private void Partial(T* c, T* d, TV v, int count)
        {
            TV r = first ? (noBeta ? S.Mul(alpha, v) : S.Add(S.Mul(alpha, v), S.Mul(beta, S.LoadPartial(c, count)))) : S.Add(S.LoadPartial(c, count), S.Mul(alpha, v));
            if (d != null) r = S.Add(S.Mul(S.LoadPartial(d, count), scale), r);
            S.StorePartial(r, c, count);
        }
    }
}
