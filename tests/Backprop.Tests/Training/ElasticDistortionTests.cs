using System.Numerics;
using System.Text.Json;
using Backprop.Models;
using Backprop.Numerics;
using Backprop.Training;

namespace Backprop.Tests.Training;

/// <summary>Elastic distortion against SciPy (Fixtures/engine/make_elastic_fixtures.py), its options, and training with it.</summary>
public class ElasticDistortionTests
{
    private static readonly Lazy<JsonElement> Cases = new(() => Fixture.Json("engine", "elastic.json").GetProperty("cases"));

    public static TheoryData<string> CaseNames => Fixture.CaseNames(Cases.Value);

    private static JsonElement Case(string name) => Cases.Value.EnumerateArray().Single(c => c.GetProperty("name").GetString() == name);

    private static ElasticDistortion<T> For<T>(JsonElement c) where T : unmanaged, IFloatingPointIeee754<T> =>
        new(c.GetProperty("height").GetInt32(), c.GetProperty("width").GetInt32(), c.GetProperty("sigma").GetDouble(),
            c.GetProperty("alpha").GetDouble(), c.GetProperty("rotation").GetDouble(), c.GetProperty("scale").GetDouble());

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void ABatchMatchesScipyGaussianFilterAndMapCoordinates(string name)
    {
        Check<double>(name, 1e-12);
        Check<float>(name, 1e-5);

        static void Check<T>(string name, double tolerance) where T : unmanaged, IFloatingPointIeee754<T>
        {
            var c = Case(name);
            var distortion = For<T>(c);
            var images = c.GetProperty("images").Doubles();
            var expected = c.GetProperty("distorted").Doubles();
            int pixels = distortion.Height * distortion.Width;
            var batch = Matrix<T>.FromDoubles(images.Length / pixels, pixels, images);
            distortion.DistortRows(batch, new NumPyRandom((uint)c.GetProperty("seed").GetInt32()));
            var actual = batch.ToDoubles();
            for (int i = 0; i < expected.Length; i++)
                Assert.True(Math.Abs(expected[i] - actual[i]) <= tolerance,
                    $"{name} ({typeof(T).Name}) image {i / pixels} pixel {i % pixels}: scipy {expected[i]:R}, ours {actual[i]:R}");
        }
    }

    [Fact]
    public void OneImageWithItsDrawsEqualsItsRowOfTheBatchAndMayBeDistortedInPlace()
    {
        var c = Case("blobs-12x20");
        var distortion = For<double>(c);
        var images = c.GetProperty("images").Doubles();
        var batch = Matrix<double>.FromDoubles(3, 240, images);
        distortion.DistortRows(batch, new NumPyRandom(4u));
        var random = new NumPyRandom(4u);
        var draws = new uint[distortion.DrawsPerImage];
        for (int i = 0; i < 3; i++)
        {
            random.NextUInt32(draws);
            var image = images.AsSpan(i * 240, 240).ToArray();
            distortion.Distort(image, image, draws);
            Assert.Equal(batch.Row(i).ToArray(), image);
        }
        Assert.Throws<ArgumentException>(() => distortion.Distort(new double[240], new double[240], new uint[10]));
        Assert.Throws<ArgumentException>(() => distortion.DistortRows(new Matrix<double>(2, 239), random));
    }

