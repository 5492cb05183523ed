namespace Backprop.Tests.Cli;

/// <summary>Parse errors in words (Cli.Explain): "did you mean" for typos, what a value should be instead of a .NET type.</summary>
public class CliParseErrorTests
{
    [Theory]
    [InlineData(new[] { "trian" }, "unknown command 'trian'; did you mean 'train'?")]
    [InlineData(new[] { "evalute", "--data", "x" }, "did you mean 'evaluate'?")]
    [InlineData(new[] { "train", "--epoch", "3" }, "unknown option '--epoch' for train; did you mean '--epochs'?")]
    [InlineData(new[] { "evaluate", "--lamda", "1" }, "did you mean '--lambda'?")]
    [InlineData(new[] { "train", "--epochs", "abc" }, "--epochs 'abc': expected a whole number, e.g. 12.")]
    [InlineData(new[] { "train", "--lr", "fast" }, "--lr 'fast': expected a number, e.g. 0.001.")]
    public void ErrorSaysWhatWasMeant(string[] args, string expected)
    {
        var r = CliHarness.Run(args);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains(expected, r.Stderr);
        Assert.DoesNotContain("System.", r.Stderr);
        Assert.Single(r.Stderr.Trim().Split('\n'));
    }

    [Fact]
    public void NoSuggestionForSomethingFarFromEveryName()
    {
        var r = CliHarness.Run("train", "--zzzzzzzz");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("unknown option '--zzzzzzzz' for train.", r.Stderr);
        Assert.DoesNotContain("did you mean", r.Stderr);
    }
}
