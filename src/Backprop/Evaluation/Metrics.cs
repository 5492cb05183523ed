namespace Backprop.Evaluation;

/// <summary>Classification metrics over predicted and true labels (0-based class indices).</summary>
public static class Metrics
{
    /// <summary>The fraction of samples whose predicted label equals the true one (0..1).</summary>
    public static double Accuracy(ReadOnlySpan<int> predicted, ReadOnlySpan<int> actual)
    {
        if (predicted.Length != actual.Length)
            throw new ArgumentException($"{predicted.Length} predictions for {actual.Length} labels.");
        if (actual.Length == 0) throw new ArgumentException("Accuracy of zero samples is undefined.");
        int correct = 0;
        for (int i = 0; i < actual.Length; i++) if (predicted[i] == actual[i]) correct++;
        return (double)correct / actual.Length;
    }

    /// <summary>counts[true, predicted]: row = the true class, column = the predicted class (scikit-learn's convention).</summary>
    public static int[,] ConfusionMatrix(ReadOnlySpan<int> predicted, ReadOnlySpan<int> actual, int classes)
    {
        if (predicted.Length != actual.Length)
            throw new ArgumentException($"{predicted.Length} predictions for {actual.Length} labels.");
        var counts = new int[classes, classes];
        for (int i = 0; i < actual.Length; i++)
        {
            if ((uint)actual[i] >= (uint)classes || (uint)predicted[i] >= (uint)classes)
                throw new ArgumentOutOfRangeException(nameof(actual), $"Sample {i}: label {actual[i]} / prediction {predicted[i]} outside 0..{classes - 1}.");
            counts[actual[i], predicted[i]]++;
        }
        return counts;
    }

    /// <summary>Indices of the misclassified samples, in order.</summary>
    public static int[] Misclassified(ReadOnlySpan<int> predicted, ReadOnlySpan<int> actual)
    {
        var result = new List<int>();
        for (int i = 0; i < actual.Length; i++) if (predicted[i] != actual[i]) result.Add(i);
        return result.ToArray();
    }
}
