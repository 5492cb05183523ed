namespace Backprop.Data.Formats.Mat;

/// <summary>The result of decoding one miMATRIX element: a loaded array or a skipped variable.</summary>
internal readonly record struct MatVariable(NDArray? Array, SkippedVariable? Skipped)
{
    public string Name => Array?.Name ?? Skipped!.Name;
}

/// <summary>What one file may allocate: the largest single array (<see cref="MatReadOptions.MaxElementBytes"/>) and the file's float64 budget.</summary>
internal sealed record MatLimits(long MaxElementBytes, ReadBudget Budget);

/// <summary>
/// Decodes the body of one miMATRIX element (array flags, dimensions, name, then the class's data) into an
/// <see cref="NDArray"/>, or lists it as skipped when it is a struct, cell, object, function handle or opaque object.
/// </summary>
internal static class MatArrayDecoder
{
    /// <param name="reader">Positioned on the first sub-element of the miMATRIX data; its end is the element's end.</param>
    public static MatVariable Decode(MatElementReader reader, MatLimits limits)
    {
        var ctx = reader.Context;
        var flagsEl = reader.Next("the array flags", MiType.UInt32);
        if (flagsEl.Size != 8)
            throw ctx.Error($"the array flags at {ctx.Where(flagsEl.TagOffset)} hold {flagsEl.Size} bytes; expected 8.");
        uint flags = reader.ReadUInt32(flagsEl.DataOffset);
        uint nzmax = reader.ReadUInt32(flagsEl.DataOffset + 4);
        var cls = (MxClass)(flags & 0xFF);

        var dimsEl = reader.Next("the dimensions", MiType.Int32);
        if (dimsEl.Size < 8 || dimsEl.Size % 4 != 0)
            throw ctx.Error($"the dimensions at {ctx.Where(dimsEl.TagOffset)} hold {dimsEl.Size} bytes; expected at least two 4-byte integers.");
        var shape = new int[dimsEl.Size / 4];
        for (int i = 0; i < shape.Length; i++) shape[i] = reader.ReadInt32(dimsEl.DataOffset + 4 * i);

        var nameEl = reader.Next("the array name");
        if (nameEl.Type is not (MiType.Int8 or MiType.UInt8 or MiType.Utf8))
            throw ctx.Error($"the array name at {ctx.Where(nameEl.TagOffset)} should be a miINT8 element but is {MatDataTypes.Name(nameEl.Type)}.");
        var name = System.Text.Encoding.UTF8.GetString(reader.Data(nameEl));
        if (name.Length > 0) ctx.Variable = name;

        switch (cls)
        {
            case MxClass.Struct: return Skip(name, cls, "struct arrays are not loaded; only numeric, logical and char arrays are");
            case MxClass.Cell: return Skip(name, cls, "cell arrays are not loaded; only numeric, logical and char arrays are");
            case MxClass.Object: return Skip(name, cls, "MATLAB objects are not loaded; only numeric, logical and char arrays are");
            case MxClass.Function: return Skip(name, cls, "function handles are not loaded; only numeric, logical and char arrays are");
            case MxClass.Opaque: return Skip(name, cls, "opaque MATLAB objects (string, table, function workspace…) are not loaded");
        }
        if (cls is not (MxClass.Char or MxClass.Sparse) && !MatDataTypes.IsNumericClass(cls))
            throw ctx.Error($"the array flags at {ctx.Where(flagsEl.TagOffset)} name class code {(int)cls}; expected a MATLAB class code 1..17.");

        for (int i = 0; i < shape.Length; i++)
            if (shape[i] < 0)
                throw ctx.Error($"the dimensions at {ctx.Where(dimsEl.TagOffset)} include a negative size {shape[i]} ({string.Join("x", shape.Select(d => (uint)d))}).");

        bool complex = (flags & MatDataTypes.ComplexFlag) != 0;
        bool logical = (flags & MatDataTypes.LogicalFlag) != 0;
        var array = cls switch
        {
            MxClass.Sparse => MatSparseDecoder.Decode(reader, name, shape, complex, logical, nzmax, limits),
            MxClass.Char => DecodeChar(reader, name, shape, limits),
            _ => DecodeNumeric(reader, name, cls, shape, complex, logical, limits),
        };
        return new MatVariable(array, null);
    }

    private static MatVariable Skip(string name, MxClass cls, string reason) =>
        new(null, new SkippedVariable(name, MatDataTypes.ClassName(cls), reason));

