using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Backprop.Models;
using Backprop.Networks;
using Backprop.Web;
using Microsoft.AspNetCore.Builder;

namespace Backprop.Tests.Web;

/// <summary>A server (Kestrel on 127.0.0.1, a free port) with small limits, serving an untrained 784-10 model: every
/// client error gets its own status (413, 408, 415, 400), never 500, and every response carries the security headers.</summary>
public sealed class LimitedServerFixture : LoopbackServerFixture
{
    public static readonly ServerLimits Limits = new()
    {
        MaxBodyBytes = 100_000, MinBodyBytesPerSecond = 240, BodyGracePeriod = TimeSpan.FromSeconds(2), LargeBodyBytes = 50_000, LargeBodyQueue = 0,
    };

    protected override WebApplication Build() =>
        DigitServer.Build(Model.From(new Network<float>(NetworkSpec.Create([784, 10], Backprop.Layers.Activation.Sigmoid, Backprop.Layers.Activation.Softmax))), ["http://127.0.0.1:0"], limits: Limits);
}

public class DigitServerHardeningTests(LimitedServerFixture server) : IClassFixture<LimitedServerFixture>
{
    private static string Image(int pixels) => "{\"image\": [" + string.Join(",", Enumerable.Repeat("0", pixels)) + "]}";

    private async Task<(HttpStatusCode Status, string Detail)> Post(HttpContent content)
    {
        using var response = await server.Client.PostAsync("api/predict", content);
        var text = await response.Content.ReadAsStringAsync();
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return (response.StatusCode, JsonDocument.Parse(text).RootElement.GetProperty("detail").GetString()!);
    }

