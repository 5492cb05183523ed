using System.Net;
using System.Text;
using System.Text.Json;
using Backprop.Data.Formats;
using Backprop.Data.Preprocessing;
using Backprop.Models;
using Backprop.Networks;
using Backprop.Web;

namespace Backprop.Tests.Web;

/// <summary>The JSON API over HTTP (Kestrel on 127.0.0.1, a free port): predictions equal <see cref="Model.PredictProba(ReadOnlySpan{double}, int)"/>,
/// bad requests get 400 with a clear detail, and the page is served without anything from outside.</summary>
[Collection(DigitServerCollection.Name)]
public class DigitServerTests(DigitServerFixture server)
{
    private async Task<(HttpStatusCode Status, JsonElement Body, string? ContentType)> Post(string body)
    {
        using var content = new StringContent(body, Encoding.UTF8, "application/json");
        using var response = await server.Client.PostAsync("api/predict", content);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, JsonDocument.Parse(text).RootElement.Clone(), response.Content.Headers.ContentType?.MediaType);
    }

    private static string Numbers(ReadOnlySpan<double> values) =>
        "[" + string.Join(",", values.ToArray().Select(v => v.ToString("R", System.Globalization.CultureInfo.InvariantCulture))) + "]";

    [Fact]
    public async Task PredictionsForMNISTTestImagesAreTheModelsOwn()
    {
        var test = server.Test;
        int correct = 0;
        const int n = 40;
        for (int i = 0; i < n; i++)
        {
            var (status, body, _) = await Post($$"""{"image": {{Numbers(test.Sample(i))}}}""");
            Assert.Equal(HttpStatusCode.OK, status);
            var expected = server.Model.PredictProba(test.Sample(i), 1);
            var actual = body.GetProperty("probabilities").Doubles();
            Assert.Equal(expected.Length, actual.Length);
            for (int k = 0; k < expected.Length; k++) Assert.Equal(expected[k], actual[k], 15);
            int best = Array.IndexOf(expected, expected.Max());
            Assert.Equal(best, body.GetProperty("index").GetInt32());
            Assert.Equal(server.Model.ClassNames[best], body.GetProperty("predicted").GetString());
            Assert.Equal(expected[best], body.GetProperty("confidence").GetDouble(), 15);
            Assert.Equal(test.Sample(i).ToArray(), body.GetProperty("image").Doubles());
            if (best == test.Labels[i]) correct++;
        }
        Assert.True(correct >= n * 8 / 10, $"the small model should read most test digits; {correct} of {n}");
    }

    [Theory]
    [InlineData("seven")]
    [InlineData("zero")]
    [InlineData("wide_canvas_two")]
    public async Task ADrawingIsNormalizedLikeMNISTThenPredicted(string name)
    {
        var input = NpzFile.Read(Fixture.Path("web", "digit_preprocessing.npz")).Find("input_" + name)!;
        int height = input.Shape[0], width = input.Shape[1];
        var ink = input.ToDoubles();
        var (status, body, _) = await Post($$$"""{"drawing": {"width": {{{width}}}, "height": {{{height}}}, "ink": {{{Numbers(ink)}}}}}""");
        Assert.Equal(HttpStatusCode.OK, status);
        var image = DigitPreprocessing.ToMnist(ink, width, height);
        var expected = server.Model.PredictProba(image, 1);
        var actual = body.GetProperty("probabilities").Doubles();
        for (int k = 0; k < expected.Length; k++) Assert.Equal(expected[k], actual[k], 15);
        var seen = body.GetProperty("image").Doubles();
        for (int i = 0; i < image.Length; i++) Assert.Equal(image[i], seen[i], 3);
    }

    [Theory]
    [InlineData("not json", "not valid JSON")]
    [InlineData("""{"image": [NaN]}""", "not valid JSON")]
    [InlineData("""{"image": ["NaN"]}""", "\"image\"[0] is the string \"NaN\"")]
    [InlineData("""{"image": [1, 2, 3]}""", "\"image\" must have 784 values (28x28, row-major); got 3")]
    [InlineData("""{"image": "abc"}""", "\"image\" must be an array of numbers")]
    [InlineData("""[1, 2]""", "Expected a JSON object")]
    [InlineData("""{}""", "exactly one of \"drawing\" and \"image\"")]
    [InlineData("""{"image": [], "drawing": {}}""", "exactly one of \"drawing\" and \"image\"")]
    [InlineData("""{"drawing": {"width": 3, "height": 2, "ink": [0, 0, 0]}}""", "A 3 x 2 drawing has 6 pixels; got 3 values")]
    [InlineData("""{"drawing": {"width": 2, "height": 1, "ink": [0, 300]}}""", "Pixel (1, 0) is 300")]
    [InlineData("""{"drawing": {"width": 2.5, "height": 1, "ink": [0, 0]}}""", "\"drawing\" needs \"width\": a whole number")]
    [InlineData("""{"drawing": {"width": 2, "height": 1}}""", "\"drawing\" needs \"ink\"")]
    [InlineData("""{"drawing": {"width": 0, "height": 0, "ink": []}}""", "1..4096 pixels on each side")]
    public async Task BadRequestsGet400WithAClearMessage(string body, string message)
    {
        var (status, problem, contentType) = await Post(body);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("application/problem+json", contentType);
        Assert.Equal(400, problem.GetProperty("status").GetInt32());
        Assert.Contains(message, problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task AnOutOfRangeValueIsNamedByItsIndex()
    {
        // 784 values of which one is out of range: the index is named.
        var values = new double[784];
        values[100] = -1;
        var (status, problem, _) = await Post($$"""{"image": {{Numbers(values)}}}""");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("\"image\"[100] is -1; values must be in 0..255", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task ModelInfoListsLayersClassesAndTheRecordedAccuracy()
    {
        using var response = await server.Client.GetAsync("api/model");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var info = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal([784, 32, 10], info.GetProperty("layers").Ints());
        Assert.Equal(server.Model.Spec.ToString(), info.GetProperty("network").GetString());
        Assert.Equal(Enumerable.Range(0, 10).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            info.GetProperty("classes").EnumerateArray().Select(c => c.GetString()));
        Assert.Equal("float32", info.GetProperty("precision").GetString());
        // MlpClassifier records no test accuracy: the API says so rather than inventing one.
        Assert.Equal(JsonValueKind.Null, info.GetProperty("test_accuracy").ValueKind);
    }

    [Fact]
    public void ModelInfoReportsTheAccuracyAModelFileRecords()
    {
        var metadata = new Dictionary<string, string> { ["test_accuracy"] = "0.9812" };
        var model = Model.From(server.Model.Network<float>(), server.Model.Preprocessor, server.Model.ClassNames, null, metadata);
        Assert.Equal(0.9812, new Predictor(model).Info()["test_accuracy"]!.GetValue<double>());
    }

    [Fact]
    public void ModelInfoShowsTheTrainingAndItsLearningRateSchedule()
    {
        var metadata = new Dictionary<string, string>
        {
            ["training"] = Backprop.Experiments.Presets.Default.Training.ToString(),
            ["learning_rate_schedule"] = Backprop.Experiments.Presets.Default.Training.ScheduleText(),
        };
        var model = Model.From(server.Model.Network<float>(), server.Model.Preprocessor, server.Model.ClassNames, null, metadata);
        var info = new Predictor(model).Info();
        Assert.Equal("step x0.3 every 5 epochs", info["learning_rate_schedule"]!.GetValue<string>());
        Assert.EndsWith("schedule=step(x0.3 every 5 epochs)", info["training"]!.GetValue<string>());
    }

    [Fact]
    public async Task ThePageAndItsAssetsAreServedAndLoadNothingFromOutside()
    {
        foreach (var (path, type) in new[] { ("", "text/html"), ("app.js", "text/javascript"), ("app.css", "text/css") })
        {
            using var response = await server.Client.GetAsync(path);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(type, response.Content.Headers.ContentType?.MediaType);
            var text = await response.Content.ReadAsStringAsync();
            Assert.DoesNotContain("http://", text);
            Assert.DoesNotContain("https://", text);
            Assert.DoesNotContain("//cdn", text);
            if (path == "") Assert.Contains("<canvas id=\"pad\" width=\"280\" height=\"280\"", text);
        }
        using var missing = await server.Client.GetAsync("nothing-here.js");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public void RefusesAModelThatDoesNotRead28x28Images()
    {
        var net = new Network<double>(NetworkSpec.Create([64, 5, 10]));
        var e = Assert.Throws<ArgumentException>(() => DigitServer.Build(Model.From(net), ["http://127.0.0.1:0"]));
        Assert.Contains("takes 64 inputs", e.Message);
        Assert.Contains("28x28", e.Message);
    }
}
