namespace Backprop.Data.Preprocessing;

/// <summary>How raw label values in a data file number the classes.</summary>
public enum LabelConvention
{
    /// <summary>Labels are class indices 0..K-1 already.</summary>
    ZeroBased,
    /// <summary>Labels are 1..K (MATLAB/Octave style); class index = label - 1, class name = the label.</summary>
    OneBased,
    /// <summary>
    /// The ex4 digits convention: labels 1..10 where 10 means the digit 0 (MATLAB has no index 0).
    /// Class index = the digit: label 10 → 0, label k → k for k = 1..9; class names "0".."9".
    /// </summary>
    MatlabDigits,
}
