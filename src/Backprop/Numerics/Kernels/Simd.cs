using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Backprop.Numerics;

/// <summary>
/// One SIMD register width as a static interface, so the GEMM kernels are written once and specialized
/// by the JIT for Vector512, Vector256 and Vector128 (float and double). Every member inlines.
/// </summary>
internal unsafe interface ISimd<T, TV> where T : unmanaged where TV : struct
{
    static abstract int Lanes { get; }
    static abstract TV Zero { get; }
    static abstract TV Load(T* p);
    static abstract void Store(TV v, T* p);
    static abstract TV Splat(T x);
    /// <summary>a·b + c with one rounding.</summary>
    static abstract TV Fma(TV a, TV b, TV c);
    static abstract TV Mul(TV a, TV b);
    static abstract TV Add(TV a, TV b);
    static abstract TV Div(TV a, TV b);
    static abstract TV Sqrt(TV a);
    static abstract T Sum(TV v);
    /// <summary>The vector folded to 128 bits by adding its upper half to its lower half (repeatedly).</summary>
    static abstract Vector128<T> Fold(TV v);
    /// <summary>The first <paramref name="count"/> (1..Lanes) elements at p, the other lanes zero; memory past them is not touched.</summary>
    static abstract TV LoadPartial(T* p, int count);
    /// <summary>Stores the first <paramref name="count"/> (1..Lanes) lanes at p; memory past them is not touched.</summary>
    static abstract void StorePartial(TV v, T* p, int count);
}

/// <summary>Element-by-element partial loads and stores, for machines without masked vector moves.</summary>
internal static unsafe class Partial
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV Load<T, TV>(T* p, int count) where T : unmanaged where TV : unmanaged
    {
        TV v = default;
        T* t = (T*)&v;
        for (int i = 0; i < count; i++) t[i] = p[i];
        return v;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store<T, TV>(TV v, T* p, int count) where T : unmanaged where TV : unmanaged
    {
        T* t = (T*)&v;
        for (int i = 0; i < count; i++) p[i] = t[i];
    }
}

internal static unsafe class Reduce
{
    /// <summary>
    /// dst[0..3] = the sums of the lanes of v0..v3: each folded to 128 bits, then summed together with horizontal
    /// adds (about a quarter of the instructions of four separate <c>Vector512.Sum</c> calls, which finish in
    /// serial scalar adds). The order of the additions depends only on the width, so every element always gets the same.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Sum4<T, TV, S>(TV v0, TV v1, TV v2, TV v3, T* dst)
        where T : unmanaged, IFloatingPointIeee754<T> where TV : struct where S : struct, ISimd<T, TV>
    {
        Vector128<T> x0 = S.Fold(v0), x1 = S.Fold(v1), x2 = S.Fold(v2), x3 = S.Fold(v3);
        if (Sse3.IsSupported && typeof(T) == typeof(float))
        {
            var s = Sse3.HorizontalAdd(Sse3.HorizontalAdd(x0.AsSingle(), x1.AsSingle()), Sse3.HorizontalAdd(x2.AsSingle(), x3.AsSingle()));
            s.As<float, T>().Store(dst);
            return;
        }
        if (Sse3.IsSupported && typeof(T) == typeof(double))
        {
            Sse3.HorizontalAdd(x0.AsDouble(), x1.AsDouble()).As<double, T>().Store(dst);
            Sse3.HorizontalAdd(x2.AsDouble(), x3.AsDouble()).As<double, T>().Store(dst + 2);
            return;
        }
        dst[0] = Vector128.Sum(x0); dst[1] = Vector128.Sum(x1); dst[2] = Vector128.Sum(x2); dst[3] = Vector128.Sum(x3);
    }

