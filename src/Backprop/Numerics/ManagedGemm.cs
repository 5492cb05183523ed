using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Backprop.Numerics;

/// <summary>
/// The managed GEMM kernels: C[m, n] = alpha·op(A)[m, k]·op(B)[k, n] + beta·C over row-major storage with
/// leading dimensions (so any strided view works).
/// <list type="bullet">
/// <item><b>A·Bᵀ</b> on a batch (forward pass, both operands contiguous along k, few rows): a register-blocked
/// dot-product kernel, 4 rows of A × 4 rows of B per tile, 16 vector accumulators along k, no packing.</item>
/// <item><b>every other product</b> (A·B for dX, Aᵀ·B for dW, tall A·Bᵀ): a BLIS-style outer-product kernel. B is packed
/// into kc × NR panels (NR = two vectors; a row-major B is read in place when few row panels reuse it, only its
/// partial last panel packed), A is broadcast straight from its storage (packed only for a partial row panel),
/// and an MR = 8 × NR tile of C lives in 16 vector registers across the kc loop.</item>
/// </list>
/// <para>Exactness and threads: an element of C is always computed by the same sequence of operations —
/// the same vector lanes, the same kc blocks, the same reductions — whichever tile, thread or partition it
/// falls in (edge tiles run the full-width kernel on clamped or zero-padded operands and store only the valid
/// part). So results are bit-identical for any thread count. They differ from a naive loop only by summation
/// order (a few ulps).</para>
/// <para>The kernels are marked AggressiveOptimization: tiered compilation would otherwise run their first
/// calls as unoptimized tier-0 code, many times slower.</para>
/// </summary>
internal static unsafe class ManagedGemm
{
    public const int MR = 8;        // rows of C per outer-product tile
    private const int HalfMR = 4;   // edge tiles up to this many rows run the short-tile kernel (1, 2 or 4 rows)
    public const int DotTile = 4;   // 4x4 tiles in the A·Bᵀ kernel
    private const int KC = 256;     // depth of one packed B block
    private const int DotMC = 64;   // rows of A kept in L2 while B rows sweep past in the A·Bᵀ kernel
    private const int DirectBMaxRows = 128; // up to this many rows of C, a row-major B is read in place, not packed
    private const int MC = 64;      // rows of C per sweep when all of op(B) is packed at once
    private const int WholeBBytes = 1 << 20; // op(B) up to this size (all k, the block's columns) is packed at once for tall blocks

    /// <summary>Register width the kernels use: 512, 256 or 128 bits (tests force the narrower paths).</summary>
    public static int VectorBits
    {
        get => vectorBits;
        set => vectorBits = value is 128 or 256 or 512 ? value : throw new ArgumentOutOfRangeException(nameof(value), $"Vector width must be 128, 256 or 512 bits, got {value}.");
    }

    private static int vectorBits = DefaultVectorBits;

    /// <summary>
    /// A·Bᵀ uses the dot-product tiles when it is short (fewer than <see cref="DotMaxRows"/> rows, e.g. a
    /// training batch, where packing Bᵀ would cost as much as the product) and deep enough (at least
    /// <see cref="DotMinDepth"/>, or the k tail dominates); otherwise the outer-product kernel with a
    /// transposing pack of B. A batch through a wide layer that is no deeper than the batch is long (a 100-sample
    /// batch through a 100-100 hidden layer: at least <see cref="OuterMinCols"/> units, depth ≤ rows and below
    /// <see cref="OuterMaxDepth"/>) also takes the outer kernel: there the pack is cheap next to the product and the
    /// dot kernel's per-tile sums are not (100x100x100: 1.5–1.8x faster on one or two threads; narrower or deeper
    /// layers, and fewer rows, are faster on the dot tiles). The choice depends on the shape only, never on the
    /// thread partition.
    /// </summary>
    public const int DotMinDepth = 64;
    public const int DotMaxRows = 256;
    public const int OuterMinCols = 64;
    public const int OuterMaxDepth = 256;
    /// <summary>float32 512-bit dot tiles are summed with <see cref="Reduce.Tile4x4"/> (tests compare it with the per-row reduction).</summary>
    internal static bool UseTileReduce = true;

