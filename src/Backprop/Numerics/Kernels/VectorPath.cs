namespace Backprop.Numerics;

/// <summary>
/// TensorPrimitives computes spans shorter than a vector (sigmoid, tanh, exp, log) with scalar code whose last bit can
/// differ from its vector code, so an element's result would depend on the length of the span it sits in — and a block
/// split differently between threads would round differently. <see cref="Prepare{T}"/> hands out the span itself when
/// it is at least <see cref="Length"/> long, and otherwise a padded copy of it in the caller's buffer, so every element
/// always takes the vector path; <see cref="Finish{T}"/> copies the results back.
/// <code>
/// Span&lt;T&gt; buffer = stackalloc T[VectorPath.Length];
/// var work = VectorPath.Prepare(values, buffer, pad);
/// TensorPrimitives.Exp(work, work);
/// VectorPath.Finish(work, values);
/// </code>
/// </summary>
internal static class VectorPath
{
    /// <summary>Spans at least this long take the vector code for every element.</summary>
    public const int Length = 64;

    /// <summary><paramref name="values"/> itself when long enough; else <paramref name="buffer"/> (of <see cref="Length"/>)
    /// holding them, the rest filled with <paramref name="pad"/>.</summary>
    public static Span<T> Prepare<T>(Span<T> values, Span<T> buffer, T pad)
    {
        if (values.Length >= Length) return values;
        buffer.Fill(pad);
        values.CopyTo(buffer);
        return buffer;
    }

    /// <summary>Copies the results back when <paramref name="work"/> was the padded buffer.</summary>
    public static void Finish<T>(Span<T> work, Span<T> values)
    {
        if (work != values) work[..values.Length].CopyTo(values);
    }
}
