using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.RateLimiting;
using Backprop.Data.Preprocessing;
using Backprop.Models;
using Backprop.Web.Playground;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using BadHttpRequestException = Microsoft.AspNetCore.Http.BadHttpRequestException;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Backprop.Web;

/// <summary>
/// The draw-a-digit web app: one static page (embedded <c>wwwroot/</c>) and a JSON API over a trained MNIST model.
/// <list type="bullet">
/// <item><c>GET /api/model</c>: the model's layers, activations, classes, precision and accuracies when the file records them.</item>
/// <item><c>POST /api/predict</c> with <c>{"drawing": {"width": W, "height": H, "ink": [W·H values 0..255]}}</c> (a raw
/// drawing, normalized like MNIST by <see cref="DigitPreprocessing"/>) or <c>{"image": [784 values 0..255]}</c> (a 28x28
/// image already in MNIST form, row-major): the class probabilities, the predicted class and the 28x28 image the model saw.</item>
/// <item><c>GET /healthz</c>: "Healthy" (200) when the model predicts a blank image with finite probabilities, else 503.</item>
/// </list>
/// Bad requests get 400 with an RFC 7807 problem whose <c>detail</c> says what was expected; a body that is not JSON
/// 415, too large 413, too slow 408 (<see cref="ServerLimits"/>). Every response carries the security headers of
/// <see cref="SecurityHeaders"/>. Limits and status codes: docs/robustness.md.
/// </summary>
public static class DigitServer
{
    /// <summary>The default address: loopback only.</summary>
    public const string DefaultUrl = "http://127.0.0.1:5000";

    /// <summary>Checks that <paramref name="model"/> reads 28x28 row-major images; the reason it cannot serve the page otherwise.</summary>
    public static string? Unsuitable(Model model)
    {
        ArgumentNullException.ThrowIfNull(model);
        const int n = DigitPreprocessing.Size * DigitPreprocessing.Size;
        if (model.Spec.Inputs != n)
            return $"the model ({model.Spec}) takes {model.Spec.Inputs} inputs; the draw-a-digit page needs a model of 28x28 images ({n} inputs), e.g. one trained on mnist";
        if (model.Image is { } im && (im.Height != DigitPreprocessing.Size || im.Width != DigitPreprocessing.Size || im.Channels != 1 || im.ColumnMajor))
            return $"the model reads {im.Height}x{im.Width}x{im.Channels} {(im.ColumnMajor ? "column-major" : "row-major")} images; the page sends 28x28 gray row-major ones";
        return null;
    }