    /// <summary>
    /// The 16 sums of a 4x4 tile of float32 Vector512 accumulators (cRQ: row R, column Q), row-major in one vector:
    /// lane 4R + Q = the sum of cRQ's lanes. Four accumulators at a time are reduced in the same register (cross-lane
    /// shuffles instead of per-vector extracts), with exactly the pairing of <see cref="Sum4"/> after
    /// <see cref="V512{T}.Fold"/> — lanes i + (i+8), then + (i+4), then (0+1) + (2+3) — so every sum is bit-identical
    /// to it, in about a third of the instructions.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Tile4x4(
        Vector512<float> c00, Vector512<float> c01, Vector512<float> c02, Vector512<float> c03,
        Vector512<float> c10, Vector512<float> c11, Vector512<float> c12, Vector512<float> c13,
        Vector512<float> c20, Vector512<float> c21, Vector512<float> c22, Vector512<float> c23,
        Vector512<float> c30, Vector512<float> c31, Vector512<float> c32, Vector512<float> c33)
    {
        // Each row's four accumulators folded to 128 bits side by side: [fold cR0 | fold cR1 | fold cR2 | fold cR3].
        var r0 = FoldFour(c00, c01, c02, c03);
        var r1 = FoldFour(c10, c11, c12, c13);
        var r2 = FoldFour(c20, c21, c22, c23);
        var r3 = FoldFour(c30, c31, c32, c33);
        // Within each 128-bit lane Q: pairs (0+1), (2+3) of rows 0 and 1, then of rows 2 and 3; then their sums:
        // lane Q = [total 0Q, total 1Q, total 2Q, total 3Q], a column of the tile.
        var p01 = Avx512F.Shuffle(r0, r1, 0x88) + Avx512F.Shuffle(r0, r1, 0xDD);
        var p23 = Avx512F.Shuffle(r2, r3, 0x88) + Avx512F.Shuffle(r2, r3, 0xDD);
        var columns = Avx512F.Shuffle(p01, p23, 0x88) + Avx512F.Shuffle(p01, p23, 0xDD);
        // Transposed to rows.
        return Avx512F.PermuteVar16x32(columns, Vector512.Create(0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15));
    }

    /// <summary>[fold a | fold b | fold c | fold d]: each vector's lanes i + (i+8), then + (i+4), in one register.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> FoldFour(Vector512<float> a, Vector512<float> b, Vector512<float> c, Vector512<float> d)
    {
        // [a0..7 + a8..15 | b0..7 + b8..15]: 128-bit lanes (0, 1) of each plus lanes (2, 3).
        var ab = Avx512F.Shuffle4x128(a, b, 0x44) + Avx512F.Shuffle4x128(a, b, 0xEE);
        var cd = Avx512F.Shuffle4x128(c, d, 0x44) + Avx512F.Shuffle4x128(c, d, 0xEE);
        // Lanes (0, 2) plus lanes (1, 3): [a's four | b's four | c's four | d's four].
        return Avx512F.Shuffle4x128(ab, cd, 0x88) + Avx512F.Shuffle4x128(ab, cd, 0xDD);
    }
}

