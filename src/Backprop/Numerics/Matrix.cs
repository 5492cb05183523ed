using System.Numerics;
using System.Runtime.CompilerServices;

namespace Backprop.Numerics;

/// <summary>
/// A dense, contiguous, row-major matrix: one sample per row. It may own its storage or be a
/// view into a larger array (the network's weights are views into one flat parameter vector).
/// Element (r, c) lives at <c>Array[Offset + r * Cols + c]</c>.
/// </summary>
public sealed class Matrix<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Matrices of at least this many bytes that allocate their own storage start on a 64-byte boundary.</summary>
    internal const int AlignedBytes = 4096;

    /// <summary>
    /// A zero matrix with its own storage. Storage of <see cref="AlignedBytes"/> or more is pinned and starts on a
    /// 64-byte boundary (a cache line; <see cref="Offset"/> is then usually not 0): when a row is a whole number of
    /// lines — 784 float32 pixels are 49 — every row is aligned, and the vector loads of the matrix kernels never
    /// straddle two lines (a first layer's forward product runs about 20 % faster on aligned samples).
    /// </summary>
    public Matrix(int rows, int cols)
        : this(Allocate(rows, cols, out int offset), offset, rows, cols) { }

    private static unsafe T[] Allocate(int rows, int cols, out int offset)
    {
        offset = 0;
        if (rows < 0 || cols < 0) return [];   // the main constructor reports the bad dimensions
        int length = checked(rows * cols);
        if ((long)length * sizeof(T) < AlignedBytes) return new T[length];
        var array = GC.AllocateArray<T>(checked(length + 64 / sizeof(T)), pinned: true);
        nint address = (nint)Unsafe.AsPointer(ref System.Runtime.InteropServices.MemoryMarshal.GetArrayDataReference(array));
        offset = (int)((64 - (address & 63)) & 63) / sizeof(T);
        return array;
    }

    /// <summary>Wraps <paramref name="array"/>[offset .. offset + rows*cols) as a rows x cols view.</summary>
    public Matrix(T[] array, int offset, int rows, int cols)
    {
        ArgumentNullException.ThrowIfNull(array);
        if (rows < 0 || cols < 0)
            throw new ArgumentOutOfRangeException(nameof(rows), $"Matrix dimensions must be non-negative, got {rows}x{cols}.");
        if (offset < 0 || (long)offset + (long)rows * cols > array.Length)
            throw new ArgumentOutOfRangeException(nameof(offset), $"A {rows}x{cols} view at offset {offset} does not fit in an array of {array.Length}.");
        Array = array;
        Offset = offset;
        Rows = rows;
        Cols = cols;
    }

    /// <summary>Wraps a whole array (length must be rows*cols).</summary>
    public Matrix(int rows, int cols, T[] array) : this(array, 0, rows, cols)
    {
        if (array.Length != rows * cols)
            throw new ArgumentException($"Expected {rows}x{cols} = {rows * cols} elements, got {array.Length}.", nameof(array));
    }

    public T[] Array { get; }
    public int Offset { get; }
    public int Rows { get; }
    public int Cols { get; }
    public int Length => Rows * Cols;

    public Span<T> Span => Array.AsSpan(Offset, Rows * Cols);

    public ref T this[int r, int c]
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get
        {
            if ((uint)r >= (uint)Rows || (uint)c >= (uint)Cols)
                throw new IndexOutOfRangeException($"({r}, {c}) is outside a {Rows}x{Cols} matrix.");
            return ref Array[Offset + r * Cols + c];
        }
    }

    public Span<T> Row(int r) => Array.AsSpan(Offset + r * Cols, Cols);

    /// <summary>A view of rows [start, start+count) sharing this matrix's storage.</summary>
    public Matrix<T> RowSlice(int start, int count)
    {
        if (start < 0 || count < 0 || start + count > Rows)
            throw new ArgumentOutOfRangeException(nameof(start), $"Rows [{start}, {start + count}) are outside a matrix of {Rows} rows.");
        return new Matrix<T>(Array, Offset + start * Cols, count, Cols);
    }

    public Matrix<T> Clone()
    {
        var m = new Matrix<T>(Rows, Cols);
        Span.CopyTo(m.Span);
        return m;
    }

    public static Matrix<T> FromRows(T[,] values)
    {
        int rows = values.GetLength(0), cols = values.GetLength(1);
        var m = new Matrix<T>(rows, cols);
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < cols; c++)
                m[r, c] = values[r, c];
        return m;
    }

    /// <summary>Converts a row-major double array to a matrix of T.</summary>
    public static Matrix<T> FromDoubles(int rows, int cols, ReadOnlySpan<double> values)
    {
        if (values.Length != rows * cols)
            throw new ArgumentException($"Expected {rows}x{cols} = {rows * cols} values, got {values.Length}.", nameof(values));
        var m = new Matrix<T>(rows, cols);
        Convert.Copy(values, m.Span);
        return m;
    }

    public double[] ToDoubles()
    {
        var result = new double[Length];
        Convert.Copy<T, double>(Span, result);
        return result;
    }

    public override string ToString() => $"Matrix<{typeof(T).Name}> {Rows}x{Cols}";
}

/// <summary>Conversions between floating-point element types.</summary>
public static class Convert
{
    public static void Copy<TFrom, TTo>(ReadOnlySpan<TFrom> source, Span<TTo> destination)
        where TFrom : unmanaged, INumberBase<TFrom>
        where TTo : unmanaged, INumberBase<TTo>
    {
        if (source.Length != destination.Length)
            throw new ArgumentException($"Length mismatch: {source.Length} vs {destination.Length}.");
        if (typeof(TFrom) == typeof(TTo))
        {
            System.Runtime.InteropServices.MemoryMarshal.Cast<TFrom, TTo>(source).CopyTo(destination);
            return;
        }
        System.Numerics.Tensors.TensorPrimitives.ConvertTruncating(source, destination);
    }
}