    /// <summary>Builds the app (not started) serving <paramref name="model"/> on <paramref name="urls"/>
    /// (port 0 picks a free port; read the bound addresses from <c>app.Urls</c> after <c>StartAsync</c>).</summary>
    /// <exception cref="ArgumentException">The model does not read 28x28 images.</exception>
    public static WebApplication Build(Model model, IEnumerable<string> urls, LogLevel logLevel = LogLevel.Warning, ServerLimits? limits = null)
    {
        ArgumentNullException.ThrowIfNull(urls);
        if (Unsuitable(model) is { } reason) throw new ArgumentException(char.ToUpperInvariant(reason[0]) + reason[1..] + ".");
        limits ??= new ServerLimits();
        var builder = ServerBuilder.Create(typeof(DigitServer), logLevel);
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            k.Limits.MaxRequestBodySize = limits.MaxBodyBytes;
            k.Limits.MinRequestBodyDataRate = new MinDataRate(limits.MinBodyBytesPerSecond, limits.BodyGracePeriod);
        });
        builder.Services.AddProblemDetails();
        // A request Kestrel refuses while the app reads it (too large, too slow) gets Kestrel's status, not 500.
        builder.Services.Configure<ExceptionHandlerOptions>(o => o.StatusCodeSelector = e => e is BadHttpRequestException b ? b.StatusCode : StatusCodes.Status500InternalServerError);
        var predictor = new Predictor(model);
        builder.Services.AddSingleton(predictor);
        builder.Services.AddHealthChecks().AddCheck("model", () => predictor.SelfTest() is { } problem ? HealthCheckResult.Unhealthy(problem) : HealthCheckResult.Healthy());
        // Large bodies cost seconds of a core and hundreds of MB to parse: one at a time, a few queued, the rest 503.
        builder.Services.AddRateLimiter(o =>
        {
            o.RejectionStatusCode = StatusCodes.Status503ServiceUnavailable;
            o.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(c =>
                c.Request.ContentLength is long n && n <= limits.LargeBodyBytes || !HttpMethods.IsPost(c.Request.Method) && c.Request.ContentLength is null
                    ? RateLimitPartition.GetNoLimiter("small")
                    : RateLimitPartition.GetConcurrencyLimiter("large", _ => new ConcurrencyLimiterOptions { PermitLimit = 1, QueueLimit = limits.LargeBodyQueue }));
        });
        builder.Services.AddPlayground();   // the live playground at /playground (Playground/)
        var app = builder.Build();
        app.Urls.Clear();
        foreach (var url in urls) app.Urls.Add(url);

        var files = new EmbeddedFileProvider(typeof(DigitServer).Assembly, "Backprop.Web.wwwroot");
        app.Use(SecurityHeaders.Middleware);
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseRateLimiter();
        app.Use(RequireJsonBodies);
        app.UseDefaultFiles(new DefaultFilesOptions { FileProvider = files });
        app.UseStaticFiles(new StaticFileOptions
        {
            FileProvider = files,
            // The page is small and changes with the tool: always revalidate rather than serve a stale copy.
            OnPrepareResponse = c => c.Context.Response.Headers.CacheControl = "no-cache",
        });
        app.MapHealthChecks("/healthz");
        app.MapGet("/api/model", (Predictor p) => Results.Content(p.Info().ToJsonString(), "application/json"));
        app.MapPost("/api/predict", async (HttpRequest request, Predictor p) =>
        {
            if (request.ContentLength > limits.MaxBodyBytes) return TooLarge(limits);
            MemoryStream body;
            try
            {
                body = new MemoryStream(request.ContentLength is long n ? (int)n : 0);
                await request.Body.CopyToAsync(body, request.HttpContext.RequestAborted);
            }
            catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge) { return TooLarge(limits); }
            catch (BadHttpRequestException e) { return Results.Problem(detail: e.Message, statusCode: e.StatusCode); }
            var bytes = body.GetBuffer().AsMemory(0, (int)body.Length);
            if (!System.Text.Unicode.Utf8.IsValid(bytes.Span)) return Bad($"The body is not valid UTF-8; send {Predictor.Expected}.");
            JsonDocument doc;
            try { doc = JsonDocument.Parse(bytes, new JsonDocumentOptions { MaxDepth = 8 }); }
            catch (JsonException e) { return Bad($"The body is not valid JSON ({e.Message}); send {Predictor.Expected}."); }
            using (doc)
            {
                try { return Results.Content(p.Predict(doc.RootElement).ToJsonString(), "application/json"); }
                catch (BadRequestException e) { return Bad(e.Message); }
            }
        });
        app.MapPlayground();
        return app;
    }

    private static IResult Bad(string detail) => Results.Problem(detail: detail, statusCode: StatusCodes.Status400BadRequest, title: "Bad request");

    private static IResult TooLarge(ServerLimits limits) => Results.Problem(statusCode: StatusCodes.Status413PayloadTooLarge,
        detail: $"The body is larger than {limits.MaxBodyBytes} bytes, the most a {DigitPreprocessing.MaxSide}x{DigitPreprocessing.MaxSide} drawing of whole numbers needs.");

    /// <summary>The API takes JSON only: a POST, PUT or PATCH under /api/ with another (or no) content type gets 415.</summary>
    private static Task RequireJsonBodies(HttpContext context, RequestDelegate next)
    {
        var request = context.Request;
        if (request.Path.StartsWithSegments("/api") && (HttpMethods.IsPost(request.Method) || HttpMethods.IsPut(request.Method) || HttpMethods.IsPatch(request.Method))
            && !request.HasJsonContentType())
        {
            return Results.Problem(statusCode: StatusCodes.Status415UnsupportedMediaType,
                detail: $"The body must be JSON with Content-Type: application/json (got {(string.IsNullOrEmpty(request.ContentType) ? "none" : $"'{request.ContentType}'")}).").ExecuteAsync(context);
        }
        return next(context);
    }
}