    /// <summary>Sends raw HTTP/1.1 (bytes as given, optionally trickled) and returns the status line of the answer.</summary>
    private async Task<string> RawStatusLine(string head, byte[] body, TimeSpan delayPerByte)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(server.BaseAddress.Host, server.BaseAddress.Port);
        var stream = tcp.GetStream();
        stream.ReadTimeout = 20_000;
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head));
        var reading = Task.Run(() =>
        {
            var line = new StringBuilder();
            for (int b; (b = stream.ReadByte()) >= 0 && b != '\n';) line.Append((char)b);
            return line.ToString().TrimEnd('\r');
        });
        foreach (var b in body)
        {
            if (reading.IsCompleted) break;
            try { await stream.WriteAsync(new[] { b }); } catch (IOException) { break; }
            if (delayPerByte > TimeSpan.Zero) await Task.WhenAny(reading, Task.Delay(delayPerByte));
        }
        return await reading.WaitAsync(TimeSpan.FromSeconds(20));
    }

    [Fact]
    public async Task ABodyOverTheLimitGets413()
    {
        using var content = new StringContent(Image(60_000), Encoding.UTF8, "application/json");   // 120 KB > 100 KB
        var (status, detail) = await Post(content);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, status);
        Assert.Contains("larger than 100000 bytes", detail);
    }

    [Fact]
    public async Task AHugeContentLengthGets413AtOnce()
    {
        var line = await RawStatusLine($"POST /api/predict HTTP/1.1\r\nHost: {server.BaseAddress.Authority}\r\nContent-Type: application/json\r\nContent-Length: 1000000000000\r\n\r\n", "{}"u8.ToArray(), TimeSpan.Zero);
        Assert.Equal("HTTP/1.1 413 Payload Too Large", line);
    }

    [Fact]
    public async Task AChunkedBodyOverTheLimitGets413()
    {
        var chunk = Encoding.ASCII.GetBytes(Image(60_000));
        var body = Encoding.ASCII.GetBytes($"{chunk.Length:x}\r\n").Concat(chunk).Concat("\r\n0\r\n\r\n"u8.ToArray()).ToArray();
        var line = await RawStatusLine($"POST /api/predict HTTP/1.1\r\nHost: {server.BaseAddress.Authority}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n", body, TimeSpan.Zero);
        Assert.Equal("HTTP/1.1 413 Payload Too Large", line);
    }

    [Fact]
    public async Task ATrickledBodyGets408()
    {
        // 4 bytes/s, far below the 240 bytes/s minimum: cut after the 2 s grace period.
        var line = await RawStatusLine($"POST /api/predict HTTP/1.1\r\nHost: {server.BaseAddress.Authority}\r\nContent-Type: application/json\r\nContent-Length: 2000\r\n\r\n",
            Encoding.ASCII.GetBytes(Image(1000))[..2000], TimeSpan.FromMilliseconds(250));
        Assert.Equal("HTTP/1.1 408 Request Timeout", line);
    }

    [Fact]
    public async Task LargeBodiesAreTakenOneAtATimeAndTheNextGets503()
    {
        // The first large request holds the only permit while its body trickles in; with no queue, a second one is turned away.
        using var first = new TcpClient();
        await first.ConnectAsync(server.BaseAddress.Host, server.BaseAddress.Port);
        await first.GetStream().WriteAsync(Encoding.ASCII.GetBytes($"POST /api/predict HTTP/1.1\r\nHost: {server.BaseAddress.Authority}\r\nContent-Type: application/json\r\nContent-Length: 60000\r\n\r\n{{"));
        await Task.Delay(500);
        using var content = new StringContent(Image(30_000), Encoding.UTF8, "application/json");   // 60 KB: large too
        using var response = await server.Client.PostAsync("api/predict", content);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        // Small requests never wait for the large ones.
        using var small = new StringContent(Image(784), Encoding.UTF8, "application/json");
        using var ok = await server.Client.PostAsync("api/predict", small);
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        first.Close();
    }

    [Theory]
    [InlineData("text/plain", "got 'text/plain; charset=utf-8'")]
    [InlineData("application/x-www-form-urlencoded", "got 'application/x-www-form-urlencoded; charset=utf-8'")]
    [InlineData(null, "got none")]
    public async Task ABodyThatIsNotJsonGets415(string? type, string message)
    {
        using var content = new StringContent(Image(784), Encoding.UTF8, type ?? "text/plain");
        if (type is null) content.Headers.ContentType = null;
        var (status, detail) = await Post(content);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, status);
        Assert.Contains("The body must be JSON with Content-Type: application/json (" + message, detail);
    }

    [Fact]
    public async Task InvalidUtf8InsideAStringGets400()
    {
        var bytes = "{\"image\": [\""u8.ToArray().Concat(new byte[] { 0xFF, 0xFE }).Concat("\"]}"u8.ToArray()).ToArray();
        using var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        var (status, detail) = await Post(content);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.StartsWith("The body is not valid UTF-8", detail);
    }

    [Fact]
    public async Task HealthzReportsAWorkingModel()
    {
        using var response = await server.Client.GetAsync("healthz");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Healthy", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public void TheHealthCheckFailsForAModelWithANaNWeight()
    {
        var net = new Network<float>(NetworkSpec.Create([784, 10], Backprop.Layers.Activation.Sigmoid, Backprop.Layers.Activation.Softmax));
        net.Parameters[3] = float.NaN;
        Assert.Equal("the model's probabilities for a blank image are not finite", new Predictor(Model.From(net)).SelfTest());
    }

    [Theory]
    [InlineData("NaN")]
    [InlineData("Infinity")]
    [InlineData("-Infinity")]
    public void ModelInfoWithANonFiniteAccuracyReportsItAsUnknown(string value)
    {
        var net = new Network<float>(NetworkSpec.Create([784, 10], Backprop.Layers.Activation.Sigmoid, Backprop.Layers.Activation.Softmax));
        var info = new Predictor(Model.From(net, metadata: new Dictionary<string, string> { ["test_accuracy"] = value })).Info();
        Assert.Null(info["test_accuracy"]);
        Assert.Contains($"\"test_accuracy\":\"{value}\"", info.ToJsonString()); // the raw metadata string, serializable
    }

    [Theory]
    [InlineData("GET", "")]
    [InlineData("GET", "app.js")]
    [InlineData("GET", "api/model")]
    [InlineData("GET", "healthz")]
    [InlineData("GET", "nothing-here")]
    [InlineData("POST", "api/predict")]
    public async Task EveryResponseCarriesTheSecurityHeaders(string method, string path)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (method == "POST") request.Content = new StringContent("not json", Encoding.UTF8, "application/json");
        using var response = await server.Client.SendAsync(request);
        Assert.Equal(["nosniff"], response.Headers.GetValues("X-Content-Type-Options"));
        Assert.Equal(["DENY"], response.Headers.GetValues("X-Frame-Options"));
        Assert.Equal([SecurityHeaders.ContentSecurityPolicy], response.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("default-src 'none'", SecurityHeaders.ContentSecurityPolicy);
        Assert.Contains("frame-ancestors 'none'", SecurityHeaders.ContentSecurityPolicy);
    }
}