    [Fact]
    public void DistortingABatchAllocatesNothingAfterTheFirst()
    {
        var distortion = new ElasticDistortion<float>(28, 28);
        var batch = new Matrix<float>(100, 784);
        var source = new Random(1);
        for (int i = 0; i < batch.Length; i++) batch.Span[i] = (float)source.NextDouble();
        var random = new NumPyRandom(7u);
        distortion.DistortRows(batch, random);
        distortion.DistortRows(batch.RowSlice(0, 40), random);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int k = 0; k < 20; k++) distortion.DistortRows(batch, random);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void OptionsAreValidatedShownAndParsed()
    {
        void Bad(TrainingOptions o, string field) =>
            Assert.Equal(field, Assert.Throws<ArgumentOutOfRangeException>(o.Validate).ParamName);
        Bad(new TrainingOptions { ElasticAlpha = -1 }, nameof(TrainingOptions.ElasticAlpha));
        Bad(new TrainingOptions { ElasticAlpha = double.PositiveInfinity }, nameof(TrainingOptions.ElasticAlpha));
        Bad(new TrainingOptions { ElasticAlpha = 36, ElasticSigma = 0 }, nameof(TrainingOptions.ElasticSigma));
        Bad(new TrainingOptions { ElasticAlpha = 36, ElasticSigma = double.NaN }, nameof(TrainingOptions.ElasticSigma));
        Bad(new TrainingOptions { ElasticAlpha = 36, ElasticRotation = -1 }, nameof(TrainingOptions.ElasticRotation));
        Bad(new TrainingOptions { ElasticAlpha = 36, ElasticRotation = 181 }, nameof(TrainingOptions.ElasticRotation));
        Bad(new TrainingOptions { ElasticAlpha = 36, ElasticScale = 1 }, nameof(TrainingOptions.ElasticScale));
        Assert.Contains("σ must be in (0, 1000]", Assert.Throws<ArgumentOutOfRangeException>(() => new ElasticDistortion<float>(28, 28, sigma: 2000)).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new ElasticDistortion<float>(0, 28));
        Assert.Contains("elastic distortion", Assert.Throws<ArgumentException>(
            new TrainingOptions { Optimizer = OptimizerKind.Lbfgs, ElasticAlpha = 36 }.Validate).Message);

        var o = new TrainingOptions { ElasticAlpha = 36 };
        o.Validate();
        Assert.Contains(" augment=elastic:5,36,7.5,0.075", o.ToString());
        Assert.DoesNotContain("augment", new TrainingOptions().ToString());
        Assert.Contains(" augment=elastic:4,34,0,0", (o with { ElasticSigma = 4, ElasticAlpha = 34, ElasticRotation = 0, ElasticScale = 0 }).ToString());

        Assert.Equal((5, 36, 7.5, 0.075), ElasticDistortion.Parse("elastic"));
        Assert.Equal((4.5, 34, 7.5, 0.075), ElasticDistortion.Parse("Elastic:4.5,34"));
        Assert.Equal((6, 38, 0, 0), ElasticDistortion.Parse("elastic:6,38,0,0"));
        Assert.Equal(0, ElasticDistortion.Parse("none").Alpha);
        Assert.Equal((4.0, 34.0, 0.0, 0.0), ElasticDistortion.Parse(ElasticDistortion.Format(4, 34, 0, 0)));
        foreach (var bad in new[] { "elastic:", "elastic:5", "elastic:5,36,7", "elastic:a,36", "elastic:0,36", "elastic:5,-1", "elastic:5,36,200,0", "elastic:5,36,0,1", "shift", "none:1" })
            Assert.Throws<ArgumentException>(() => ElasticDistortion.Parse(bad));
    }

    [Fact]
    public void TheTrainerNeedsTheImageSizeAndTheClassifierNeedsImageData()
    {
        var net = new Backprop.Networks.Network<double>(Backprop.Networks.NetworkSpec.Create([4, 2]));
        Assert.Contains("Elastic distortion needs the image size", Assert.Throws<ArgumentException>(() =>
            new Trainer<double>(net, new TrainingOptions { ElasticAlpha = 3 }).Fit(new Matrix<double>(3, 4), [0, 1, 0])).Message);
        Assert.Contains("images of 3x3 pixels need 9 features", Assert.Throws<ArgumentException>(() =>
            new Trainer<double>(net, new TrainingOptions { ElasticAlpha = 3, ImageSize = (3, 3) }).Fit(new Matrix<double>(3, 4), [0, 1, 0])).Message);
        Assert.Contains("Elastic distortion needs image data", Assert.Throws<ArgumentException>(() => new MlpClassifier
        {
            HiddenLayers = [4], Training = new TrainingOptions { Epochs = 1, ElasticAlpha = 3 },
        }.Fit(Backprop.Data.Builtin.BuiltinData.Load("flower").Train)).Message);
    }