/// <summary>
/// The request limits of <see cref="DigitServer"/>. The defaults bound the work of one request to what the largest
/// drawing the API accepts (4096x4096) can need; docs/robustness.md lists them with the status codes.
/// </summary>
public sealed record ServerLimits
{
    /// <summary>4 bytes a pixel ("255,") for a 4096x4096 drawing, plus 64 KiB for the rest of the JSON: 64 MiB + 64 KiB.</summary>
    public const long DefaultMaxBodyBytes = 4L * DigitPreprocessing.MaxSide * DigitPreprocessing.MaxSide + 64 * 1024;

    /// <summary>A larger body (or a larger Content-Length) gets 413.</summary>
    public long MaxBodyBytes { get; init; } = DefaultMaxBodyBytes;
    /// <summary>A body arriving slower than this, after <see cref="BodyGracePeriod"/>, gets 408 (Kestrel's defaults: 240 bytes/s, 5 s).</summary>
    public double MinBodyBytesPerSecond { get; init; } = 240;
    public TimeSpan BodyGracePeriod { get; init; } = TimeSpan.FromSeconds(5);
    /// <summary>Bodies above this size (or of unknown size) are read and parsed one at a time.</summary>
    public long LargeBodyBytes { get; init; } = 1 << 20;
    /// <summary>How many large requests wait for their turn; more get 503.</summary>
    public int LargeBodyQueue { get; init; } = 4;
}

/// <summary>Headers on every response of the app (pages, API, errors): no MIME sniffing, no framing, and a
/// Content-Security-Policy that lets a page load only its own scripts, styles, images and API.</summary>
public static class SecurityHeaders
{
    public const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
        "base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    /// <summary>Sets the headers when the response starts, so that error responses (whose headers the exception handler clears) get them too.</summary>
    public static Task Middleware(HttpContext context, RequestDelegate next)
    {
        context.Response.OnStarting(static state =>
        {
            var headers = ((HttpContext)state).Response.Headers;
            headers.XContentTypeOptions = "nosniff";
            headers.XFrameOptions = "DENY";
            headers.ContentSecurityPolicy = ContentSecurityPolicy;
            headers["Referrer-Policy"] = "no-referrer";
            return Task.CompletedTask;
        }, context);
        return next(context);
    }
}

/// <summary>A request the API cannot answer; its message is the 400's detail.</summary>
internal sealed class BadRequestException(string message) : Exception(message);

/// <summary>Turns request bodies into predictions with one model (predictions are serialized: the network reuses buffers).</summary>
internal sealed class Predictor(Model model)
{
    public const string Expected = """{"drawing": {"width": W, "height": H, "ink": [W·H numbers 0..255]}} or {"image": [784 numbers 0..255]}""";
    private const int Pixels = DigitPreprocessing.Size * DigitPreprocessing.Size;
    private readonly Lock gate = new();

    public Model Model { get; } = model;

