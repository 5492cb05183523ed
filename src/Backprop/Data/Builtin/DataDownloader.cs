using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;

namespace Backprop.Data.Builtin;

/// <summary>A file that can be fetched from any of several mirrors.</summary>
/// <param name="FileName">Name of the file in the cache folder.</param>
/// <param name="Sha256">Lower-case hex SHA-256 of the file, or null when no checksum is known.</param>
/// <param name="Urls">Mirrors, tried in order.</param>
public sealed record RemoteFile(string FileName, string? Sha256, IReadOnlyList<Uri> Urls);

/// <summary>
/// Downloads data files into a cache folder: a file already there with the right checksum is used as is,
/// an interrupted download is resumed with an HTTP Range request, and the result is checked against its
/// SHA-256 before it is moved into place, so the cache never holds a partial or corrupt file under its
/// real name.
/// </summary>
public sealed class DataDownloader : IDisposable
{
    private const string PartialSuffix = ".partial";
    private readonly HttpClient _http;
    private readonly bool _ownsClient;

    /// <summary>Uses <paramref name="client"/> when given (not disposed by this object), else its own.</summary>
    public DataDownloader(HttpClient? client = null)
    {
        _ownsClient = client is null;
        _http = client ?? new HttpClient { Timeout = TimeSpan.FromMinutes(10) };
    }

    // declared before MnistFiles: static fields initialise in textual order
    private static readonly string[] MnistMirrors =
    [
        "https://ossci-datasets.s3.amazonaws.com/mnist/",
        "https://storage.googleapis.com/cvdf-datasets/mnist/",
        "http://yann.lecun.com/exdb/mnist/",
    ];

    /// <summary>
    /// The four MNIST files on the public mirrors. The SHA-256s are those of the original .gz files;
    /// the training-images entry has none, because the copy bundled under <c>data/mnist</c> is a
    /// lossless recompression (its uncompressed md5 is the standard <c>6bbc9ace898e44ae57da46a324031adb</c>)
    /// whose .gz bytes differ from the original's, so the original's hash could not be verified here.
    /// </summary>
    public static IReadOnlyList<RemoteFile> MnistFiles { get; } =
    [
        Mnist("train-images-idx3-ubyte.gz", null),
        Mnist("train-labels-idx1-ubyte.gz", "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c"),
        Mnist("t10k-images-idx3-ubyte.gz", "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6"),
        Mnist("t10k-labels-idx1-ubyte.gz", "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6"),
    ];

    private static RemoteFile Mnist(string name, string? sha) =>
        new(name, sha, MnistMirrors.Select(m => new Uri(m + name)).ToArray());

    /// <summary>
    /// Downloads the MNIST files into <paramref name="dataDirectory"/>/mnist (the layout
    /// <see cref="BuiltinData"/> reads), trying each mirror in turn; files already present and valid are kept.
    /// </summary>
    /// <returns>The data directory, to pass as <see cref="BuiltinOptions.DataDirectory"/>.</returns>
    public async Task<string> DownloadMnistAsync(string dataDirectory, IProgress<long>? progress = null, CancellationToken cancellationToken = default)
    {
        var dir = Path.Combine(dataDirectory, "mnist");
        foreach (var file in MnistFiles)
            await DownloadAnyAsync(file, dir, progress, cancellationToken).ConfigureAwait(false);
        return dataDirectory;
    }

