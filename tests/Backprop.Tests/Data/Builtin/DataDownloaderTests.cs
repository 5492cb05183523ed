using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Backprop.Data.Builtin;

namespace Backprop.Tests.Data.Builtin;

public sealed class DataDownloaderTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("download-tests-").FullName;
    private readonly byte[] _content = Enumerable.Range(0, 300_000).Select(i => (byte)(i * 31 + i / 977)).ToArray();
    private readonly LocalServer _server;

    public DataDownloaderTests() => _server = new LocalServer(_content);

    public void Dispose()
    {
        _server.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    private string Sha => Convert.ToHexStringLower(SHA256.HashData(_content));

    [Fact]
    public async Task FreshDownloadThenCachedHitWithoutARequest()
    {
        using var d = new DataDownloader();
        var reports = new List<long>();
        var path = await d.DownloadAsync(_server.Url("f.bin"), _dir, "f.bin", Sha.ToUpperInvariant(), new SyncProgress(reports.Add));
        Assert.Equal(Path.Combine(_dir, "f.bin"), path);
        Assert.Equal(_content, File.ReadAllBytes(path));
        Assert.False(File.Exists(path + ".partial"));
        Assert.Equal(_content.Length, reports[^1]);
        Assert.Single(_server.Requests);

        var again = await d.DownloadAsync(_server.Url("f.bin"), _dir, "f.bin", Sha);
        Assert.Equal(path, again);
        Assert.Single(_server.Requests); // served from the cache
        await d.DownloadAsync(_server.Url("f.bin"), _dir, "f.bin", null);
        Assert.Single(_server.Requests);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task ResumesFromAPartialFile(bool serverHonoursRange)
    {
        _server.HonourRange = serverHonoursRange;
        File.WriteAllBytes(Path.Combine(_dir, "f.bin.partial"), _content[..123_456]);
        using var d = new DataDownloader();
        var path = await d.DownloadAsync(_server.Url("f.bin"), _dir, "f.bin", Sha);
        Assert.Equal(_content, File.ReadAllBytes(path));
        var (_, range) = Assert.Single(_server.Requests);
        Assert.Equal("bytes=123456-", range);
    }

    [Fact]
    public async Task CompletePartialFileAndStaleTargetAreHandled()
    {
        // a stale target with the wrong content is replaced; a complete partial gets 416 and is accepted
        File.WriteAllBytes(Path.Combine(_dir, "f.bin"), [1, 2, 3]);
        File.WriteAllBytes(Path.Combine(_dir, "f.bin.partial"), _content);
        using var d = new DataDownloader();
        var path = await d.DownloadAsync(_server.Url("f.bin"), _dir, "f.bin", Sha);
        Assert.Equal(_content, File.ReadAllBytes(path));
        Assert.False(File.Exists(path + ".partial"));
    }

    [Fact]
    public async Task ChecksumMismatchDeletesThePartialAndNamesBothHashes()
    {
        using var d = new DataDownloader();
        var wrong = new string('0', 64);
        var e = await Assert.ThrowsAsync<InvalidDataException>(() => d.DownloadAsync(_server.Url("f.bin"), _dir, "f.bin", wrong));
        Assert.Contains(wrong, e.Message);
        Assert.Contains(Sha, e.Message);
        Assert.Empty(Directory.GetFiles(_dir));
    }

    [Fact]
    public async Task NotFoundNamesTheUrl()
    {
        using var d = new DataDownloader();
        var url = _server.Url("missing.bin");
        var e = await Assert.ThrowsAsync<HttpRequestException>(() => d.DownloadAsync(url, _dir, "m.bin", null));
        Assert.Contains(url.ToString(), e.Message);
        Assert.Contains("404", e.Message);
        Assert.Equal(HttpStatusCode.NotFound, e.StatusCode);
        Assert.Empty(Directory.GetFiles(_dir));
    }

    [Fact]
    public async Task MirrorsAreTriedInOrder()
    {
        using var d = new DataDownloader();
        var file = new RemoteFile("f.bin", Sha, [_server.Url("missing.bin"), _server.Url("f.bin")]);
        var path = await d.DownloadAnyAsync(file, _dir);
        Assert.Equal(_content, File.ReadAllBytes(path));
        Assert.Equal(2, _server.Requests.Count);
    }

    [Fact]
    public void MnistTableCoversTheFourFiles()
    {
        Assert.Equal(4, DataDownloader.MnistFiles.Count);
        Assert.All(DataDownloader.MnistFiles, f => Assert.NotEmpty(f.Urls));
        // the bundled test files are the originals: their hashes match the table
        foreach (var f in DataDownloader.MnistFiles.Where(f => f.Sha256 is not null))
        {
            var local = Path.Combine(AppContext.BaseDirectory, "data", "mnist", f.FileName);
            Assert.Equal(f.Sha256, Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(local))));
        }
    }

    [Fact]
    public async Task RejectsFileNamesWithFolders()
    {
        using var d = new DataDownloader();
        await Assert.ThrowsAsync<ArgumentException>(() => d.DownloadAsync(_server.Url("f.bin"), _dir, "../f.bin", null));
        Assert.Empty(_server.Requests);
    }

    private sealed class SyncProgress(Action<long> report) : IProgress<long>
    {
        public void Report(long value) => report(value);
    }

    /// <summary>A tiny HTTP server on 127.0.0.1 serving one file at /f.bin, optionally honouring Range.</summary>
    private sealed class LocalServer : IDisposable
    {
        private readonly HttpListener _listener = new();
        private readonly byte[] _content;
        private readonly Task _loop;
        private readonly string _prefix;

        public LocalServer(byte[] content)
        {
            _content = content;
            var probe = new TcpListener(IPAddress.Loopback, 0);
            probe.Start();
            int port = ((IPEndPoint)probe.LocalEndpoint).Port;
            probe.Stop();
            _prefix = $"http://127.0.0.1:{port}/";
            _listener.Prefixes.Add(_prefix);
            _listener.Start();
            _loop = Task.Run(Serve);
        }

        public bool HonourRange { get; set; } = true;
        public ConcurrentQueue<(string Path, string? Range)> Requests { get; } = new();

        public Uri Url(string file) => new(_prefix + file);

        private async Task Serve()
        {
            while (_listener.IsListening)
            {
                HttpListenerContext ctx;
                try { ctx = await _listener.GetContextAsync(); }
                catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException) { return; }
                var range = ctx.Request.Headers["Range"];
                Requests.Enqueue((ctx.Request.Url!.AbsolutePath, range));
                var res = ctx.Response;
                try
                {
                    if (ctx.Request.Url.AbsolutePath != "/f.bin")
                    {
                        res.StatusCode = 404;
                        continue;
                    }
                    long start = 0;
                    if (HonourRange && range is not null && range.StartsWith("bytes=", StringComparison.Ordinal) && range.EndsWith('-'))
                        start = long.Parse(range[6..^1], System.Globalization.CultureInfo.InvariantCulture);
                    if (start >= _content.Length && start > 0)
                    {
                        res.StatusCode = 416;
                        res.Headers["Content-Range"] = $"bytes */{_content.Length}";
                        continue;
                    }
                    if (start > 0)
                    {
                        res.StatusCode = 206;
                        res.Headers["Content-Range"] = $"bytes {start}-{_content.Length - 1}/{_content.Length}";
                    }
                    res.ContentLength64 = _content.Length - start;
                    await res.OutputStream.WriteAsync(_content.AsMemory((int)start));
                }
                catch (HttpListenerException) { }
                finally { res.Close(); }
            }
        }

        public void Dispose()
        {
            _listener.Stop();
            _listener.Close();
            _loop.Wait(TimeSpan.FromSeconds(5));
        }
    }
}