    /// <summary>
    /// Number of elements the dimensions describe; rejects counts whose array of <paramref name="elementSize"/>-byte values
    /// exceeds the per-array limit, and charges them (as float64) to the file's budget.
    /// </summary>
    public static int ElementCount(MatErrorContext ctx, int[] shape, int elementSize, MatLimits limits, string what)
    {
        long maxElementBytes = limits.MaxElementBytes;
        long n = 1;
        bool tooBig = false;
        foreach (var d in shape)
        {
            if (d == 0) return 0;
            if (n > long.MaxValue / d) tooBig = true; else n *= d;
        }
        long limit = Math.Min(maxElementBytes, (long)Array.MaxLength * elementSize) / elementSize;
        if (tooBig || n > limit)
            throw ctx.Error($"dimensions {string.Join("x", shape)} need {(tooBig ? "more than 2^63" : n.ToString(System.Globalization.CultureInfo.InvariantCulture))} {what} of {elementSize} bytes, more than the limit of {limit} (MatReadOptions.MaxElementBytes = {maxElementBytes}).");
        limits.Budget.Charge(n, ctx.Variable is { } v ? $"variable '{v}' ({string.Join("x", shape)} {what})" : $"an array of {string.Join("x", shape)} {what}");
        return (int)n;
    }

    /// <summary>Reads a numeric data element that must hold exactly <paramref name="count"/> values.</summary>
    public static Array ReadValues(MatElementReader reader, string what, int count)
    {
        var ctx = reader.Context;
        var el = reader.Next(what);
        int size = MatDataTypes.NumericSize(el.Type);
        if (size == 0)
            throw ctx.Error($"{what} at {ctx.Where(el.TagOffset)} should be a numeric element but is {MatDataTypes.Name(el.Type)}.");
        if (el.Size % size != 0 || el.Size / size != count)
            throw ctx.Error($"{what} at {ctx.Where(el.TagOffset)} holds {el.Size} bytes of {MatDataTypes.Name(el.Type)} ({el.Size / (double)size:0.##} values); expected {count} values.");
        return MatNumericDecoder.ReadStorage(reader.Data(el), el.Type, reader.BigEndian);
    }

    private static NDArray DecodeNumeric(MatElementReader reader, string name, MxClass cls, int[] shape, bool complex, bool logical, MatLimits limits)
    {
        var ctx = reader.Context;
        int n = ElementCount(ctx, shape, MatDataTypes.ClassElementSize(cls), limits, "values");
        var storage = ReadValues(reader, "the real part", n);
        if (complex) ReadValues(reader, "the imaginary part", n);
        try
        {
            if (logical)
                return new NDArray(name, "logical", shape, MatNumericDecoder.ToLogical(storage, shape), complex ? ComplexNote : null);
            return new NDArray(name, MatDataTypes.ClassName(cls), shape, MatNumericDecoder.ToClass(storage, cls, shape), complex ? ComplexNote : null);
        }
        catch (OverflowException ex)
        {
            throw ctx.Error($"a stored value does not fit the array's class {MatDataTypes.ClassName(cls)} ({ex.Message}).", ex);
        }
    }

    public const string ComplexNote = "complex: imaginary part dropped, real part loaded";

    private static NDArray DecodeChar(MatElementReader reader, string name, int[] shape, MatLimits limits)
    {
        var ctx = reader.Context;
        int n = ElementCount(ctx, shape, 2, limits, "characters");
        var el = reader.Next("the characters");
        var bytes = reader.Data(el);
        char[] fileOrder;
        switch (el.Type)
        {
            case MiType.UInt16 or MiType.Utf16 or MiType.Int16:
                fileOrder = new char[el.Size / 2];
                var units = (ushort[])MatNumericDecoder.ReadStorage(bytes[..(fileOrder.Length * 2)], MiType.UInt16, reader.BigEndian);
                for (int i = 0; i < units.Length; i++) fileOrder[i] = (char)units[i];
                break;
            case MiType.UInt8 or MiType.Int8:
                fileOrder = new char[el.Size];
                for (int i = 0; i < bytes.Length; i++) fileOrder[i] = (char)bytes[i];
                break;
            case MiType.Utf8:
                fileOrder = System.Text.Encoding.UTF8.GetString(bytes).ToCharArray();
                break;
            case MiType.Utf32 or MiType.UInt32 or MiType.Int32:
                var points = (uint[])MatNumericDecoder.ReadStorage(bytes[..(el.Size / 4 * 4)], MiType.UInt32, reader.BigEndian);
                var sb = new System.Text.StringBuilder(points.Length);
                foreach (var p in points)
                {
                    if (p > 0x10FFFF || (p >= 0xD800 && p <= 0xDFFF))
                        throw ctx.Error($"the characters at {ctx.Where(el.TagOffset)} include U+{p:X}, which is not a Unicode scalar value.");
                    sb.Append(char.ConvertFromUtf32((int)p));
                }
                fileOrder = sb.ToString().ToCharArray();
                break;
            default:
                throw ctx.Error($"the characters at {ctx.Where(el.TagOffset)} are stored as {MatDataTypes.Name(el.Type)}; expected miUINT16, miUTF8, miUTF16 or miUTF32.");
        }
        if (fileOrder.Length != n)
            throw ctx.Error($"the characters at {ctx.Where(el.TagOffset)} decode to {fileOrder.Length} characters; dimensions {string.Join("x", shape)} need {n}.");
        return new NDArray(name, "char", shape, ColumnMajor.ToRowMajor(fileOrder, shape, static c => c));
    }
}
