namespace Backprop.Data.Formats.Mat;

/// <summary>Walks the top-level elements of a level-5 MAT file held in memory.</summary>
internal static class MatFileReader
{
    public const string FunctionWorkspaceName = "__function_workspace__";

    public static DataFileContents Read(byte[] file, string fileName, MatReadOptions options)
    {
        var header = MatHeader.Parse(file, fileName);
        var limits = new MatLimits(options.MaxElementBytes, ReadBudget.For(fileName));
        var variables = new List<NDArray>();
        var skipped = new List<SkippedVariable>();
        int pos = MatHeader.Size;
        while (pos < file.Length)
        {
            var ctx = new MatErrorContext(fileName);
            var top = new MatElementReader(file, pos, file.Length, header.BigEndian, ctx);
            int remaining = file.Length - pos;
            if (remaining < 8)
                throw ctx.Error($"file is truncated: the element tag at offset {pos} needs 8 bytes but only {remaining} remain.");
            uint type = top.ReadUInt32(pos);
            uint size = top.ReadUInt32(pos + 4);
            if (type != (uint)MiType.Matrix && type != (uint)MiType.Compressed)
                throw ctx.Error($"the element at offset {pos} is {MatDataTypes.Name((MiType)type)} (type word 0x{type:X8}); expected miMATRIX (14) or miCOMPRESSED (15) at the top level.");
            if (size > remaining - 8)
            {
                ctx.Variable = PeekName(file, pos, remaining, header.BigEndian);
                throw ctx.Error($"file is truncated: element at offset {pos} declares {size} bytes but only {remaining - 8} remain.");
            }
            if (size > options.MaxElementBytes)
                throw ctx.Error($"the element at offset {pos} declares {size} bytes, more than MatReadOptions.MaxElementBytes = {options.MaxElementBytes}.");

            if (pos == header.SubsystemOffset)
            {
                skipped.Add(new SkippedVariable(FunctionWorkspaceName, "opaque",
                    "MATLAB subsystem data (the workspace of function handles and objects) is not loaded"));
            }
            else
            {
                var v = DecodeElement(file, pos, (MiType)type, (int)size, ctx, header.BigEndian, limits);
                if (v.Name.Length == 0)
                    skipped.Add(new SkippedVariable("", v.Array?.ClassName ?? v.Skipped!.ClassName, $"unnamed variable at offset {pos}"));
                else if (v.Array is { } a) variables.Add(a);
                else skipped.Add(v.Skipped!);
            }

            long next = (long)pos + 8 + size;
            if (type == (uint)MiType.Matrix) next += (8 - next % 8) % 8;
            pos = (int)Math.Min(next, file.Length);
        }
        return new DataFileContents(fileName, LastOfEachName(variables), skipped);
    }

    /// <summary>
    /// A name saved twice keeps its last value, in the place of that last occurrence (as MATLAB's load does).
    /// One pass from the end with a set: linear, so a file of 100,000 variables reads in time proportional to its size.
    /// </summary>
    private static List<NDArray> LastOfEachName(List<NDArray> variables)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var kept = new List<NDArray>(variables.Count);
        for (int i = variables.Count - 1; i >= 0; i--)
            if (seen.Add(variables[i].Name)) kept.Add(variables[i]);
        kept.Reverse();
        return kept;
    }

    private static MatVariable DecodeElement(byte[] file, int pos, MiType type, int size, MatErrorContext ctx, bool bigEndian, MatLimits limits)
    {
        if (type == MiType.Matrix)
        {
            var reader = new MatElementReader(file, pos + 8, pos + 8 + size, bigEndian, ctx);
            return MatArrayDecoder.Decode(reader, limits);
        }
        CheckBudgetBeforeInflating(file, pos, size, bigEndian, limits.Budget);
        var inner = MatInflater.Inflate(file, pos + 8, size, ctx, bigEndian, limits.MaxElementBytes, limits.Budget.MaxBytes);
        ctx.CompressedElementOffset = pos;
        var innerReader = new MatElementReader(inner, 0, inner.Length, bigEndian, ctx);
        var matrix = innerReader.Next("the compressed variable");
        if (matrix.Type != MiType.Matrix)
            throw ctx.Error($"the compressed element at offset {pos} holds a {MatDataTypes.Name(matrix.Type)} element; expected miMATRIX.");
        var body = new MatElementReader(inner, matrix.DataOffset, matrix.DataOffset + matrix.Size, bigEndian, ctx);
        return MatArrayDecoder.Decode(body, limits);
    }

    /// <summary>
    /// A compressed variable's dimensions are in its first inflated bytes: a logical or sparse bomb (a megabyte that
    /// inflates to a gigabyte of storage and would become 8 GB of float64) is refused from them, before inflating it all.
    /// Best effort: whatever cannot be parsed here is left to the full decode, which checks everything again.
    /// </summary>
    private static void CheckBudgetBeforeInflating(byte[] file, int pos, int size, bool bigEndian, ReadBudget budget)
    {
        long values;
        string name, dims;
        try
        {
            var prefix = MatInflater.InflatePrefix(file, pos + 8, size, 512);
            var ctx = new MatErrorContext("");
            var r = new MatElementReader(prefix, 8, prefix.Length, bigEndian, ctx);
            var flagsEl = r.Next("flags");
            var cls = (MxClass)(r.ReadUInt32(flagsEl.DataOffset) & 0xFF);
            if (cls is not (MxClass.Char or MxClass.Sparse) && !MatDataTypes.IsNumericClass(cls)) return;
            var dimsEl = r.Next("dims");
            values = 1;
            var shape = new List<long>();
            for (int i = 0; i + 4 <= dimsEl.Size; i += 4)
            {
                long d = (uint)r.ReadInt32(dimsEl.DataOffset + i);
                shape.Add(d);
                values = d != 0 && values > long.MaxValue / d ? long.MaxValue : values * d;
            }
            dims = string.Join("x", shape);
            name = System.Text.Encoding.UTF8.GetString(r.Data(r.Next("name")));
        }
        catch (Exception e) when (e is InvalidDataException or ArgumentException or IndexOutOfRangeException)
        {
            return;
        }
        budget.Check(values, $"variable '{name}' ({dims}, compressed at offset {pos})");
    }

    /// <summary>Best effort: the name of a variable whose element is cut short, for the error message.</summary>
    private static string? PeekName(byte[] file, int pos, int remaining, bool bigEndian)
    {
        try
        {
            uint type = new MatElementReader(file, pos, file.Length, bigEndian, new MatErrorContext("")).ReadUInt32(pos);
            byte[] buf;
            int start;
            if (type == (uint)MiType.Compressed)
            {
                buf = MatInflater.InflatePrefix(file, pos + 8, remaining - 8, 4096);
                start = 8;
            }
            else
            {
                buf = file;
                start = pos + 8;
            }
            var r = new MatElementReader(buf, start, buf.Length, bigEndian, new MatErrorContext(""));
            r.Next("flags");
            r.Next("dims");
            var name = r.Next("name");
            var text = System.Text.Encoding.UTF8.GetString(r.Data(name));
            return text.Length > 0 ? text : null;
        }
        catch (Exception ex) when (ex is InvalidDataException or ArgumentException or IndexOutOfRangeException)
        {
            return null;
        }
    }
}
