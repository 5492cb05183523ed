using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Backprop.Numerics;

/// <summary>
/// y ← (x·s) + y with two roundings, vectorized. <c>TensorPrimitives.MultiplyAdd</c> may fuse the multiply and add
/// on FMA hardware (it is specified as an estimate), which would break bit-for-bit agreement with NumPy.
/// The JIT never contracts separate Vector/scalar multiplies and adds into FMA.
/// </summary>
internal static class UnfusedOps
{
    public static void MultiplyAdd<T>(ReadOnlySpan<T> x, T s, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (x.Length != y.Length) throw new ArgumentException("Length mismatch.", nameof(y));
        int i = 0;
        if (Vector.IsHardwareAccelerated && Vector<T>.IsSupported && x.Length >= Vector<T>.Count)
        {
            ref T xr = ref MemoryMarshal.GetReference(x);
            ref T yr = ref MemoryMarshal.GetReference(y);
            var vs = new Vector<T>(s);
            int last = x.Length - Vector<T>.Count;
            for (; i <= last; i += Vector<T>.Count)
            {
                var prod = Vector.LoadUnsafe(ref xr, (nuint)i) * vs;
                (prod + Vector.LoadUnsafe(ref yr, (nuint)i)).StoreUnsafe(ref yr, (nuint)i);
            }
        }
        for (; i < x.Length; i++)
            y[i] = Unfused(x[i], s, y[i]);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static T Unfused<T>(T a, T b, T c) where T : INumberBase<T> => a * b + c;
}
