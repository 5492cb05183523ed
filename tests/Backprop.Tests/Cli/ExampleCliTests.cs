using System.Globalization;

namespace Backprop.Tests.Cli;

/// <summary><c>backprop example mazur</c> against the numbers printed in Matt Mazur's "A Step by Step Backpropagation Example".</summary>
public class ExampleCliTests
{
    // Mazur's published values, as printed in the article.
    private static readonly (string Name, string Value)[] Values =
    [
        ("out_h1 = σ(net_h1)", "0.593269992"),
        ("out_h2", "0.596884378"),
        ("net_o1 = w5·out_h1 + w6·out_h2 + b2", "1.105905967"),
        ("out_o1", "0.75136507"),
        ("out_o2", "0.772928465"),
        ("E_total (engine's cost)", "0.298371109"),
        ("∂E/∂w5", "0.082167041"),
        ("∂E/∂w1", "0.000438568"),
        ("w5⁺", "0.35891648"),
        ("w6⁺", "0.408666186"),
        ("w7⁺", "0.511301270"),
        ("w8⁺", "0.561370121"),
        ("w1⁺", "0.149780716"),
        ("w2⁺", "0.19956143"),
        ("w3⁺", "0.24975114"),
        ("w4⁺", "0.29950229"),
    ];

    public static TheoryData<string, string> Published()
    {
        var data = new TheoryData<string, string>();
        foreach (var (name, value) in Values) data.Add(name, value);
        return data;
    }

    [Theory]
    [MemberData(nameof(Published))]
    public void JsonValueRoundsToThePublishedNumber(string name, string published)
    {
        var r = CliHarness.Run("example", "mazur", "--json");
        Assert.True(r.ExitCode == 0, r.Stderr);
        var row = r.Json().GetProperty("values").EnumerateArray().Single(v => v.GetProperty("name").GetString() == name);
        int decimals = published.Length - published.IndexOf('.') - 1;
        double ours = row.GetProperty("value").GetDouble();
        Assert.Equal(double.Parse(published, CultureInfo.InvariantCulture), Math.Round(ours, decimals));
        Assert.True(row.GetProperty("matches").GetBoolean());
    }

    [Fact]
    public void TextPrintsEveryValueBesideThePublishedOne()
    {
        var r = CliHarness.Run("example", "mazur");
        Assert.True(r.ExitCode == 0, r.Stderr);
        var lines = r.Stdout.Split('\n');
        foreach (var (name, published) in Values)
        {
            var line = lines.Single(l => l.TrimStart().StartsWith(name + " ", StringComparison.Ordinal));
            var fields = line[(line.IndexOf(name, StringComparison.Ordinal) + name.Length)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            // ours (9 decimals), Mazur's number, ok
            int decimals = published.Length - published.IndexOf('.') - 1;
            Assert.Equal(published, fields[1]);
            Assert.Equal(Math.Round(double.Parse(fields[0], CultureInfo.InvariantCulture), decimals), double.Parse(published, CultureInfo.InvariantCulture));
            Assert.Equal("ok", fields[2]);
        }
        Assert.Contains("δ_h1", r.Stdout, StringComparison.Ordinal);
        Assert.Contains("All 20 published numbers reproduced", r.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void UnknownExampleIsAUsageError()
    {
        var r = CliHarness.Run("example", "nosuch");
        Assert.Equal(2, r.ExitCode);
    }
}