internal unsafe struct V512<T> : ISimd<T, Vector512<T>> where T : unmanaged, IFloatingPointIeee754<T>
{
    public static int Lanes { [MethodImpl(MethodImplOptions.AggressiveInlining)] get => Vector512<T>.Count; }
    public static Vector512<T> Zero { [MethodImpl(MethodImplOptions.AggressiveInlining)] get => Vector512<T>.Zero; }
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<T> Load(T* p) => Vector512.Load(p);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(Vector512<T> v, T* p) => v.Store(p);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<T> Splat(T x) => Vector512.Create(x);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<T> Mul(Vector512<T> a, Vector512<T> b) => a * b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<T> Add(Vector512<T> a, Vector512<T> b) => a + b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<T> Div(Vector512<T> a, Vector512<T> b) => a / b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<T> Sqrt(Vector512<T> a) => Vector512.Sqrt(a);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static T Sum(Vector512<T> v) => Vector512.Sum(v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<T> Fold(Vector512<T> v)
    {
        var h = v.GetLower() + v.GetUpper();
        return h.GetLower() + h.GetUpper();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> LoadPartial(T* p, int count)
    {
        if (Avx512F.IsSupported && typeof(T) == typeof(float))
            return Avx512F.MaskLoad((float*)p, Vector512.LessThan(Vector512<int>.Indices, Vector512.Create(count)).AsSingle(), Vector512<float>.Zero).As<float, T>();
        if (Avx512F.IsSupported && typeof(T) == typeof(double))
            return Avx512F.MaskLoad((double*)p, Vector512.LessThan(Vector512<long>.Indices, Vector512.Create((long)count)).AsDouble(), Vector512<double>.Zero).As<double, T>();
        return Partial.Load<T, Vector512<T>>(p, count);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StorePartial(Vector512<T> v, T* p, int count)
    {
        if (Avx512F.IsSupported && typeof(T) == typeof(float))
            Avx512F.MaskStore((float*)p, Vector512.LessThan(Vector512<int>.Indices, Vector512.Create(count)).AsSingle(), v.AsSingle());
        else if (Avx512F.IsSupported && typeof(T) == typeof(double))
            Avx512F.MaskStore((double*)p, Vector512.LessThan(Vector512<long>.Indices, Vector512.Create((long)count)).AsDouble(), v.AsDouble());
        else Partial.Store(v, p, count);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> Fma(Vector512<T> a, Vector512<T> b, Vector512<T> c)
    {
        if (typeof(T) == typeof(float)) return Vector512.FusedMultiplyAdd(a.AsSingle(), b.AsSingle(), c.AsSingle()).As<float, T>();
        if (typeof(T) == typeof(double)) return Vector512.FusedMultiplyAdd(a.AsDouble(), b.AsDouble(), c.AsDouble()).As<double, T>();
        throw new NotSupportedException(typeof(T).Name);
    }
}

internal unsafe struct V256<T> : ISimd<T, Vector256<T>> where T : unmanaged, IFloatingPointIeee754<T>
{
    public static int Lanes { [MethodImpl(MethodImplOptions.AggressiveInlining)] get => Vector256<T>.Count; }
    public static Vector256<T> Zero { [MethodImpl(MethodImplOptions.AggressiveInlining)] get => Vector256<T>.Zero; }
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<T> Load(T* p) => Vector256.Load(p);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(Vector256<T> v, T* p) => v.Store(p);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<T> Splat(T x) => Vector256.Create(x);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<T> Mul(Vector256<T> a, Vector256<T> b) => a * b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<T> Add(Vector256<T> a, Vector256<T> b) => a + b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<T> Div(Vector256<T> a, Vector256<T> b) => a / b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<T> Sqrt(Vector256<T> a) => Vector256.Sqrt(a);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static T Sum(Vector256<T> v) => Vector256.Sum(v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<T> Fold(Vector256<T> v) => v.GetLower() + v.GetUpper();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> LoadPartial(T* p, int count)
    {
        if (Avx.IsSupported && typeof(T) == typeof(float))
            return Avx.MaskLoad((float*)p, Vector256.LessThan(Vector256<int>.Indices, Vector256.Create(count)).AsSingle()).As<float, T>();
        if (Avx.IsSupported && typeof(T) == typeof(double))
            return Avx.MaskLoad((double*)p, Vector256.LessThan(Vector256<long>.Indices, Vector256.Create((long)count)).AsDouble()).As<double, T>();
        return Partial.Load<T, Vector256<T>>(p, count);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StorePartial(Vector256<T> v, T* p, int count)
    {
        if (Avx.IsSupported && typeof(T) == typeof(float))
            Avx.MaskStore((float*)p, Vector256.LessThan(Vector256<int>.Indices, Vector256.Create(count)).AsSingle(), v.AsSingle());
        else if (Avx.IsSupported && typeof(T) == typeof(double))
            Avx.MaskStore((double*)p, Vector256.LessThan(Vector256<long>.Indices, Vector256.Create((long)count)).AsDouble(), v.AsDouble());
        else Partial.Store(v, p, count);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> Fma(Vector256<T> a, Vector256<T> b, Vector256<T> c)
    {
        if (typeof(T) == typeof(float)) return Vector256.FusedMultiplyAdd(a.AsSingle(), b.AsSingle(), c.AsSingle()).As<float, T>();
        if (typeof(T) == typeof(double)) return Vector256.FusedMultiplyAdd(a.AsDouble(), b.AsDouble(), c.AsDouble()).As<double, T>();
        throw new NotSupportedException(typeof(T).Name);
    }
}

internal unsafe struct V128<T> : ISimd<T, Vector128<T>> where T : unmanaged, IFloatingPointIeee754<T>
{
    public static int Lanes { [MethodImpl(MethodImplOptions.AggressiveInlining)] get => Vector128<T>.Count; }
    public static Vector128<T> Zero { [MethodImpl(MethodImplOptions.AggressiveInlining)] get => Vector128<T>.Zero; }
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<T> Load(T* p) => Vector128.Load(p);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(Vector128<T> v, T* p) => v.Store(p);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<T> Splat(T x) => Vector128.Create(x);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<T> Mul(Vector128<T> a, Vector128<T> b) => a * b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<T> Add(Vector128<T> a, Vector128<T> b) => a + b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<T> Div(Vector128<T> a, Vector128<T> b) => a / b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<T> Sqrt(Vector128<T> a) => Vector128.Sqrt(a);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static T Sum(Vector128<T> v) => Vector128.Sum(v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<T> Fold(Vector128<T> v) => v;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<T> LoadPartial(T* p, int count)
    {
        if (Avx.IsSupported && typeof(T) == typeof(float))
            return Avx.MaskLoad((float*)p, Vector128.LessThan(Vector128<int>.Indices, Vector128.Create(count)).AsSingle()).As<float, T>();
        if (Avx.IsSupported && typeof(T) == typeof(double))
            return Avx.MaskLoad((double*)p, Vector128.LessThan(Vector128<long>.Indices, Vector128.Create((long)count)).AsDouble()).As<double, T>();
        return Partial.Load<T, Vector128<T>>(p, count);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StorePartial(Vector128<T> v, T* p, int count)
    {
        if (Avx.IsSupported && typeof(T) == typeof(float))
            Avx.MaskStore((float*)p, Vector128.LessThan(Vector128<int>.Indices, Vector128.Create(count)).AsSingle(), v.AsSingle());
        else if (Avx.IsSupported && typeof(T) == typeof(double))
            Avx.MaskStore((double*)p, Vector128.LessThan(Vector128<long>.Indices, Vector128.Create((long)count)).AsDouble(), v.AsDouble());
        else Partial.Store(v, p, count);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<T> Fma(Vector128<T> a, Vector128<T> b, Vector128<T> c)
    {
        if (typeof(T) == typeof(float)) return Vector128.FusedMultiplyAdd(a.AsSingle(), b.AsSingle(), c.AsSingle()).As<float, T>();
        if (typeof(T) == typeof(double)) return Vector128.FusedMultiplyAdd(a.AsDouble(), b.AsDouble(), c.AsDouble()).As<double, T>();
        throw new NotSupportedException(typeof(T).Name);
    }
}
