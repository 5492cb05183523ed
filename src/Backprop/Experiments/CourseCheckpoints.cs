using System.Globalization;
using Backprop.Data;
using Backprop.Layers;
using Backprop.Networks;
using Backprop.Verification;

namespace Backprop.Experiments;

/// <summary>One course checkpoint: what the exercise text says, what Backprop computes, and whether they agree.</summary>
/// <param name="Expected">The published value as text (constant from the exercise).</param>
/// <param name="Actual">Ours, printed the way the exercise prints it.</param>
/// <param name="Diagnosis">When it fails for a known reason (e.g. transposed images), what went wrong and how to fix it.</param>
public sealed record Checkpoint(string Name, string Expected, string Actual, bool Passed, double[] Values, string? Diagnosis = null);

/// <summary>The figures ex4's text publishes for ex4data1.mat with ex4weights.mat (the defaults of <see cref="CourseCheckpoints.Files"/>).</summary>
public sealed record Ex4PublishedFigures(double Cost, double CostLambda1, double CostLambda3, double Accuracy)
{
    /// <summary>ex4.m: 0.287629, 0.383770 (λ = 1), 0.576051 (λ = 3), training accuracy 97.52 %.</summary>
    public static Ex4PublishedFigures Ex4 { get; } = new(0.287629, 0.383770, 0.576051, 0.9752);
}

/// <summary>
/// The ex4 exercise's checkpoints: the values its text prints, checked against Backprop's arithmetic at the
/// precision the text prints them. The published values are constants from the exercise.
/// </summary>
public static class CourseCheckpoints
{
    private static readonly CultureInfo C = CultureInfo.InvariantCulture;

    /// <summary>sigmoidGradient at [-1 -0.5 0 0.5 1] as ex4 prints it.</summary>
    public static readonly double[] PublishedSigmoidGradient = [0.196612, 0.235004, 0.250000, 0.235004, 0.196612];

    /// <summary>The checkpoints that need no file: sigmoidGradient, checkNNGradients at λ = 0 and λ = 3, and the first five gradient entries.</summary>
    public static IReadOnlyList<Checkpoint> WithoutFiles(double tolerance = 1e-9)
    {
        var list = new List<Checkpoint>();
        double[] z = [-1, -0.5, 0, 0.5, 1];
        var a = (double[])z.Clone();
        Activations.Apply<double>(Activation.Sigmoid, a);
        var g = new double[] { 1, 1, 1, 1, 1 };
        Activations.MultiplyDerivative<double>(Activation.Sigmoid, a, g);
        list.Add(new Checkpoint("sigmoidGradient([-1 -0.5 0 0.5 1])", Join(PublishedSigmoidGradient, "F6"), Join(g, "F6"),
            Join(g, "F6") == Join(PublishedSigmoidGradient, "F6"), g));

        foreach (double lambda in new[] { 0.0, 3.0 })
        {
            var problem = DebugNetwork.Create();
            var check = GradientCheck.Run(problem.Network, problem.X, problem.Targets, lambda);
            list.Add(new Checkpoint(string.Create(C, $"checkNNGradients (3-5-3 debug network, λ = {lambda})"), string.Create(C, $"relative difference < {tolerance:G3}"),
                check.RelativeDifference.ToString("E3", C), check.RelativeDifference < tolerance, [check.RelativeDifference]));
            if (lambda == 0)
            {
                var firstFive = MatlabTheta.ToUnrolledOrder<double>(problem.Network.Spec, check.Analytical)[..5];
                list.Add(new Checkpoint("backprop gradient, first five entries (λ = 0)", Join(DebugNetwork.PublishedGradient, "E4"), Join(firstFive, "E4"),
                    Join(firstFive, "E4") == Join(DebugNetwork.PublishedGradient, "E4"), firstFive));
            }
        }
        return list;
    }

    /// <summary>
    /// nnCostFunction at λ = 0, 1 and 3 and predict.m's accuracy for the course's files (X and y; Theta1 and Theta2),
    /// against <paramref name="expected"/> (default: ex4's published figures for ex4data1.mat and ex4weights.mat),
    /// compared at the printed precision (costs to 6 decimals, accuracy to 0.01 %).
    /// </summary>
    public static IReadOnlyList<Checkpoint> Files(DataFileContents data, DataFileContents weights, Ex4PublishedFigures? expected = null)
    {
        expected ??= Ex4PublishedFigures.Ex4;
        var list = new List<Checkpoint>();
        var e0 = CourseFiles.Evaluate(data, weights, 0);
        list.Add(Cost("cost at the loaded parameters (λ = 0)", expected.Cost, e0.Cost));
        list.Add(Cost("cost with regularization (λ = 1)", expected.CostLambda1, CourseFiles.Evaluate(data, weights, 1).Cost));
        list.Add(Cost("cost at the debugging parameters (λ = 3)", expected.CostLambda3, CourseFiles.Evaluate(data, weights, 3).Cost));
        string ours = (e0.Accuracy * 100).ToString("F2", C) + " %", published = (expected.Accuracy * 100).ToString("F2", C) + " %";
        list.Add(new Checkpoint($"training set accuracy ({e0.Samples} samples)", published, ours, ours == published, [e0.Accuracy]));
        if (!list[0].Passed && TransposedImages(data, weights, expected.Cost) is { } why)
            return list.Select(k => k.Passed ? k : k with { Diagnosis = why }).ToList();
        return list;
    }

    /// <summary>
    /// The most common learner bug: X's square images stored row by row (a loader that reshapes the course's
    /// column-major images in C order, or transposes them). When reading them the other way gives the published cost,
    /// says so; else null.
    /// </summary>
    public static string? TransposedImages(DataFileContents data, DataFileContents weights, double publishedCost)
    {
        var x = data.Find("X");
        if (x is null || x.Shape.Length != 2) return null;
        int side = (int)Math.Round(Math.Sqrt(x.Shape[1]));
        if (side * side != x.Shape[1] || side < 2) return null;
        double cost = CourseFiles.Evaluate(data, weights, 0, rowMajorImages: true).Cost;
        if (cost.ToString("F6", C) != publishedCost.ToString("F6", C)) return null;
        return string.Create(C, $"X holds each {side}x{side} image transposed (row by row); the course's X and Theta1 take them column by column (MATLAB's order). ") +
            string.Create(C, $"Read that way, the cost is {cost:F6}, the published figure. Fix the loader (NumPy: reshape with order='F', or do not transpose X), or evaluate with --pixel-order row.");
    }

    private static Checkpoint Cost(string name, double expected, double actual) =>
        new(name, expected.ToString("F6", C), actual.ToString("F6", C), actual.ToString("F6", C) == expected.ToString("F6", C), [actual]);

    private static string Join(IEnumerable<double> values, string format) => string.Join("  ", values.Select(v => v.ToString(format, C)));
}