    /// <summary>Downloads <paramref name="file"/> from the first mirror that succeeds.</summary>
    public async Task<string> DownloadAnyAsync(RemoteFile file, string cacheDir, IProgress<long>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(file);
        var errors = new List<Exception>();
        foreach (var url in file.Urls)
        {
            try
            {
                return await DownloadAsync(url, cacheDir, file.FileName, file.Sha256, progress, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is HttpRequestException or InvalidDataException or IOException
                                          || (e is TaskCanceledException && !cancellationToken.IsCancellationRequested))
            {
                errors.Add(e);
            }
        }
        throw new AggregateException($"Could not download {file.FileName} from any of {file.Urls.Count} mirrors: {string.Join(" | ", errors.Select(e => e.Message))}", errors);
    }

    /// <summary>
    /// Makes sure <paramref name="cacheDir"/>/<paramref name="fileName"/> holds the file at <paramref name="url"/>
    /// and returns its path. A file already there is used when its SHA-256 matches (or when no checksum is
    /// given). Otherwise the file is downloaded to <c>fileName.partial</c> — resuming an existing partial file
    /// with a Range request, or starting over when the server ignores it — verified, and renamed into place.
    /// </summary>
    /// <param name="sha256">Expected lower- or upper-case hex SHA-256, or null to skip verification.</param>
    /// <param name="progress">Receives the number of bytes of the file present so far.</param>
    /// <exception cref="HttpRequestException">The server answered with an error status (the message names the URL).</exception>
    /// <exception cref="InvalidDataException">The downloaded file's SHA-256 differs from <paramref name="sha256"/>; the partial file is deleted.</exception>
    public async Task<string> DownloadAsync(Uri url, string cacheDir, string fileName, string? sha256,
        IProgress<long>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(url);
        ArgumentNullException.ThrowIfNull(cacheDir);
        ArgumentException.ThrowIfNullOrEmpty(fileName);
        if (fileName != Path.GetFileName(fileName) || fileName is "." or "..")
            throw new ArgumentException($"'{fileName}' must be a plain file name without folders.", nameof(fileName));
        var expected = sha256?.Trim().ToLowerInvariant();
        if (expected is not null && (expected.Length != 64 || !expected.All(Uri.IsHexDigit)))
            throw new ArgumentException($"'{sha256}' is not a SHA-256 (64 hex digits).", nameof(sha256));

        Directory.CreateDirectory(cacheDir);
        var target = Path.Combine(cacheDir, fileName);
        if (File.Exists(target))
        {
            if (expected is null || await HashAsync(target, cancellationToken).ConfigureAwait(false) == expected)
                return target;
            File.Delete(target); // stale or damaged copy
        }

        var partial = target + PartialSuffix;
        for (int attempt = 0; ; attempt++)
        {
            long have = File.Exists(partial) ? new FileInfo(partial).Length : 0;
            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            if (have > 0) request.Headers.Range = new RangeHeaderValue(have, null);
            HttpResponseMessage response;
            try
            {
                response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
            }
            catch (HttpRequestException e)
            {
                throw new HttpRequestException($"Download of {url} failed: {e.Message}", e, e.StatusCode);
            }
            using (response)
            {
                if (response.StatusCode == HttpStatusCode.RequestedRangeNotSatisfiable && have > 0)
                {
                    // the partial file may already be complete; if not, start over once
                    if (expected is not null && await HashAsync(partial, cancellationToken).ConfigureAwait(false) == expected) break;
                    File.Delete(partial);
                    if (attempt == 0) continue;
                }
                if (!response.IsSuccessStatusCode)
                    throw new HttpRequestException($"Download of {url} failed: HTTP {(int)response.StatusCode} {response.ReasonPhrase}.", null, response.StatusCode);

                bool append = have > 0 && response.StatusCode == HttpStatusCode.PartialContent;
                if (append && response.Content.Headers.ContentRange is { From: { } from } && from != have)
                {
                    // a range other than the one asked for: discard it and start over once
                    File.Delete(partial);
                    if (attempt == 0) continue;
                    throw new HttpRequestException($"Download of {url} failed: the server sent bytes from {from} when {have} was asked for.");
                }
                if (!append) have = 0;
                long received = 0;
                progress?.Report(have);
                await using (var output = new FileStream(partial, append ? FileMode.Append : FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true))
                await using (var input = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false))
                {
                    var buffer = new byte[1 << 16];
                    int n;
                    while ((n = await input.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
                    {
                        await output.WriteAsync(buffer.AsMemory(0, n), cancellationToken).ConfigureAwait(false);
                        have += n;
                        received += n;
                        progress?.Report(have);
                    }
                }
                if (response.Content.Headers.ContentLength is { } length && received < length)
                    throw new HttpRequestException($"Download of {url} ended after {received} of {length} bytes; call again to resume.");
            }
            break;
        }

        if (expected is not null)
        {
            var actual = await HashAsync(partial, cancellationToken).ConfigureAwait(false);
            if (actual != expected)
            {
                File.Delete(partial);
                throw new InvalidDataException($"Download of {url}: SHA-256 mismatch for {fileName}: expected {expected}, got {actual}. The downloaded file was deleted.");
            }
        }
        File.Move(partial, target, overwrite: true);
        return target;
    }

    private static async Task<string> HashAsync(string path, CancellationToken ct)
    {
        await using var s = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true);
        return Convert.ToHexStringLower(await SHA256.HashDataAsync(s, ct).ConfigureAwait(false));
    }

    public void Dispose()
    {
        if (_ownsClient) _http.Dispose();
    }
}
