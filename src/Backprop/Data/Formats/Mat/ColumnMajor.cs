namespace Backprop.Data.Formats.Mat;

/// <summary>
/// Maps between MATLAB's column-major element order and the C (row-major) order of <see cref="NDArray.Data"/>
/// for the same shape.
/// </summary>
internal static class ColumnMajor
{
    /// <summary>
    /// Visits every element in column-major order, calling <paramref name="visit"/> with (column-major index,
    /// row-major index). Implemented as an odometer over the subscripts, first dimension fastest.
    /// </summary>
    public static void ForEach<TVisitor>(int[] shape, ref TVisitor visit) where TVisitor : struct, IIndexVisitor
    {
        long n = 1;
        foreach (var d in shape) n *= d;
        if (n == 0) return;
        int nd = shape.Length;
        Span<long> cStride = nd <= 16 ? stackalloc long[nd] : new long[nd];
        Span<int> sub = nd <= 16 ? stackalloc int[nd] : new int[nd];
        cStride[nd - 1] = 1;
        for (int d = nd - 2; d >= 0; d--) cStride[d] = cStride[d + 1] * shape[d + 1];
        sub.Clear();
        long c = 0;
        for (long f = 0; f < n; f++)
        {
            visit.Visit(f, c);
            for (int d = 0; d < nd; d++)
            {
                c += cStride[d];
                if (++sub[d] < shape[d]) break;
                c -= cStride[d] * shape[d];
                sub[d] = 0;
            }
        }
    }

    /// <summary>Copies column-major <paramref name="source"/> into a new C-order array, converting each value exactly.</summary>
    public static TDest[] ToRowMajor<TSrc, TDest>(TSrc[] source, int[] shape, Func<TSrc, TDest> convert)
    {
        var dest = new TDest[source.LongLength];
        var v = new CopyVisitor<TSrc, TDest>(source, dest, convert, fromColumnMajor: true);
        ForEach(shape, ref v);
        return dest;
    }

    /// <summary>Copies C-order <paramref name="source"/> into a new column-major array.</summary>
    public static T[] ToColumnMajor<T>(T[] source, int[] shape)
    {
        var dest = new T[source.LongLength];
        var v = new CopyVisitor<T, T>(source, dest, static x => x, fromColumnMajor: false);
        ForEach(shape, ref v);
        return dest;
    }

    internal interface IIndexVisitor
    {
        void Visit(long columnMajorIndex, long rowMajorIndex);
    }

    private struct CopyVisitor<TSrc, TDest>(TSrc[] source, TDest[] dest, Func<TSrc, TDest> convert, bool fromColumnMajor) : IIndexVisitor
    {
        public readonly void Visit(long f, long c)
        {
            if (fromColumnMajor) dest[c] = convert(source[f]);
            else dest[f] = convert(source[c]);
        }
    }
}
