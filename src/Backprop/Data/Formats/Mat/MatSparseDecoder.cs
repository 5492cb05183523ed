namespace Backprop.Data.Formats.Mat;

/// <summary>
/// Decodes a sparse (compressed sparse column) array into a dense C-order array: row indices ir (nzmax),
/// column starts jc (columns + 1), then the non-zero values.
/// </summary>
internal static class MatSparseDecoder
{
    public const string SparseNote = "sparse: converted to a dense array";

    public static NDArray Decode(MatElementReader reader, string name, int[] shape, bool complex, bool logical, uint nzmax, MatLimits limits)
    {
        var ctx = reader.Context;
        if (shape.Length != 2)
            throw ctx.Error($"a sparse array must be 2-D but its dimensions are {string.Join("x", shape)}.");
        int rows = shape[0], cols = shape[1];
        int n = MatArrayDecoder.ElementCount(ctx, shape, 8, limits, "dense values");

        long[] ir, jc;
        Array values;
        try
        {
            ir = MatNumericDecoder.ToInt64FileOrder(ReadAny(reader, "the row indices (ir)", limits.Budget));
            jc = MatNumericDecoder.ToInt64FileOrder(ReadAny(reader, "the column starts (jc)", limits.Budget));
            if (jc.Length != (long)cols + 1)
                throw ctx.Error($"the column starts (jc) hold {jc.Length} values; a sparse array with {cols} columns needs {(long)cols + 1}.");
            long nnz = jc[cols];
            if (jc[0] != 0 || nnz < 0 || nnz > ir.Length)
                throw ctx.Error($"the column starts (jc) run from {jc[0]} to {nnz}; expected 0 to at most {ir.Length} (the number of row indices, nzmax {nzmax}).");
            values = ReadAny(reader, "the non-zero values", limits.Budget);
            if (values.Length < nnz)
                throw ctx.Error($"the non-zero values hold {values.Length} values; the column starts (jc) need {nnz}.");
            if (complex) ReadAny(reader, "the imaginary non-zero values", limits.Budget);
        }
        catch (OverflowException ex)
        {
            throw ctx.Error($"a sparse index is not a whole number in range ({ex.Message}).", ex);
        }

        var nz = MatNumericDecoder.ToClass(values, MxClass.Double, [values.Length]) as double[] ?? [];
        var dense = new double[n];
        for (int c = 0; c < cols; c++)
        {
            long from = jc[c], to = jc[c + 1];
            if (to < from || to > jc[cols])
                throw ctx.Error($"the column starts (jc) decrease at column {c + 1} ({from} then {to}).");
            for (long k = from; k < to; k++)
            {
                long r = ir[k];
                if (r < 0 || r >= rows)
                    throw ctx.Error($"row index {r} of non-zero {k + 1} is outside 0..{rows - 1}.");
                dense[r * cols + c] += nz[k];
            }
        }
        string note = complex ? SparseNote + "; " + MatArrayDecoder.ComplexNote : SparseNote;
        if (logical)
            return new NDArray(name, "logical", shape, Array.ConvertAll(dense, v => v != 0), note);
        return new NDArray(name, "double", shape, dense, note);
    }

    /// <summary>Reads an index or value element of any numeric type; its values are charged to the budget (they are widened to int64 or float64).</summary>
    private static Array ReadAny(MatElementReader reader, string what, ReadBudget budget)
    {
        var ctx = reader.Context;
        var el = reader.Next(what);
        int size = MatDataTypes.NumericSize(el.Type);
        if (size == 0 || el.Size % size != 0)
            throw ctx.Error($"{what} at {ctx.Where(el.TagOffset)} should be a numeric element but is {MatDataTypes.Name(el.Type)} of {el.Size} bytes.");
        budget.Charge(el.Size / size, $"variable '{ctx.Variable}': {what}");
        return MatNumericDecoder.ReadStorage(reader.Data(el), el.Type, reader.BigEndian);
    }
}
