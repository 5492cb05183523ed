namespace Backprop.Training;

/// <summary>Training stopped because the cost became NaN or infinite.</summary>
public sealed class TrainingDivergedException(string message) : Exception(message);
