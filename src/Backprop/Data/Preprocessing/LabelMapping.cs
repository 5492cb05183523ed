using System.Globalization;

namespace Backprop.Data.Preprocessing;

/// <summary>
/// Converts raw label values (as read from a file) to class indices 0..K-1 and back, under a
/// <see cref="LabelConvention"/>.
/// <para>
/// The ex4 weights (Theta1/Theta2) were trained with labels 1..10 and their output unit k (1-based)
/// means label k. So under <see cref="LabelConvention.OneBased"/> output index k-1 is class index k-1
/// and the weights can be used as they are; under <see cref="LabelConvention.MatlabDigits"/> output unit
/// 10 (index 9) means digit 0 and unit k means digit k, so the output rows must be reordered:
/// <see cref="ClassOfOutputUnit"/> gives the class index of each 1-based unit.
/// </para>
/// </summary>
public static class LabelMapping
{
    /// <summary>
    /// Guesses the convention of <paramref name="raw"/> unless <paramref name="overrideConvention"/> is given:
    /// any 0 → <see cref="LabelConvention.ZeroBased"/>; exactly the values 1..10, all present (the ex4 digits) →
    /// <see cref="LabelConvention.MatlabDigits"/>; otherwise values ≥ 1 → <see cref="LabelConvention.OneBased"/>.
    /// Generic ten-class 1-based data thus needs the override. Non-integer or negative labels are an error.
    /// </summary>
    public static LabelConvention Detect(ReadOnlySpan<double> raw, LabelConvention? overrideConvention = null)
    {
        if (overrideConvention is { } c) return c;
        double min = double.PositiveInfinity, max = double.NegativeInfinity;
        Span<bool> seen = stackalloc bool[11];
        for (int i = 0; i < raw.Length; i++)
        {
            double v = raw[i];
            CheckInteger(v, i);
            if (v < 0) throw new InvalidDataException($"Label {Format(v)} at position {i} is negative; labels must be class numbers (0..K-1 or 1..K).");
            min = Math.Min(min, v);
            max = Math.Max(max, v);
            if (v <= 10) seen[(int)v] = true;
        }
        if (raw.Length == 0 || min == 0) return LabelConvention.ZeroBased;
        bool allTen = max == 10;
        for (int k = 1; k <= 10 && allTen; k++) allTen = seen[k];
        return allTen ? LabelConvention.MatlabDigits : LabelConvention.OneBased;
    }

    /// <summary>
    /// Converts raw labels to class indices. <paramref name="classes"/> fixes K (default: from the data —
    /// largest index + 1, or 10 for <see cref="LabelConvention.MatlabDigits"/>). <paramref name="classNames"/>
    /// receives what each index means ("0".."K-1", "1".."K" or the digits "0".."9").
    /// A non-integer or out-of-range label is an <see cref="InvalidDataException"/> naming the value and its position.
    /// </summary>
    public static int[] ToIndices(ReadOnlySpan<double> raw, LabelConvention convention, out string[] classNames, int? classes = null)
    {
        var result = new int[raw.Length];
        int maxIndex = -1;
        for (int i = 0; i < raw.Length; i++)
        {
            double v = raw[i];
            CheckInteger(v, i);
            int index = convention switch
            {
                LabelConvention.ZeroBased when v >= 0 && v <= int.MaxValue - 1 => (int)v,
                LabelConvention.OneBased when v >= 1 && v <= int.MaxValue => (int)v - 1,
                LabelConvention.MatlabDigits when v >= 1 && v <= 10 => v == 10 ? 0 : (int)v,
                _ => throw new InvalidDataException($"Label {Format(v)} at position {i} is outside the range {RangeText(convention, classes)} of the {convention} convention."),
            };
            if (classes is { } k && index >= k)
                throw new InvalidDataException($"Label {Format(v)} at position {i} is outside the range {RangeText(convention, classes)} of the {convention} convention.");
            result[i] = index;
            maxIndex = Math.Max(maxIndex, index);
        }
        int count = classes ?? (convention == LabelConvention.MatlabDigits ? 10 : Math.Max(maxIndex + 1, 1));
        int maxClasses = Formats.ReadLimits.Current.MaxClasses;
        if (classes is null && count > maxClasses)
        {
            int i = result.AsSpan().IndexOf(maxIndex);
            throw new InvalidDataException($"Label {Format(raw[i])} at position {i} would make {count} classes, more than the limit of {maxClasses}; raise it with --max-classes (ReadLimits.MaxClasses) if the labels are right.");
        }
        classNames = new string[count];
        for (int k = 0; k < count; k++)
            classNames[k] = (convention == LabelConvention.OneBased ? k + 1 : k).ToString(CultureInfo.InvariantCulture);
        return result;
    }

    /// <summary>The reverse of <see cref="ToIndices"/>: raw label values for class indices.</summary>
    public static double[] FromIndices(ReadOnlySpan<int> indices, LabelConvention convention)
    {
        var result = new double[indices.Length];
        for (int i = 0; i < indices.Length; i++)
        {
            int k = indices[i];
            if (k < 0 || (convention == LabelConvention.MatlabDigits && k > 9))
                throw new ArgumentOutOfRangeException(nameof(indices), $"Class index {k} at position {i} has no label under the {convention} convention.");
            result[i] = convention switch
            {
                LabelConvention.ZeroBased => k,
                LabelConvention.OneBased => k + 1.0,
                _ => k == 0 ? 10 : k,
            };
        }
        return result;
    }

    /// <summary>
    /// The class index that output unit <paramref name="unit"/> (1-based, as in the ex4 weights, where unit k means label k)
    /// stands for under <paramref name="convention"/>.
    /// </summary>
    /// <remarks>
    /// ZeroBased: unit k means label k-1 → index k-1. OneBased: unit k means label k → index k-1.
    /// MatlabDigits: unit k means label k → digit (k == 10 ? 0 : k).
    /// </remarks>
    public static int ClassOfOutputUnit(int unit, LabelConvention convention)
    {
        if (unit < 1) throw new ArgumentOutOfRangeException(nameof(unit), $"Output units are numbered from 1; got {unit}.");
        if (convention == LabelConvention.MatlabDigits)
        {
            if (unit > 10) throw new ArgumentOutOfRangeException(nameof(unit), $"The MatlabDigits convention has 10 output units; got unit {unit}.");
            return unit == 10 ? 0 : unit;
        }
        return unit - 1;
    }

    private static void CheckInteger(double v, int i)
    {
        if (!double.IsFinite(v) || Math.Floor(v) != v)
            throw new InvalidDataException($"Label {Format(v)} at position {i} is not an integer; labels must be class numbers.");
    }

    private static string RangeText(LabelConvention c, int? classes) => c switch
    {
        LabelConvention.ZeroBased => classes is { } k ? $"0..{k - 1}" : "0..",
        LabelConvention.OneBased => classes is { } k ? $"1..{k}" : "1..",
        _ => "1..10",
    };

    private static string Format(double v) => v.ToString("R", CultureInfo.InvariantCulture);
}
