using System.Numerics;
using Backprop.Numerics;

namespace Backprop.Networks;

/// <summary>Target matrices for the loss: one row per sample, one column per output unit.</summary>
public static class Targets
{
    /// <summary>
    /// One-hot rows for class labels 0..classes−1 (ex4's <c>y_k</c> vectors), by <see cref="Data.Preprocessing.OneHot.Encode{T}"/>. With a single output unit
    /// (binary classification with one sigmoid) the target is the label itself, 0 or 1.
    /// </summary>
    public static Matrix<T> OneHot<T>(ReadOnlySpan<int> labels, int classes, int outputs = -1) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (outputs < 0) outputs = classes;
        CheckOutputs(classes, outputs);
        var y = new Matrix<T>(labels.Length, outputs);
        if (outputs > 1)
        {
            Data.Preprocessing.OneHot.Encode<T>(labels, classes, y.Span);
            return y;
        }
        for (int i = 0; i < labels.Length; i++)
        {
            if ((uint)labels[i] >= 2u)
                throw new ArgumentOutOfRangeException(nameof(labels), $"Label {labels[i]} of sample {i} is outside 0..1.");
            y[i, 0] = T.CreateTruncating(labels[i]);
        }
        return y;
    }

    /// <summary>Throws what <see cref="OneHot{T}"/> would for these labels, without building the matrix.</summary>
    public static void Validate(ReadOnlySpan<int> labels, int classes, int outputs)
    {
        CheckOutputs(classes, outputs);
        if (classes < 1) throw new ArgumentOutOfRangeException(nameof(classes), $"The number of classes must be at least 1, got {classes}.");
        int limit = outputs == 1 ? 2 : classes;
        for (int i = 0; i < labels.Length; i++)
            if ((uint)labels[i] >= (uint)limit)
                throw new ArgumentOutOfRangeException(nameof(labels), $"Label {labels[i]} of sample {i} is outside 0..{limit - 1}.");
    }

    /// <summary>
    /// The target rows of samples <paramref name="order"/>[start .. start + rows) written into <paramref name="destination"/>
    /// [rows, outputs]: the rows <see cref="OneHot{T}"/> would hold for them (a mini-batch's targets without the whole
    /// one-hot matrix). The labels must have passed <see cref="Validate"/>.
    /// </summary>
    internal static void Gather<T>(ReadOnlySpan<int> labels, ReadOnlySpan<int> order, int start, Matrix<T> destination) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int outputs = destination.Cols;
        destination.Span.Clear();
        for (int r = 0; r < destination.Rows; r++)
        {
            int label = labels[order[start + r]];
            if (outputs == 1) destination[r, 0] = T.CreateTruncating(label);
            else destination[r, label] = T.One;
        }
    }

    private static void CheckOutputs(int classes, int outputs)
    {
        if (outputs != classes && !(outputs == 1 && classes == 2))
            throw new ArgumentException($"{classes} classes need {classes} output units (or 1 for two classes); the network has {outputs}.");
    }
}
