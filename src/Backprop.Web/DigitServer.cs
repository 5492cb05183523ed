using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using Backprop.Data.Preprocessing;
using Backprop.Models;
using Backprop.Web.Playground;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
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
/// </list>
/// Bad requests get 400 with an RFC 7807 problem whose <c>detail</c> says what was expected.
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
    public static WebApplication Build(Model model, IEnumerable<string> urls, LogLevel logLevel = LogLevel.Warning)
    {
        ArgumentNullException.ThrowIfNull(urls);
        if (Unsuitable(model) is { } reason) throw new ArgumentException(char.ToUpperInvariant(reason[0]) + reason[1..] + ".");
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            Args = [],
            ApplicationName = typeof(DigitServer).Assembly.GetName().Name,
            ContentRootPath = AppContext.BaseDirectory,
            EnvironmentName = Environments.Production,
        });
        builder.Logging.ClearProviders();
        // Logs go to stderr, so that stdout carries only what the caller prints (backprop serve --json: one JSON object).
        builder.Logging.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace).AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(logLevel);
        // A failure to start (e.g. the port is taken) is thrown to the caller, who reports it in one line; the host's own
        // log entry would repeat it with a stack trace.
        builder.Logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.None);
        builder.Services.AddProblemDetails();
        builder.Services.AddSingleton(new Predictor(model));
        builder.Services.AddPlayground();   // the live playground at /playground (Playground/)
        var app = builder.Build();
        app.Urls.Clear();
        foreach (var url in urls) app.Urls.Add(url);

        var files = new EmbeddedFileProvider(typeof(DigitServer).Assembly, "Backprop.Web.wwwroot");
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseDefaultFiles(new DefaultFilesOptions { FileProvider = files });
        app.UseStaticFiles(new StaticFileOptions
        {
            FileProvider = files,
            // The page is small and changes with the tool: always revalidate rather than serve a stale copy.
            OnPrepareResponse = c => c.Context.Response.Headers.CacheControl = "no-cache",
        });
        app.MapGet("/api/model", (Predictor p) => Results.Content(p.Info().ToJsonString(), "application/json"));
        app.MapPost("/api/predict", async (HttpRequest request, Predictor p) =>
        {
            JsonDocument doc;
            try { doc = await JsonDocument.ParseAsync(request.Body, new JsonDocumentOptions { MaxDepth = 8 }, request.HttpContext.RequestAborted); }
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
            ["precision"] = m.Precision.ToString().ToLowerInvariant(),
            ["classes"] = new JsonArray(m.ClassNames.Select(c => (JsonNode?)c).ToArray()),
            ["input"] = new JsonObject { ["height"] = DigitPreprocessing.Size, ["width"] = DigitPreprocessing.Size, ["range"] = "0..255, ink high" },
        };
        foreach (var key in new[] { "train_accuracy", "valid_accuracy", "test_accuracy" })
            o[key] = m.Metadata.TryGetValue(key, out var v) && double.TryParse(v, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var d) ? d : null;
        o["metadata"] = new JsonObject(m.Metadata.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)kv.Value)));
        return o;
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
