using Backprop.Benchmarks;

namespace Backprop.Tests.Cli;

/// <summary>The bench command sets the process-wide provider and thread count while it runs: alone, like the kernel tests.</summary>
[Collection(KernelSettingsCollection.Name)]
public class BenchCliTests
{
    [Fact]
    public void JsonListsEveryWorkloadWithTimings()
    {
        // --scale shrinks the data (hidden option for smoke tests); the names and the JSON shape are the real ones.
        var r = CliHarness.Run("bench", "--json", "--repeat", "2", "--scale", "0.002");
        Assert.True(r.ExitCode == 0, r.Stderr);
        var o = r.Json();
        var workloads = o.GetProperty("workloads").EnumerateArray().ToList();
        Assert.Equal(Workloads.Names, workloads.Select(w => w.GetProperty("name").GetString()));
        foreach (var w in workloads)
        {
            double median = w.GetProperty("median_ms").GetDouble(), min = w.GetProperty("min_ms").GetDouble(), max = w.GetProperty("max_ms").GetDouble();
            Assert.True(min > 0 && min <= median && median <= max, $"{w}");
            Assert.True(w.GetProperty("gflops").GetDouble() > 0, $"{w}");
        }
        Assert.Equal("float32", workloads[0].GetProperty("dtype").GetString());
        Assert.Equal("float64", workloads[^1].GetProperty("dtype").GetString());
        Assert.Equal("managed", o.GetProperty("provider").GetString());
    }

    [Fact]
    public void OneWorkloadInFloat64AsText()
    {
        var r = CliHarness.Run("bench", "--workload", "w1", "--dtype", "float64", "--repeat", "1", "--scale", "0.02");
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Contains("W1", r.Stdout);
        Assert.Contains("float64", r.Stdout);
        Assert.DoesNotContain("W3", r.Stdout);
    }

    [Theory]
    [InlineData("--workload", "W9", "--workload")]
    [InlineData("--dtype", "int8", "--dtype")]
    [InlineData("--repeat", "0", "--repeat")]
    [InlineData("--provider", "mkl", "--provider")]
    [InlineData("--threads", "0", "--threads")]
    public void BadOptionsAreUsageErrors(string option, string value, string named)
    {
        var r = CliHarness.Run("bench", option, value);
        Assert.Equal(2, r.ExitCode);
        Assert.Equal("", r.Stdout);
        Assert.Single(r.Stderr.TrimEnd().Split('\n'));
        Assert.Contains(named, r.Stderr);
    }

    [Fact]
    public void FlopCountsFollowTheLayerSizes()
    {
        var spec = Backprop.Networks.NetworkSpec.Create([784, 100, 10]);
        // forward 2·m·(784·100 + 100·10); training adds dW for both layers and dX for the second.
        Assert.Equal(2.0 * 60000 * 79400 / 1e9, Workloads.ForwardFlop(spec, 60000), 9);
        Assert.Equal((3 * 2.0 * 60000 * 79400 - 2.0 * 60000 * 78400) / 1e9, Workloads.TrainingFlop(spec, 60000), 9);
    }
}
