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
/// <para>This file holds the dispatch, the block loops and the packing; ManagedGemm.Dot.cs the dot-product tiles,
/// ManagedGemm.Outer.cs the outer-product register kernels and how they store C.</para>
/// <para>The kernels are marked AggressiveOptimization: tiered compilation would otherwise run their first
/// calls as unoptimized tier-0 code, many times slower.</para>
/// </summary>
internal static unsafe partial class ManagedGemm
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

    /// <summary>Row i of a non-transposed A (through <see cref="GemmJob{T}.IndexA"/> when the job selects rows).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static T* RowOfA<T>(GemmJob<T> g, T* a, int i) where T : unmanaged, IFloatingPointIeee754<T> =>
        a + (long)(g.IndexA is { } index ? index[g.IndexAStart + i] : i) * g.Lda;

    /// <summary>Row p of a non-transposed B (through <see cref="GemmJob{T}.IndexB"/> when the job selects rows).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static T* RowOfB<T>(GemmJob<T> g, T* b, int p) where T : unmanaged, IFloatingPointIeee754<T> =>
        b + (long)(g.IndexB is { } index ? index[g.IndexBStart + p] : p) * g.Ldb;

    // ---------------------------------------------------------------- outer-product blocks and packing (the register kernels: ManagedGemm.Outer.cs)

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
