namespace Backprop.Data.Formats.Mat;

/// <summary>Convenience access to char arrays as text.</summary>
public static class MatText
{
    /// <summary>
    /// The text of a char array: a row (or any array with one row) as one string; a multi-row 2-D char matrix as
    /// its rows joined by '\n', like MATLAB's <c>cellstr</c> then <c>strjoin</c>.
    /// </summary>
    /// <exception cref="InvalidOperationException">The array is not a char array, or has more than two dimensions.</exception>
    public static string AsString(this NDArray array)
    {
        ArgumentNullException.ThrowIfNull(array);
        if (array.Data is not char[] chars || array.Data.GetType() != typeof(char[]))
            throw new InvalidOperationException($"Variable '{array.Name}' is a {array.ClassName} array; only char arrays can be read as a string.");
        if (array.Shape.Length > 2)
            throw new InvalidOperationException($"Variable '{array.Name}' is a {array.ShapeText} char array; only 1-D and 2-D char arrays can be read as a string.");
        if (array.Shape.Length < 2 || array.Shape[0] <= 1) return new string(chars);
        int rows = array.Shape[0], cols = array.Shape[1];
        return string.Join('\n', Enumerable.Range(0, rows).Select(r => new string(chars, r * cols, cols)));
    }
}
