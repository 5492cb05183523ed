using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Backprop.Numerics;

/// <summary>
/// The row steps of <see cref="SoftmaxKernel.Rows{T}"/> for blocks of float32 rows of 8 to 16 elements (10 classes),
/// one masked 512-bit vector per row instead of element loops, with the same values as the scalar steps: a maximum is
/// exact, and a vector subtraction or division rounds each element as the scalar one does; the sums stay scalar, in order.
/// <para>A masked store covers 64 bytes, into the next row: each loop reads row r + 1 before it stores row r, or the
/// read would wait for the store to reach the cache (rows two apart are at least 64 bytes apart, so never overlap).</para>
/// </summary>
internal static unsafe class NarrowSoftmax
{
    public const int MinWidth = 8;

    public static bool Supports(int width) => width >= MinWidth && width <= Vector512<float>.Count && Avx512F.IsSupported;

    /// <summary>Every row -= its maximum (a row holding a NaN takes the scalar loop, whose NaN rules the caller defines).</summary>
    public static void Shift(Span<float> block, int width, ScalarShift scalar)
    {
        int rows = block.Length / width;
        if (rows == 0) return;
        fixed (float* p = &MemoryMarshal.GetReference(block))
        {
            var mask = Mask(width);
            var next = Avx512F.MaskLoad(p, mask, Vector512<float>.Zero);
            for (int r = 0; r < rows; r++)
            {
                float* row = p + r * width;
                var v = next;
                if (r + 1 < rows) next = Avx512F.MaskLoad(row + width, mask, Vector512<float>.Zero);
                if (!Vector512.EqualsAll(v, v))
                {
                    scalar(block.Slice(r * width, width));
                    continue;
                }
                // Lanes past the row count as −∞, which never wins.
                var m = Vector512.ConditionalSelect(mask, v, Vector512.Create(float.NegativeInfinity));
                var m256 = Avx.Max(m.GetLower(), m.GetUpper());
                var m128 = Sse.Max(m256.GetLower(), m256.GetUpper());
                m128 = Sse.Max(m128, Sse.Shuffle(m128, m128, 0b01_00_11_10));
                m128 = Sse.Max(m128, Sse.Shuffle(m128, m128, 0b10_11_00_01));
                Avx512F.MaskStore(row, mask, v - Vector512.Create(m128.ToScalar()));
            }
        }
    }

    /// <summary>Every row /= its sum (added element by element, in order).</summary>
    public static void Normalize(Span<float> block, int width)
    {
        int rows = block.Length / width;
        if (rows == 0) return;
        fixed (float* p = &MemoryMarshal.GetReference(block))
        {
            var mask = Mask(width);
            float next = Sum(p, width);
            for (int r = 0; r < rows; r++)
            {
                float* row = p + r * width;
                float sum = next;
                if (r + 1 < rows) next = Sum(row + width, width);
                Avx512F.MaskStore(row, mask, Avx512F.MaskLoad(row, mask, Vector512<float>.Zero) / Vector512.Create(sum));
            }
        }
    }

    public delegate void ScalarShift(Span<float> row);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float Sum(float* row, int width)
    {
        float sum = 0;
        for (int k = 0; k < width; k++) sum += row[k];
        return sum;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Mask(int count) => Vector512.LessThan(Vector512<int>.Indices, Vector512.Create(count)).AsSingle();
}
