namespace Backprop.Tests.Cli;

public class GradcheckCliTests
{
    [Fact]
    public void DebugJsonPasses()
    {
        var r = CliHarness.Run("gradcheck", "--debug", "--json");
        Assert.True(r.ExitCode == 0, r.Stderr);
        var o = r.Json();
        Assert.True(o.GetProperty("relative_difference").GetDouble() < 1e-9);
        Assert.Equal(38, o.GetProperty("parameters").GetInt32());
        Assert.True(o.GetProperty("passed").GetBoolean());
    }

    [Fact]
    public void BadLayersIsAUsageError()
    {
        var r = CliHarness.Run("gradcheck", "--layers", "4,x");
        Assert.Equal(2, r.ExitCode);
        Assert.Equal("", r.Stdout);
        Assert.Single(r.Stderr.TrimEnd().Split('\n'));
        Assert.Contains("--layers", r.Stderr);
    }
}