    public JsonObject Info()
    {
        var m = Model;
        var o = new JsonObject
        {
            ["network"] = m.Spec.ToString(),
            ["layers"] = new JsonArray(m.Spec.LayerSizes.Select(s => (JsonNode?)s).ToArray()),
            ["parameters"] = m.Spec.ParameterCount,
            ["precision"] = Backprop.Models.Precisions.Name(m.Precision),
            ["classes"] = new JsonArray(m.ClassNames.Select(c => (JsonNode?)c).ToArray()),
            ["input"] = new JsonObject { ["height"] = DigitPreprocessing.Size, ["width"] = DigitPreprocessing.Size, ["range"] = "0..255, ink high" },
        };
        o["training"] = m.Metadata.TryGetValue("training", out var training) ? training : null;
        o["learning_rate_schedule"] = m.Metadata.TryGetValue("learning_rate_schedule", out var schedule) ? schedule : null;
        foreach (var key in new[] { "train_accuracy", "valid_accuracy", "test_accuracy" })
            o[key] = m.Metadata.TryGetValue(key, out var v) && double.TryParse(v, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var d)
                && double.IsFinite(d) ? d : null; // JSON has no NaN: a damaged value is reported as unknown
        o["metadata"] = new JsonObject(m.Metadata.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)kv.Value)));
        return o;
    }

    /// <summary>Null when the model predicts a blank image with finite probabilities; otherwise what is wrong (for /healthz).</summary>
    public string? SelfTest()
    {
        double[] p;
        lock (gate) p = Model.PredictProba(new double[Pixels], 1);
        return p.All(double.IsFinite) ? null : "the model's probabilities for a blank image are not finite";
    }

    public JsonObject Predict(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object) throw new BadRequestException($"Expected a JSON object: {Expected}.");
        bool hasDrawing = root.TryGetProperty("drawing", out var drawing), hasImage = root.TryGetProperty("image", out var image);
        if (hasDrawing == hasImage) throw new BadRequestException($"Give exactly one of \"drawing\" and \"image\": {Expected}.");
        double[] pixels;
        if (hasImage)
        {
            pixels = Numbers(image, "image");
            if (pixels.Length != Pixels) throw new BadRequestException($"\"image\" must have {Pixels} values (28x28, row-major); got {pixels.Length}.");
            for (int i = 0; i < pixels.Length; i++)
                if (!(pixels[i] >= 0 && pixels[i] <= 255))
                    throw new BadRequestException($"\"image\"[{i}] is {pixels[i].ToString(System.Globalization.CultureInfo.InvariantCulture)}; values must be in 0..255.");
        }
        else
        {
            if (drawing.ValueKind != JsonValueKind.Object) throw new BadRequestException($"\"drawing\" must be an object {{\"width\": W, \"height\": H, \"ink\": [W·H numbers 0..255]}}.");
            int width = Int(drawing, "width"), height = Int(drawing, "height");
            if (!drawing.TryGetProperty("ink", out var ink)) throw new BadRequestException("\"drawing\" needs \"ink\": W·H numbers 0..255, row-major.");
            var values = Numbers(ink, "drawing.ink");
            try { pixels = DigitPreprocessing.ToMnist(values, width, height); }
            catch (ArgumentException e) { throw new BadRequestException($"\"drawing\": {e.Message}"); }
        }
        double[] p;
        lock (gate) p = Model.PredictProba(pixels, 1);
        int best = 0;
        for (int k = 1; k < p.Length; k++) if (p[k] > p[best]) best = k;
        return new JsonObject
        {
            ["predicted"] = Model.ClassNames[best],
            ["index"] = best,
            ["confidence"] = p[best],
            ["probabilities"] = new JsonArray(p.Select(v => (JsonNode?)v).ToArray()),
            ["classes"] = new JsonArray(Model.ClassNames.Select(c => (JsonNode?)c).ToArray()),
            ["image"] = new JsonArray(pixels.Select(v => (JsonNode?)Math.Round(v, 3)).ToArray()),
        };
    }

    private static int Int(JsonElement o, string name)
    {
        if (!o.TryGetProperty(name, out var e) || e.ValueKind != JsonValueKind.Number || !e.TryGetInt32(out int v))
            throw new BadRequestException($"\"drawing\" needs \"{name}\": a whole number of pixels.");
        return v;
    }

    private static double[] Numbers(JsonElement e, string name)
    {
        if (e.ValueKind != JsonValueKind.Array) throw new BadRequestException($"\"{name}\" must be an array of numbers 0..255, got {e.ValueKind.ToString().ToLowerInvariant()}.");
        var values = new double[e.GetArrayLength()];
        int i = 0;
        foreach (var x in e.EnumerateArray())
        {
            if (x.ValueKind != JsonValueKind.Number || !x.TryGetDouble(out values[i]))
                throw new BadRequestException($"\"{name}\"[{i}] is {(x.ValueKind == JsonValueKind.String ? $"the string \"{x.GetString()}\"" : x.ValueKind.ToString().ToLowerInvariant())}; values must be numbers 0..255 (JSON has no NaN).");
            i++;
        }
        return values;
    }
}