    [Fact]
    public void ElasticTrainingOnTheDigitsIsReproducibleLearnsAndIsRecorded()
    {
        var digits = Backprop.Data.Builtin.BuiltinData.Load("digits").Train;
        MlpClassifier Fit(double alpha) => new MlpClassifier
        {
            HiddenLayers = [32], Seed = 2, ValidationFraction = 0.2, Precision = Precision.Float32,
            Training = new TrainingOptions { Epochs = 6, BatchSize = 32, LearningRate = 0.005, Seed = 5, ElasticSigma = 1, ElasticAlpha = alpha, ElasticRotation = 5, ElasticScale = 0.05 },
        }.Fit(digits);
        var a = Fit(1.5);
        Assert.Equal(a.Model!.ParametersAsDoubles(), Fit(1.5).Model!.ParametersAsDoubles());
        Assert.NotEqual(a.Model.ParametersAsDoubles(), Fit(0).Model!.ParametersAsDoubles());
        Assert.True(a.History[^1].Cost < a.History[0].Cost, $"cost {a.History[0].Cost} → {a.History[^1].Cost}");
        Assert.True(a.History[^1].ValidAccuracy > 0.85, $"validation accuracy {a.History[^1].ValidAccuracy:P1}");
        Assert.Contains("augment=elastic:1,1.5,5,0.05", a.Model.Metadata["training"]);
    }
}

/// <summary>Elastic distortion's results do not depend on the thread count or the register width (both process-wide settings).</summary>
[Collection(KernelSettingsCollection.Name)]
public class ElasticDistortionSettingsTests
{
    [Fact]
    public void BatchesAreBitIdenticalForOneAndTwoThreadsAndEveryRegisterWidth()
    {
        Check<float>();
        Check<double>();

        static void Check<T>() where T : unmanaged, IFloatingPointIeee754<T>
        {
            var source = new Random(3);
            var images = Enumerable.Range(0, 137 * 784).Select(_ => source.NextDouble()).ToArray();
            T[] Run(int threads, int bits)
            {
                int savedThreads = Parallelism.MaxThreads, savedBits = ManagedGemm.VectorBits;
                try
                {
                    Parallelism.MaxThreads = threads;
                    ManagedGemm.VectorBits = bits;
                    var batch = Matrix<T>.FromDoubles(137, 784, images);
                    new ElasticDistortion<T>(28, 28).DistortRows(batch, new NumPyRandom(11u));
                    return batch.Span.ToArray();
                }
                finally { Parallelism.MaxThreads = savedThreads; ManagedGemm.VectorBits = savedBits; }
            }
            var one = Run(1, ManagedGemm.DefaultVectorBits);
            Assert.Equal(one, Run(2, ManagedGemm.DefaultVectorBits));
            foreach (int bits in new[] { 512, 256, 128 }.Where(b => b <= ManagedGemm.DefaultVectorBits))
                Assert.Equal(one, Run(2, bits));
        }
    }

