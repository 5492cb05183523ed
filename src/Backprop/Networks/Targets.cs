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
        if (outputs != classes && !(outputs == 1 && classes == 2))
            throw new ArgumentException($"{classes} classes need {classes} output units (or 1 for two classes); the network has {outputs}.");
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
}
