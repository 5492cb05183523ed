using System.CommandLine;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json.Nodes;
using Backprop.Benchmarks;
using Backprop.Numerics;

namespace Backprop.Cli.Commands;

/// <summary><c>backprop bench</c>: the standard performance workloads (see <see cref="Workloads"/>), median/min/max.</summary>
internal static class BenchCommand
{
    public static Command Create()
    {
        var dtype = new Option<string>("--dtype") { Description = "Element type of W1, W2 and W3: float32 or float64 (sgemm is float32, dgemm float64)", DefaultValueFactory = _ => "float32" };
        var workload = new Option<string[]>("--workload")
        {
            Description = $"Workload(s) to run: {string.Join(", ", Workloads.Names)} (repeatable or comma-separated; default all)",
            AllowMultipleArgumentsPerToken = true,
        };
        var repeat = new Option<int>("--repeat") { Description = "Timed runs per workload (after one warm-up run)", DefaultValueFactory = _ => 10 };
        var threads = new Option<int?>("--threads") { Description = "Threads for the kernels (default: all cores)" };
        var provider = new Option<string>("--provider") { Description = "GEMM provider: managed, reference (plain loops) or openblas (needs libopenblas0)", DefaultValueFactory = _ => "managed" };
        var scale = new Option<double>("--scale") { Description = "Shrink sample counts and GEMM sizes by this factor (smoke tests)", DefaultValueFactory = _ => 1.0, Hidden = true };
        var json = Options.Json();
        var command = new Command("bench", "Time the standard workloads (W1, W2-sigmoid, W2-relu, W3, sgemm-2048, dgemm-2048): median, min, max, GFLOP/s")
        {
            dtype, workload, repeat, threads, provider, scale, json,
        };
        command.SetAction(parse =>
        {
            var stdout = parse.InvocationConfiguration.Output;
            string type = parse.GetValue(dtype)!.Trim().ToLowerInvariant();
            bool float64 = type switch
            {
                "float32" or "single" or "f32" => false,
                "float64" or "double" or "f64" => true,
                _ => throw new UsageException($"--dtype '{type}': expected float32 or float64."),
            };
            int n = parse.GetValue(repeat);
            Options.RequirePositive(n, "--repeat");
            double s = parse.GetValue(scale);
            if (!(s > 0 && s <= 1)) throw new UsageException($"--scale must be in (0, 1], got {s.ToString(CultureInfo.InvariantCulture)}.");
            var names = SelectWorkloads(parse.GetValue(workload));
            int? t = parse.GetValue(threads);
            if (t is int tv) Options.RequirePositive(tv, "--threads");
            GemmProvider chosen;
            try { chosen = GemmProvider.Parse(parse.GetValue(provider)!); }
            catch (ArgumentException e) { throw new UsageException($"--provider: {e.Message}"); }
            catch (InvalidOperationException e) { throw new UsageException(e.Message); }

            int savedThreads = Parallelism.MaxThreads;
            var savedProvider = Gemm.Provider;
            var results = new List<WorkloadResult>();
            try
            {
                if (t is int threadCount) Parallelism.MaxThreads = Math.Min(threadCount, Environment.ProcessorCount);
                Gemm.Provider = chosen;
                bool printJson = parse.GetValue(json);
                var c = CultureInfo.InvariantCulture;
                if (!printJson)
                {
                    stdout.WriteLine($"machine    {Machine()}");
                    stdout.WriteLine($"provider   {chosen.Description}");
                    stdout.WriteLine(string.Create(c, $"{"workload",-12} {"dtype",-8} {"median ms",10} {"min ms",10} {"max ms",10} {"GFLOP/s",9}   (repeat {n})"));
                }
                foreach (var name in names)
                {
                    var r = Workloads.Run(name, float64, n, s);
                    results.Add(r);
                    if (!printJson)
                        stdout.WriteLine(string.Create(c, $"{r.Name,-12} {r.DType,-8} {r.MedianMs,10:F3} {r.MinMs,10:F3} {r.MaxMs,10:F3} {r.Gflops,9:F1}"));
                }
                if (printJson)
                {
                    Cli.WriteJson(stdout, new JsonObject
                    {
                        ["machine"] = Machine(),
                        ["provider"] = chosen.Name,
                        ["provider_description"] = chosen.Description,
                        ["threads"] = Math.Min(Parallelism.MaxThreads, Environment.ProcessorCount),
                        ["repeat"] = n,
                        ["scale"] = s,
                        ["workloads"] = new JsonArray(results.Select(r => (JsonNode)new JsonObject
                        {
                            ["name"] = r.Name, ["dtype"] = r.DType, ["median_ms"] = r.MedianMs, ["min_ms"] = r.MinMs,
                            ["max_ms"] = r.MaxMs, ["gflops"] = r.Gflops,
                        }).ToArray()),
                    });
                }
            }
            finally
            {
                Parallelism.MaxThreads = savedThreads;
                Gemm.Provider = savedProvider;
            }
            return Cli.Ok;
        });
        return command;
    }

    private static List<string> SelectWorkloads(string[]? given)
    {
        if (given is null || given.Length == 0) return [.. Workloads.Names];
        var names = new List<string>();
        foreach (var part in given.SelectMany(g => g.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)))
        {
            var match = Workloads.Names.FirstOrDefault(w => string.Equals(w, part, StringComparison.OrdinalIgnoreCase))
                ?? throw new UsageException($"--workload '{part}': expected one of {string.Join(", ", Workloads.Names)}.");
            if (!names.Contains(match)) names.Add(match);
        }
        return names;
    }

    private static string Machine()
    {
        string cpu = RuntimeInformation.OSArchitecture.ToString();
        try
        {
            if (File.Exists("/proc/cpuinfo"))
                cpu = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? cpu;
        }
        catch (IOException) { }
        string simd = System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated ? "AVX-512" : System.Runtime.Intrinsics.Vector256.IsHardwareAccelerated ? "256-bit SIMD" : "128-bit SIMD";
        return $"{cpu}, {Environment.ProcessorCount} cores, {simd}, {RuntimeInformation.FrameworkDescription}";
    }
}
