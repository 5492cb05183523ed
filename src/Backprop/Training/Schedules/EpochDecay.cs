namespace Backprop.Training.Schedules;

/// <summary>
/// Learning-rate decays that depend only on the epoch (1-based), in closed form — the values PyTorch's
/// schedulers give when stepped once per epoch.
/// </summary>
public static class EpochDecay
{
    /// <summary>
    /// Step decay: lr·factor^⌊(epoch − 1)/every⌋ (PyTorch <c>StepLR(step_size=every, gamma=factor)</c>;
    /// every = 1 is <c>ExponentialLR(gamma=factor)</c>).
    /// </summary>
    public static double Step(double lr, double factor, int every, int epoch)
    {
        CheckEpoch(epoch);
        if (every < 1) throw new ArgumentOutOfRangeException(nameof(every), $"The decay period must be at least 1 epoch, got {every}.");
        return lr * Math.Pow(factor, (epoch - 1) / every);
    }

    /// <summary>
    /// Cosine annealing over <paramref name="epochs"/> epochs: min + (lr − min)·(1 + cos(π·(epoch − 1)/epochs))/2,
    /// from lr in the first epoch towards min (PyTorch <c>CosineAnnealingLR(T_max=epochs, eta_min=min)</c>).
    /// </summary>
    public static double Cosine(double lr, double min, int epochs, int epoch)
    {
        CheckEpoch(epoch);
        if (epochs < 1) throw new ArgumentOutOfRangeException(nameof(epochs), $"The annealing length must be at least 1 epoch, got {epochs}.");
        double c = (1 + Math.Cos(Math.PI * (epoch - 1) / epochs)) / 2;   // 1 in epoch 1, → 0 at the end
        return lr * c + min * (1 - c);
    }

    private static void CheckEpoch(int epoch)
    {
        if (epoch < 1) throw new ArgumentOutOfRangeException(nameof(epoch), $"Epochs count from 1, got {epoch}.");
    }
}