    /// <summary>
    /// Whether the outer-product kernels add the <see cref="EpilogueKind.AddScaled"/> term (dW = dZᵀ·X + Scale·W) as they
    /// store the last kc block of a tile, instead of a separate pass over C afterwards: C = (Scale·W) + C with the
    /// epilogue's two roundings, so the result is the same; a product the dot kernels compute keeps the pass.
    /// </summary>
    public static bool FusesAddScaled<T>(GemmJob<T> g) where T : unmanaged, IFloatingPointIeee754<T> =>
        g.Epilogue == EpilogueKind.AddScaled && g.K > 0 && g.TransA;

    /// <summary>Which kernel computes the job (the partition in <see cref="GemmJob{T}"/> depends on it).</summary>
    public static bool UsesDotKernel<T>(GemmJob<T> g) where T : unmanaged, IFloatingPointIeee754<T> =>
        !g.TransA && g.TransB && g.K >= DotMinDepth && g.M < DotMaxRows
        && !(g.N >= OuterMinCols && g.K <= g.M && g.K < OuterMaxDepth);

    public static int DefaultVectorBits =>
        Vector512.IsHardwareAccelerated ? 512 : Vector256.IsHardwareAccelerated ? 256 : 128;

    /// <summary>Computes the block rows [i0, i1) x columns [j0, j1) of C (beta applied here too).</summary>
    public static void Block<T>(GemmJob<T> g, int i0, int i1, int j0, int j1) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (i0 >= i1 || j0 >= j1) return;
        switch (VectorBits)
        {
            case 512: Block<T, Vector512<T>, V512<T>>(g, i0, i1, j0, j1); break;
            case 256: Block<T, Vector256<T>, V256<T>>(g, i0, i1, j0, j1); break;
            default: Block<T, Vector128<T>, V128<T>>(g, i0, i1, j0, j1); break;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Block<T, TV, S>(GemmJob<T> g, int i0, int i1, int j0, int j1)
        where T : unmanaged, IFloatingPointIeee754<T> where TV : struct where S : struct, ISimd<T, TV>
    {
        if (g.K == 0)
        {
            ScaleOnly(g, i0, i1, j0, j1);
            return;
        }
        fixed (T* pa = g.A, pb = g.B, pc = g.C, px = FusesAddScaled(g) ? g.Aux : null)
        {
            if (UsesDotKernel(g)) DotBlock<T, TV, S>(g, pa + g.OffsetA, pb + g.OffsetB, pc + g.OffsetC, i0, i1, j0, j1);
            else OuterBlock<T, TV, S>(g, pa + g.OffsetA, pb + g.OffsetB, pc + g.OffsetC, px == null ? null : px + g.AuxOffset, i0, i1, j0, j1);
        }
    }

    private static void ScaleOnly<T>(GemmJob<T> g, int i0, int i1, int j0, int j1) where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = i0; i < i1; i++)
        {
            var row = g.C.AsSpan(g.OffsetC + i * g.Ldc + j0, j1 - j0);
            if (T.IsZero(g.Beta)) row.Clear();
            else for (int j = 0; j < row.Length; j++) row[j] *= g.Beta;
        }
    }

    // ---------------------------------------------------------------- A·Bᵀ: dot-product tiles

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
        // Rows to prefetch, one line of each per step (the current rows, already in cache, when there is no next tile).
        byte* f0 = (byte*)a0, f1 = (byte*)a1, f2 = (byte*)a2, f3 = (byte*)a3;
        if (next >= 0)
        {
            f0 = (byte*)RowOfA(g, a, next); f1 = (byte*)RowOfA(g, a, next + Math.Min(1, nextRows - 1));
            f2 = (byte*)RowOfA(g, a, next + Math.Min(2, nextRows - 1)); f3 = (byte*)RowOfA(g, a, next + Math.Min(3, nextRows - 1));
        }
        nint step = Math.Max(64, L * sizeof(T)); // bytes per k step, at least a line
        int p = 0;
        if (next >= 0 && Sse.IsSupported)
        {
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

    /// <summary>Row i of a non-transposed A (through <see cref="GemmJob{T}.IndexA"/> when the job selects rows).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static T* RowOfA<T>(GemmJob<T> g, T* a, int i) where T : unmanaged, IFloatingPointIeee754<T> =>
        a + (long)(g.IndexA is { } index ? index[g.IndexAStart + i] : i) * g.Lda;

    /// <summary>Row p of a non-transposed B (through <see cref="GemmJob{T}.IndexB"/> when the job selects rows).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static T* RowOfB<T>(GemmJob<T> g, T* b, int p) where T : unmanaged, IFloatingPointIeee754<T> =>
        b + (long)(g.IndexB is { } index ? index[g.IndexBStart + p] : p) * g.Ldb;

    // ---------------------------------------------------------------- outer-product tiles

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void OuterBlock<T, TV, S>(GemmJob<T> g, T* a, T* b, T* c, T* aux, int i0, int i1, int j0, int j1)
        where T : unmanaged, IFloatingPointIeee754<T> where TV : struct where S : struct, ISimd<T, TV>
    {
        int L = S.Lanes, NR = 2 * L, k = g.K;
        int nc = BlockColumns<T>(NR);
        var packedB = Scratch<T>.PackedB(KC * nc);
        var packedA = Scratch<T>.PackedA(KC * MR);
        fixed (T* rawB = packedB, rawA = packedA)
        {
            T* pbPacked = Align(rawB), paPacked = Align(rawA);
            // A·Bᵀ: the columns of a short partial last panel (100 units = 3 panels of 32 + 4) are rows of B, contiguous
            // along k like the rows of A: the dot kernel computes them with every vector lane in use, where the outer
            // kernel would spend a whole vector (16 lanes) on 4 columns. Only for edges of at most half a vector (wider
            // ones gain nothing), after at least one full panel, at a depth the dot kernel is made for (DotMinDepth).
            // Always the last partial panel of the product, so the choice does not depend on the
            // thread partition (pieces hold whole panels).
            bool dotEdge = !g.TransA && g.TransB && k >= DotMinDepth;
            for (int jc = j0; jc < j1; jc += nc)
            {
                int ncur = Math.Min(nc, j1 - jc);
                int panels = (ncur + NR - 1) / NR;
                // (Judged on the whole product, not this block: pieces hold whole panels, so only a block that ends at
                // column N has the partial panel, and the choice is the same for any partition.)
                int edge = dotEdge && jc + ncur == g.N && g.N > NR && g.N % NR <= L / 2 ? g.N % NR : 0;
                int outerPanels = edge != 0 ? panels - 1 : panels;
                if (i1 - i0 > MC && (long)k * panels * NR * sizeof(T) <= WholeBBytes)
                {
                    // Tall block, narrow B (10000 samples through a 100-unit layer): pack all of op(B) for these
                    // columns once, then sweep blocks of MC rows through every kc block, so the block of C stays
                    // in cache across the k loop instead of being re-read from memory once per kc block. Every
                    // element of C sees the same kc blocks in the same order as below: the same arithmetic.
                    // Packed once before the split for every row piece to share (see PackSharedB), or here.
                    bool shared = g.SharedPackedB is not null && jc == 0 && ncur == g.N;
                    var wholeB = shared ? g.SharedPackedB! : Scratch<T>.PackedB((int)((long)k * panels * NR));
                    fixed (T* rawWhole = wholeB)
                    {
                        T* pbWhole = shared ? rawWhole + g.SharedPackedOffset : Align(rawWhole);
                        if (!shared)
                            for (int pc = 0; pc < k; pc += KC)
                                PackB<T, TV, S>(g, b, pbWhole + (long)pc * panels * NR, pc, Math.Min(KC, k - pc), jc, ncur);
                        for (int ic = i0; ic < i1; ic += MC)
                        {
                            int icEnd = Math.Min(ic + MC, i1);
                            for (int pc = 0; pc < k; pc += KC)
                            {
                                int kc = Math.Min(KC, k - pc);
                                T* packed = pbWhole + (long)pc * panels * NR;
                                for (int ir = ic; ir < icEnd; ir += MR)
                                {
                                    int rows = Math.Min(MR, icEnd - ir);
                                    T* ap = TileA(g, a, paPacked, ir, rows, pc, kc, out nint rs, out nint cs);
                                    for (int jp = 0; jp < outerPanels; jp++)
                                    {
                                        int j = jc + jp * NR, cols = Math.Min(NR, jc + ncur - j);
                                        OuterKernel<T, TV, S>(g, ap, rs, cs, packed + (long)jp * kc * NR, NR, kc, c, ir, rows, j, cols, pc == 0,
                                            AuxTile(g, aux, pc + kc == k, ir, j));
                                    }
                                }
                            }
                            if (edge != 0) DotEdge<T, TV, S>(g, a, b, c, ic, icEnd, jc + ncur - edge, jc + ncur);
                        }
                    }
                    continue;
                }
                for (int pc = 0; pc < k; pc += KC)
                {
                    int kc = Math.Min(KC, k - pc);
                    // Few row panels reuse each B panel: read full panels of a row-major B in place instead of
                    // copying them (only a partial last panel is packed, zero-padded). Same arithmetic either way.
                    bool direct = !g.TransB && g.IndexB is null && i1 - i0 <= DirectBMaxRows;
                    int edgeCols = ncur % NR;
                    if (!direct) PackB<T, TV, S>(g, b, pbPacked, pc, kc, jc, ncur);
                    else if (edgeCols != 0) PackB<T, TV, S>(g, b, pbPacked, pc, kc, jc + ncur - edgeCols, edgeCols);
                    bool first = pc == 0;
                    for (int ir = i0; ir < i1; ir += MR)
                    {
                        int rows = Math.Min(MR, i1 - ir);
                        T* ap = TileA(g, a, paPacked, ir, rows, pc, kc, out nint rs, out nint cs);
                        for (int jp = 0; jp < outerPanels; jp++)
                        {
                            int j = jc + jp * NR, cols = Math.Min(NR, jc + ncur - j);
                            T* bp;
                            nint bs;
                            if (!direct) { bp = pbPacked + (long)jp * kc * NR; bs = NR; }
                            else if (cols == NR) { bp = b + (long)pc * g.Ldb + j; bs = g.Ldb; }
                            else { bp = pbPacked; bs = NR; }
                            OuterKernel<T, TV, S>(g, ap, rs, cs, bp, bs, kc, c, ir, rows, j, cols, first, AuxTile(g, aux, pc + kc == k, ir, j));
                        }
                    }
                }
                if (edge != 0) DotEdge<T, TV, S>(g, a, b, c, i0, i1, jc + ncur - edge, jc + ncur);
            }
        }
    }

    /// <summary>Where the fused epilogue term's D starts for the tile at (ir, j): on the last kc block only, else null.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static T* AuxTile<T>(GemmJob<T> g, T* aux, bool last, int ir, int j) where T : unmanaged, IFloatingPointIeee754<T> =>
        aux == null || !last ? null : aux + (long)ir * g.LdAux + j;

    /// <summary>Columns [j0, j1) of rows [i0, i1) of C = A·Bᵀ by the dot kernel (4x4 tiles over the whole depth).</summary>
    private static void DotEdge<T, TV, S>(GemmJob<T> g, T* a, T* b, T* c, int i0, int i1, int j0, int j1)
        where T : unmanaged, IFloatingPointIeee754<T> where TV : struct where S : struct, ISimd<T, TV>
    {
        for (int jb = j0; jb < j1; jb += DotTile)
            for (int ib = i0; ib < i1; ib += DotTile)
                DotKernel<T, TV, S>(g, a, b, c, ib, Math.Min(DotTile, i1 - ib), jb, Math.Min(DotTile, j1 - jb));
    }

    /// <summary>Columns of op(B) per packed block: a kc x nc block of about 1 MB (L2), whole panels of NR.</summary>
    private static int BlockColumns<T>(int NR) where T : unmanaged => Math.Max(NR, (1 << 20) / (KC * sizeof(T)) / NR * NR);

    /// <summary>
    /// A tall product split by rows (10000 samples through a 100-unit layer): every piece would pack all of op(B) for
    /// itself — a transpose of the whole weight matrix per piece. Packs it once instead, on the calling thread before the
    /// split, exactly as each piece would have (same panels, same layout), into the job's buffer. False when the
    /// pieces would not take the whole-B path (see <see cref="OuterBlock{T, TV, S}"/>).
    /// </summary>
    public static bool PackSharedB<T>(GemmJob<T> g, int rowsPerPiece) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (g.K == 0 || rowsPerPiece <= MC || UsesDotKernel(g)) return false;
        return VectorBits switch
        {
            512 => PackSharedB<T, Vector512<T>, V512<T>>(g),
            256 => PackSharedB<T, Vector256<T>, V256<T>>(g),
            _ => PackSharedB<T, Vector128<T>, V128<T>>(g),
        };
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static bool PackSharedB<T, TV, S>(GemmJob<T> g)
        where T : unmanaged, IFloatingPointIeee754<T> where TV : struct where S : struct, ISimd<T, TV>
    {
        int L = S.Lanes, NR = 2 * L, k = g.K;
        int nc = BlockColumns<T>(NR);
        int panels = (g.N + NR - 1) / NR;
        long length = (long)k * panels * NR;
        if (g.N > nc || length * sizeof(T) > WholeBBytes) return false;
        var buffer = g.SharedBuffer is { } x && x.Length >= length + 64 / sizeof(T)
            ? x : g.SharedBuffer = GC.AllocateUninitializedArray<T>((int)length + 64 / sizeof(T), pinned: true);
        fixed (T* raw = buffer, b = g.B)
        {
            T* dst = Align(raw);
            for (int pc = 0; pc < k; pc += KC)
                PackB<T, TV, S>(g, b + g.OffsetB, dst + (long)pc * panels * NR, pc, Math.Min(KC, k - pc), 0, g.N);
            g.SharedPackedOffset = (int)(dst - raw);
        }
        g.SharedPackedB = buffer;
        return true;
    }

    /// <summary>Packs op(B)[pc .. pc+kc, jc .. jc+ncur) into panels of NR columns: panel jp holds kc rows of NR
    /// contiguous elements, zero-padded past the last column.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PackB<T, TV, S>(GemmJob<T> g, T* b, T* dst, int pc, int kc, int jc, int ncur)
        where T : unmanaged, IFloatingPointIeee754<T> where TV : struct where S : struct, ISimd<T, TV>
    {
        int L = S.Lanes, NR = 2 * L, ldb = g.Ldb;
        for (int j = 0, jp = 0; j < ncur; j += NR, jp++)
        {
            int cols = Math.Min(NR, ncur - j);
            T* panel = dst + (long)jp * kc * NR;
            if (!g.TransB)
            {
                // B [k, n]: row p of the panel is B[pc + p, jc + j .. + NR) (row pc + p of a selection of rows).
                if (cols == NR)
                {
                    for (int p = 0; p < kc; p++, panel += NR)
                    {
                        T* src = RowOfB(g, b, pc + p) + jc + j;
                        S.Store(S.Load(src), panel);
                        S.Store(S.Load(src + L), panel + L);
                    }
                }
                else
                {
                    for (int p = 0; p < kc; p++, panel += NR)
                    {
                        T* src = RowOfB(g, b, pc + p) + jc + j;
                        int q = 0;
                        for (; q < cols; q++) panel[q] = src[q];
                        for (; q < NR; q++) panel[q] = T.Zero;
                    }
                }
            }
            else
            {
                // B [n, k]: op(B)[p, j] = B[j, p]; a transpose.
                for (int q = 0; q < NR; q++)
                {
                    if (q < cols)
                    {
                        T* src = b + (long)(jc + j + q) * ldb + pc;
                        for (int p = 0; p < kc; p++) panel[p * NR + q] = src[p];
                    }
                    else for (int p = 0; p < kc; p++) panel[p * NR + q] = T.Zero;
                }
            }
        }
    }

    /// <summary>The last, partial row panel of op(A): kc x MR, zero-padded rows.</summary>
    /// <summary>
    /// Where the outer kernel reads the A tile of rows [ir, ir + rows) and depth [pc, pc + kc): op(A)[ir + r, pc + p]
    /// lives at result + r·rs + p·cs. A full tile, or a short edge the short-tile kernel handles, is read in place;
    /// other edges are packed (zero-padded to MR rows) into <paramref name="edge"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static T* TileA<T>(GemmJob<T> g, T* a, T* edge, int ir, int rows, int pc, int kc, out nint rs, out nint cs)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (rows == MR || rows <= HalfMR)
        {
            if (g.TransA) { rs = 1; cs = g.Lda; return a + (long)pc * g.Lda + ir; }
            rs = g.Lda; cs = 1; return a + (long)ir * g.Lda + pc;
        }
        PackEdgeA(g, a, edge, ir, rows, pc, kc);
        rs = 1; cs = MR;
        return edge;
    }

    private static void PackEdgeA<T>(GemmJob<T> g, T* a, T* dst, int ir, int rows, int pc, int kc) where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int p = 0; p < kc; p++)
        {
            T* d = dst + p * MR;
            for (int r = 0; r < MR; r++)
                d[r] = r >= rows ? T.Zero
                    : g.TransA ? a[(long)(pc + p) * g.Lda + ir + r] : a[(long)(ir + r) * g.Lda + pc + p];
        }
    }

    /// <summary>
    /// One MR x NR tile: acc = Σ_p op(A)[ir+r, p]·Bpanel[p, :] over this kc block, then
    /// C = alpha·acc + beta·C on the first block and C = C + alpha·acc on later ones.
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

    /// <summary>The first 64-byte boundary at or after <paramref name="p"/> (a cache line: a 512-bit load from a packed
    /// panel then never straddles two lines; without this, the panels' alignment — and the kernels' speed — varied
    /// from process to process with where the GC put the buffer).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static T* Align<T>(T* p) where T : unmanaged => (T*)(((nint)p + 63) & ~(nint)63);

    /// <summary>Per-thread packing buffers, grown once and reused (no allocation in steady state). Pinned (the pinned
    /// object heap), with 64 bytes to spare so that <see cref="Align{T}"/> of the start still holds the requested length.</summary>
    private static class Scratch<T> where T : unmanaged
    {
        [ThreadStatic] private static T[]? b;
        [ThreadStatic] private static T[]? a;

        private static int Padded(int length) => length + 64 / sizeof(T);

        public static T[] PackedB(int length) => b is { } x && x.Length >= Padded(length) ? x : b = GC.AllocateUninitializedArray<T>(Padded(length), pinned: true);
        public static T[] PackedA(int length) => a is { } x && x.Length >= Padded(length) ? x : a = GC.AllocateUninitializedArray<T>(Padded(length), pinned: true);
    }
}
