
namespace Backprop.Data;

/// <summary>
/// A named N-dimensional array read from a data file (.mat, .npy/.npz, idx, CSV).
/// <see cref="Shape"/> is the array's shape as MATLAB / NumPy report it; <see cref="Data"/> holds the
/// elements in C (row-major) order for that shape: element [i, j, k] is at (i*Shape[1] + j)*Shape[2] + k.
/// </summary>
public sealed class NDArray
{
    public NDArray(string name, string className, int[] shape, Array data, string? note = null)
    {
        ArgumentNullException.ThrowIfNull(shape);
        ArgumentNullException.ThrowIfNull(data);
        long n = 1;
        foreach (var d in shape)
        {
            if (d < 0) throw new ArgumentException($"Array '{name}': negative dimension in shape [{string.Join(", ", shape)}].");
            n *= d;
        }
        if (n != data.LongLength)
            throw new ArgumentException($"Array '{name}': shape [{string.Join(", ", shape)}] holds {n} elements but {data.LongLength} were given.");
        Name = name;
        ClassName = className;
        Shape = shape;
        Data = data;
        Note = note;
    }

    public string Name { get; }
    /// <summary>MATLAB class names: double, single, int8..int64, uint8..uint64, logical, char.</summary>
    public string ClassName { get; }
    public int[] Shape { get; }
    /// <summary>A typed one-dimensional array (double[], float[], sbyte[], byte[], short[], ushort[], int[], uint[], long[], ulong[], bool[], char[]) in C order.</summary>
    public Array Data { get; }
    /// <summary>Anything the reader wants the user to know (e.g. "complex: imaginary part dropped").</summary>
    public string? Note { get; }

    public long Length => Data.LongLength;
    public bool IsNumeric => Data.GetType() != typeof(char[]);

    /// <summary>Dimensions as MATLAB prints them, e.g. "25x401".</summary>
    public string ShapeText => string.Join("x", Shape);

    /// <summary>Element at a C-order flat index, as a double.</summary>
    public double GetDouble(long index)
    {
        // Switch on the exact element type: the CLR lets a byte[] pass an `is sbyte[]` test (and
        // ushort[]/short[], uint[]/int[], ulong[]/long[] likewise), so pattern matching would misread them.
        var t = Data.GetType();
        if (t == typeof(double[])) return ((double[])Data)[index];
        if (t == typeof(float[])) return ((float[])Data)[index];
        if (t == typeof(byte[])) return ((byte[])Data)[index];
        if (t == typeof(sbyte[])) return ((sbyte[])Data)[index];
        if (t == typeof(short[])) return ((short[])Data)[index];
        if (t == typeof(ushort[])) return ((ushort[])Data)[index];
        if (t == typeof(int[])) return ((int[])Data)[index];
        if (t == typeof(uint[])) return ((uint[])Data)[index];
        if (t == typeof(long[])) return ((long[])Data)[index];
        if (t == typeof(ulong[])) return ((ulong[])Data)[index];
        if (t == typeof(bool[])) return ((bool[])Data)[index] ? 1.0 : 0.0;
        if (t == typeof(char[])) return ((char[])Data)[index];
        throw new NotSupportedException($"Array '{Name}' has an unsupported element type {t.Name}.");
    }

    /// <summary>All elements as float64, C order.</summary>
    public double[] ToDoubles()
    {
        var t = Data.GetType();
        if (t == typeof(double[])) return (double[])((double[])Data).Clone();
        var result = new double[Length];
        if (t == typeof(float[]))
        {
            var f = (float[])Data;
            for (long i = 0; i < result.LongLength; i++) result[i] = f[i];
        }
        else if (t == typeof(byte[]))
        {
            var b = (byte[])Data;
            for (long i = 0; i < result.LongLength; i++) result[i] = b[i];
        }
        else
        {
            for (long i = 0; i < result.LongLength; i++) result[i] = GetDouble(i);
        }
        return result;
    }

    /// <summary>The float64 sum of all elements (what NumPy's <c>a.sum(dtype=float64)</c> gives, up to summation order); null for char arrays.</summary>
    public double? Sum()
    {
        if (!IsNumeric) return null;
        double s = 0;
        for (long i = 0; i < Length; i++) s += GetDouble(i);
        return s;
    }

    /// <summary>Element at a C-order flat index translated from a MATLAB (column-major) flat index.</summary>
    public double GetDoubleColumnMajor(long matlabIndex) => GetDouble(ColumnMajorToRowMajor(matlabIndex));

    public long ColumnMajorToRowMajor(long matlabIndex)
    {
        long rem = matlabIndex, cIndex = 0, stride = 1;
        Span<long> sub = stackalloc long[Shape.Length];
        for (int d = 0; d < Shape.Length; d++)
        {
            sub[d] = rem % Shape[d];
            rem /= Shape[d];
        }
        for (int d = Shape.Length - 1; d >= 0; d--)
        {
            cIndex += sub[d] * stride;
            stride *= Shape[d];
        }
        return cIndex;
    }

    /// <summary>Interprets a 2-D numeric array as a matrix of T (rows x cols).</summary>
    public Numerics.Matrix<T> ToMatrix<T>() where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        if (Shape.Length != 2)
            throw new InvalidDataException($"Variable '{Name}' has shape {ShapeText}; a 2-D matrix was expected.");
        if (!IsNumeric)
            throw new InvalidDataException($"Variable '{Name}' is a {ClassName} array; a numeric matrix was expected.");
        return Numerics.Matrix<T>.FromDoubles(Shape[0], Shape[1], ToDoubles());
    }

    public override string ToString() => $"{Name}: {ClassName} {ShapeText}";
}

/// <summary>A variable a reader listed but did not load (a struct, cell, object, function handle…).</summary>
public sealed record SkippedVariable(string Name, string ClassName, string Reason);

/// <summary>Everything a reader found in one file.</summary>
public sealed record DataFileContents(string File, IReadOnlyList<NDArray> Variables, IReadOnlyList<SkippedVariable> Skipped)
{
    public NDArray? Find(string name) => Variables.FirstOrDefault(v => v.Name == name);

    /// <summary>The variable called <paramref name="name"/>, or a clear error naming the file and what it holds.</summary>
    public NDArray Get(string name) => Find(name)
        ?? throw new InvalidDataException($"{File}: no variable '{name}'. The file holds: {(Variables.Count == 0 ? "no numeric variables" : string.Join(", ", Variables.Select(v => $"{v.Name} ({v.ClassName} {v.ShapeText})")))}.");
}
