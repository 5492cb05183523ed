using Backprop.Data;
using Backprop.Data.Preprocessing;
using Backprop.Models;
using Backprop.Networks;
using Backprop.Numerics;

namespace Backprop.Experiments;

/// <summary>The ex4 cost and accuracy of a network given as MATLAB Theta matrices.</summary>
/// <param name="Accuracy">0..1.</param>
/// <param name="Predictions">Predicted labels in the file's convention (1..K).</param>
public sealed record Ex4Evaluation(double Cost, double Accuracy, int Samples, double Lambda, string Network, int[] Predictions);

/// <summary>
/// The course's files as published: <c>X</c> (m x n, one example per row) and <c>y</c> (m x 1, labels
/// 1..K — in ex4, 10 means the digit 0) in one file; <c>Theta1</c>, <c>Theta2</c>, … in another.
/// Output unit k (1-based) stands for label k, exactly as in predict.m.
/// </summary>
public static class CourseFiles
{
    /// <summary>A sigmoid network from the variables Theta1, Theta2, … (consecutive, starting at 1).</summary>
    public static Network<double> LoadThetas(DataFileContents weights)
    {
        ArgumentNullException.ThrowIfNull(weights);
        var thetas = new List<Matrix<double>>();
        for (int l = 1; weights.Find($"Theta{l}") is { } theta; l++)
        {
            if (theta.Shape.Length != 2 || !theta.IsNumeric)
                throw new InvalidDataException($"{weights.File}: variable 'Theta{l}' is a {theta.ClassName} {theta.ShapeText} array; a numeric matrix was expected.");
            var m = theta.ToMatrix<double>();
            foreach (var v in m.Span)
                if (!double.IsFinite(v)) throw new InvalidDataException($"{weights.File}: variable 'Theta{l}' contains NaN or infinite values.");
            thetas.Add(m);
        }
        if (thetas.Count == 0)
            throw new InvalidDataException($"{weights.File}: no variable 'Theta1' (found: {string.Join(", ", weights.Variables.Select(v => v.Name))}); the weights file needs Theta1, Theta2, ….");
        try { return MatlabTheta.ToNetwork(thetas); }
        catch (ArgumentException e) { throw new InvalidDataException($"{weights.File}: {e.Message}"); }
    }

    /// <summary>X [m, n] from variable <paramref name="name"/>, checked finite.</summary>
    public static Matrix<double> LoadFeatures(DataFileContents data, string name = "X")
    {
        var x = data.Find(name) ?? throw new InvalidDataException($"{data.File}: no variable '{name}' (found: {string.Join(", ", data.Variables.Select(v => v.Name))}).");
        if (x.Shape.Length != 2 || !x.IsNumeric)
            throw new InvalidDataException($"{data.File}: variable '{name}' is a {x.ClassName} {x.ShapeText} array; an m x n numeric matrix was expected.");
        var m = x.ToMatrix<double>();
        var span = m.Span;
        for (int i = 0; i < span.Length; i++)
            if (!double.IsFinite(span[i]))
                throw new InvalidDataException($"{data.File}: variable '{name}' has a NaN or infinite value at row {i / m.Cols + 1}, column {i % m.Cols + 1}.");
        return m;
    }

    /// <summary>Each row of <paramref name="x"/> a square image, transposed (row order ↔ column order).</summary>
    public static Matrix<double> TransposeImages(Matrix<double> x, string file)
    {
        int side = (int)Math.Round(Math.Sqrt(x.Cols));
        if (side * side != x.Cols)
            throw new InvalidDataException($"{file}: X has {x.Cols} columns, not a square image per row; the pixel order applies to square images only.");
        var t = Images.RowMajorToColumnMajor(x.Span, x.Rows, side, side);
        return Matrix<double>.FromDoubles(x.Rows, x.Cols, t);
    }

    /// <summary>Labels 1..<paramref name="classes"/> from variable <paramref name="name"/> (a vector of m elements).</summary>
    public static int[] LoadLabels(DataFileContents data, int samples, int classes, string name = "y")
    {
        var y = data.Find(name) ?? throw new InvalidDataException($"{data.File}: no variable '{name}' (found: {string.Join(", ", data.Variables.Select(v => v.Name))}).");
        if (y.Length != samples || y.Shape.Count(d => d != 1) > 1)
            throw new InvalidDataException($"{data.File}: variable '{name}' is {y.ShapeText}; a vector of {samples} labels (one per row of X) was expected.");
        var labels = new int[samples];
        for (int i = 0; i < samples; i++)
        {
            double v = y.GetDouble(i);
            if (v != Math.Floor(v) || v < 1 || v > classes)
                throw new InvalidDataException($"{data.File}: variable '{name}' element {i + 1} is {v}; labels must be whole numbers 1..{classes} (the network has {classes} output units).");
            labels[i] = (int)v;
        }
        return labels;
    }

    /// <summary>ex4's nnCostFunction and predict on the files' X and y.</summary>
    /// <param name="rowMajorImages">X's rows are square images stored row by row (a loader that transposed the
    /// course's column-major images): put them back in MATLAB's column order first.</param>
    public static Ex4Evaluation Evaluate(DataFileContents data, DataFileContents weights, double lambda, bool rowMajorImages = false)
    {
        var network = LoadThetas(weights);
        var x = LoadFeatures(data);
        if (rowMajorImages) x = TransposeImages(x, data.File);
        if (x.Cols != network.Spec.Inputs)
            throw new InvalidDataException($"{data.File}: X has {x.Cols} columns but {weights.File}'s Theta1 expects {network.Spec.Inputs} inputs (Theta1 is {network.Spec.LayerSizes[1]}x{network.Spec.Inputs + 1}).");
        var labels = LoadLabels(data, x.Rows, network.Spec.Outputs);
        return Evaluate(network, x, labels, lambda);
    }

    /// <summary>Cost and accuracy for labels 1..K (output unit k ↔ label k), by <see cref="Model.Evaluate"/>.</summary>
    public static Ex4Evaluation Evaluate(Network<double> network, Matrix<double> x, int[] oneBasedLabels, double lambda)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(oneBasedLabels);
        int classes = network.Spec.Outputs;
        var names = Enumerable.Range(1, Math.Max(classes, 2)).Select(k => k.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        var data = new Dataset("course data", x.ToDoubles(), x.Rows, x.Cols, oneBasedLabels.Select(l => l - 1).ToArray(), names.Length, names);
        var e = Model.From(network, classNames: names).Evaluate(data, lambda);
        return new Ex4Evaluation(e.Cost, e.Accuracy, e.Samples, lambda, network.Spec.ToString(), e.Predictions.Select(p => p + 1).ToArray());
    }
}
