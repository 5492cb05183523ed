namespace Backprop.Data.Preprocessing;

/// <summary>What a <see cref="Preprocessor"/> does to each feature.</summary>
public enum PreprocessorKind
{
    /// <summary>Leaves features unchanged.</summary>
    Identity,
    /// <summary>Maps [min, max] of each feature linearly onto [lo, hi] (like scikit-learn's MinMaxScaler).</summary>
    MinMax,
    /// <summary>Subtracts each feature's mean and divides by its population standard deviation (like StandardScaler).</summary>
    Standardize,
}