    [Fact]
    public void BandedProductsEqualTheInOrderFusedSumsAtEveryRegisterWidth()
    {
        var source = new Random(4);
        foreach (var (rows, inner, columns, leftBand, rightBand) in new[] { (28, 28, 28, int.MaxValue, 20), (28, 28, 28, 4, int.MaxValue), (7, 5, 40, int.MaxValue, 2), (13, 13, 9, 3, int.MaxValue), (3, 9, 3, 1, 1), (1, 1, 1, 0, 0) })
        {
            int stride = (columns + 15) / 16 * 16;
            var left = Enumerable.Range(0, rows * inner).Select(_ => (float)(source.NextDouble() * 2 - 1)).ToArray();
            var right = new float[inner * stride];
            for (int k = 0; k < inner; k++)
                for (int c = 0; c < columns; c++) right[k * stride + c] = (float)(source.NextDouble() * 2 - 1);
            var expected = new float[rows * stride];
            for (int r = 0; r < rows; r++)
                for (int c = 0; c < stride; c++)
                {
                    float sum = 0;
                    for (int k = 0; k < inner; k++)
                        if (Math.Abs(r - k) <= leftBand && Math.Abs(k - c) <= rightBand) sum = MathF.FusedMultiplyAdd(left[r * inner + k], right[k * stride + c], sum);
                    expected[r * stride + c] = sum;
                }
            // Zero the factors outside their bands, as the smoothing matrices are.
            for (int r = 0; r < rows; r++)
                for (int k = 0; k < inner; k++) if (Math.Abs(r - k) > leftBand) left[r * inner + k] = 0;
            for (int k = 0; k < inner; k++)
                for (int c = 0; c < stride; c++) if (Math.Abs(k - c) > rightBand) right[k * stride + c] = 0;
            int saved = ManagedGemm.VectorBits;
            try
            {
                foreach (int bits in new[] { 512, 256, 128 }.Where(b => b <= ManagedGemm.DefaultVectorBits))
                {
                    ManagedGemm.VectorBits = bits;
                    var output = new float[rows * stride];
                    BandedProduct.Multiply<float>(left, right, output, rows, inner, stride, leftBand, rightBand);
                    Assert.Equal(expected, output);
                }
            }
            finally { ManagedGemm.VectorBits = saved; }
        }
        Assert.Throws<ArgumentException>(() => BandedProduct.Multiply<float>(new float[4], new float[4], new float[4], 2, 2, 2, 1, 1));
    }

    [Fact]
    public void TheFloat32VectorResamplingEqualsTheScalarOne()
    {
        var source = new Random(9);
        foreach (var (h, w) in new[] { (28, 28), (8, 8), (5, 13), (3, 40) })
        {
            var padded = new float[(h + 1) * (w + 1)];
            for (int r = 0; r < h; r++)
                for (int c = 0; c < w; c++) padded[r * (w + 1) + c] = (float)source.NextDouble();
            for (int trial = 0; trial < 50; trial++)
            {
                // Points well inside, near and beyond every edge, on the last row and column exactly, and NaN.
                var rows = Enumerable.Range(0, w).Select(_ => (float)(source.NextDouble() * 6 - 3)).ToArray();
                var columns = Enumerable.Range(0, w).Select(_ => (float)(source.NextDouble() * 6 - 3)).ToArray();
                if (trial % 5 == 0) { rows[0] = float.NaN; columns[^1] = float.PositiveInfinity; }
                float y0 = (float)(source.NextDouble() * (h + 2) - 1), x0 = trial % 7 == 0 ? 0 : (float)(source.NextDouble() * 2 - 1);
                float dy = trial % 7 == 0 ? 0 : (float)(source.NextDouble() * 0.2 - 0.1), dx = trial % 7 == 0 ? 1 : (float)(0.9 + source.NextDouble() * 0.2);
                if (trial % 7 == 0) { y0 = h - 1; Array.Clear(rows); Array.Clear(columns); }
                var vector = new float[w];
                var scalar = new float[w];
                try
                {
                    Bilinear.SampleRow<float>(padded, h, w + 1, y0, dy, x0, dx, rows, columns, vector);
                    Bilinear.UseAvx2 = false;
                    Bilinear.SampleRow<float>(padded, h, w + 1, y0, dy, x0, dx, rows, columns, scalar);
                }
                finally { Bilinear.UseAvx2 = true; }
                Assert.Equal(scalar, vector);
            }
        }
    }
}
