using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using Backprop.Initialization;
using Backprop.Layers;
using Backprop.Networks;
using Backprop.Numerics;
using Backprop.Verification;

namespace Backprop.Cli.Commands;

/// <summary><c>backprop gradcheck</c>: backpropagation against central differences, on ex4's debug network or any network.</summary>
internal static class GradcheckCommand
{
    public static Command Create()
    {
        var debug = new Option<bool>("--debug") { Description = "Use ex4's checkNNGradients network (3-5-3, m = 5, sin-initialized)" };
        var layers = new Option<string>("--layers") { Description = "Layer sizes of a random network, e.g. 4,6,5,3", DefaultValueFactory = _ => "4,6,5,3" };
        var activation = new Option<string>("--activation") { Description = "Hidden activation: sigmoid, tanh, relu, identity", DefaultValueFactory = _ => "sigmoid" };
        var output = new Option<string>("--output") { Description = "Output activation: sigmoid, softmax, identity, tanh", DefaultValueFactory = _ => "sigmoid" };
        var samples = new Option<int>("--samples") { Description = "Number of random samples", DefaultValueFactory = _ => 5 };
        var epsilon = new Option<double>("--epsilon") { Description = "Central-difference step", DefaultValueFactory = _ => GradientCheck.DefaultEpsilon };
        var tolerance = new Option<double>("--tolerance") { Description = "Largest relative difference that passes", DefaultValueFactory = _ => 1e-9 };
        var lambda = Options.Lambda();
        var seed = Options.Seed();
        var json = Options.Json();
        var command = new Command("gradcheck", "Check backpropagation's gradient against central differences (float64)")
        {
            debug, layers, activation, output, samples, lambda, seed, epsilon, tolerance, json,
        };
        command.SetAction(parse =>
        {
            var stdout = parse.InvocationConfiguration.Output;
            double l = parse.GetValue(lambda);
            Options.RequireNonNegative(l, "--lambda");
            double eps = parse.GetValue(epsilon);
            if (!(eps > 0)) throw new UsageException($"--epsilon must be positive, got {eps}.");
            GradientProblem problem = parse.GetValue(debug)
                ? DebugNetwork.Create()
                : RandomProblem(Options.ParseLayers(parse.GetValue(layers)!), Options.ParseActivation(parse.GetValue(activation)!, "--activation"),
                    Options.ParseActivation(parse.GetValue(output)!, "--output"), parse.GetValue(samples), parse.GetValue(seed));
            var result = GradientCheck.Run(problem.Network, problem.X, problem.Targets, l, eps);
            double tol = parse.GetValue(tolerance);
            bool passed = result.RelativeDifference < tol;
            double[]? firstFive = null;
            if (parse.GetValue(debug))
            {
                var unrolled = MatlabTheta.ToUnrolledOrder<double>(problem.Network.Spec, result.Analytical);
                firstFive = unrolled[..5];
            }
            if (parse.GetValue(json))
            {
                var o = new JsonObject
                {
                    ["network"] = problem.Network.Spec.ToString(),
                    ["samples"] = problem.X.Rows,
                    ["lambda"] = l,
                    ["epsilon"] = eps,
                    ["relative_difference"] = result.RelativeDifference,
                    ["cost"] = result.Cost,
                    ["parameters"] = result.Parameters,
                    ["passed"] = passed,
                    ["layers"] = new JsonArray(result.Layers.Select(e => (JsonNode)new JsonObject
                    {
                        ["layer"] = e.Layer, ["max_abs_error"] = e.MaxAbsoluteError, ["location"] = e.Location,
                        ["numerical"] = e.Numerical, ["analytical"] = e.Analytical,
                    }).ToArray()),
                };
                if (firstFive is not null) o["first_gradients_unrolled"] = Cli.ToJsonArray(firstFive);
                Cli.WriteJson(stdout, o);
            }
            else
            {
                var c = CultureInfo.InvariantCulture;
                stdout.WriteLine(string.Create(c, $"network      {problem.Network.Spec}, {problem.X.Rows} samples, λ = {l}"));
                stdout.WriteLine(string.Create(c, $"cost         {result.Cost:F6}"));
                stdout.WriteLine(string.Create(c, $"parameters   {result.Parameters}"));
                foreach (var e in result.Layers)
                    stdout.WriteLine(string.Create(c, $"layer {e.Layer}      largest |num − ana| = {e.MaxAbsoluteError:E3} at {e.Location} (num {e.Numerical:E6}, ana {e.Analytical:E6})"));
                if (firstFive is not null)
                    stdout.WriteLine("first five   " + string.Join("  ", firstFive.Select(v => v.ToString("E4", c))) + "   (ex4 text: " +
                        string.Join("  ", DebugNetwork.PublishedGradient.Select(v => v.ToString("E4", c))) + ")");
                stdout.WriteLine(string.Create(c, $"relative difference ‖num − ana‖/‖num + ana‖ = {result.RelativeDifference:E3}  {(passed ? "PASS" : "FAIL")} (< {tol:G3})"));
            }
            return passed ? Cli.Ok : Cli.Failure;
        });
        return command;
    }

    private static GradientProblem RandomProblem(int[] sizes, Activation hidden, Activation output, int samples, int seed)
    {
        Options.RequirePositive(samples, "--samples");
        NetworkSpec spec;
        try { spec = NetworkSpec.Create(sizes, hidden, output); }
        catch (ArgumentException e) { throw new UsageException(e.Message); }
        var network = new Network<double>(spec);
        var random = new NumPyRandom((uint)seed);
        Initializer.Uniform(0.12).Initialize(network, random); // ex4's ε: small weights keep the ε² truncation error of central differences far below 1e-9
        var x = new Matrix<double>(samples, sizes[0]);
        random.Randn(x.Span);
        foreach (ref var v in x.Span) v *= 0.5; // inputs of the ex4 debug scale
        int classes = Math.Max(sizes[^1], 2);
        var labels = new int[samples];
        for (int i = 0; i < samples; i++) labels[i] = (int)random.RandInt(classes);
        var targets = Targets.OneHot<double>(labels, classes, sizes[^1]);
        return new GradientProblem(network, x, labels, targets);
    }
}
