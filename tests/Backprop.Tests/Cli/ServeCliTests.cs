using System.Diagnostics;
using System.Text.Json;
using Backprop.Models;
using Backprop.Networks;

namespace Backprop.Tests.Cli;

public class ServeCliTests
{
    [Theory]
    [InlineData("https://127.0.0.1:5000", "expected http://HOST:PORT")]
    [InlineData("127.0.0.1:5000", "expected http://HOST:PORT")]
    [InlineData("http://127.0.0.1:5000/digits", "expected http://HOST:PORT")]
    [InlineData(";", "give at least one address")]
    public void BadUrlsAreUsageErrors(string urls, string message)
    {
        using var dir = new TempDir();
        var model = dir.File("m.json");
        Model.From(new Network<float>(NetworkSpec.Create([784, 3, 10]))).Save(model);
        var r = CliHarness.Run("serve", "--model", model, "--urls", urls);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains(message, r.Stderr);
        Assert.Single(r.Stderr.Trim().Split('\n'));
        Assert.Equal("", r.Stdout);
    }

    [Fact]
    public void AMissingModelFileIsAUsageError()
    {
        var r = CliHarness.Run("serve", "--model", "/nonexistent/model.json");
        Assert.Equal(2, r.ExitCode);
        Assert.Equal("backprop: --model /nonexistent/model.json: no such file.", r.Stderr.Trim());
    }

    [Fact]
    public void AModelOfOtherInputsIsRefusedWithTheReason()
    {
        using var dir = new TempDir();
        var path = dir.File("digits.json");
        Model.From(new Network<float>(NetworkSpec.Create([64, 5, 10]))).Save(path);
        var r = CliHarness.Run("serve", "--model", path);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains($"--model {path}: the model (64-5-10", r.Stderr);
        Assert.Contains("needs a model of 28x28 images (784 inputs)", r.Stderr);
    }

    [Fact]
    public void ATakenPortIsReportedInOneLine()
    {
        using var dir = new TempDir();
        var model = dir.File("m.json");
        Model.From(new Network<float>(NetworkSpec.Create([784, 3, 10]))).Save(model);
        var taken = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        taken.Start();
        try
        {
            int port = ((System.Net.IPEndPoint)taken.LocalEndpoint).Port;
            var r = CliHarness.Run("serve", "--model", model, "--urls", $"http://127.0.0.1:{port}");
            Assert.Equal(1, r.ExitCode);
            Assert.Equal($"backprop: Failed to bind to address http://127.0.0.1:{port}: address already in use.", r.Stderr.Trim());
        }
        finally { taken.Stop(); }
    }

    /// <summary>The real tool in its own process: `serve --json` prints one JSON object once it listens, the API answers,
    /// and the process is ended by the test.</summary>
    [Theory]
    [InlineData(true)]
    [InlineData(false)] // no --model: models/mnist-mlp.json in the working folder (present, so nothing is trained)
    public async Task ServeListensPrintsOneJsonObjectAndAnswers(bool explicitModel)
    {
        using var dir = new TempDir();
        Directory.CreateDirectory(dir.File("models"));
        var path = explicitModel ? dir.File("mnist.json") : Path.Combine(dir.Path, "models", "mnist-mlp.json");
        var metadata = new Dictionary<string, string> { ["test_accuracy"] = "0.5" };
        Model.From(new Network<float>(NetworkSpec.Create([784, 8, 10], Backprop.Layers.Activation.Relu, Backprop.Layers.Activation.Softmax)), metadata: metadata).Save(path);
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = dir.Path };
        foreach (var a in new[] { Path.Combine(AppContext.BaseDirectory, "backprop.dll"), "serve", "--urls", "http://127.0.0.1:0", "--json" })
            start.ArgumentList.Add(a);
        if (explicitModel)
        {
            start.ArgumentList.Add("--model");
            start.ArgumentList.Add(path);
        }
        using var process = Process.Start(start)!;
        try
        {
            var o = await CliHarness.ReadJsonObjectAsync(process);
            Assert.Equal(path, o.GetProperty("model").GetString());
            Assert.False(o.GetProperty("trained").GetBoolean());
            Assert.Equal(0.5, o.GetProperty("test_accuracy").GetDouble());
            var url = o.GetProperty("url").GetString()!;
            Assert.StartsWith("http://127.0.0.1:", url);
            using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
            var info = JsonDocument.Parse(await client.GetStringAsync(url + "/api/model")).RootElement;
            Assert.Equal([784, 8, 10], info.GetProperty("layers").Ints());
            Assert.Contains("<canvas id=\"pad\"", await client.GetStringAsync(url + "/"));
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
    }
}
