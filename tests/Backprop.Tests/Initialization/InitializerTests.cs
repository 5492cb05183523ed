using Backprop.Initialization;
using Backprop.Layers;
using Backprop.Networks;

namespace Backprop.Tests.Initialization;

/// <summary>Seeded initial weights equal those the seeds' NumPy / scikit-learn code draws (Fixtures/engine/make_init_fixtures.py).</summary>
public class InitializerTests
{
    [Theory]
    [InlineData("glorot-relu", "glorot", Activation.Relu, Activation.Softmax)]
    [InlineData("glorot-logistic", "glorot", Activation.Sigmoid, Activation.Softmax)]
    [InlineData("cs231n", "normal:0.01@inout", Activation.Relu, Activation.Softmax)]
    [InlineData("ng-planar", "normal:0.01@outin", Activation.Tanh, Activation.Softmax)]
    [InlineData("raschka", "normal:0.1@inout", Activation.Sigmoid, Activation.Sigmoid)]
    [InlineData("ex4", "ex4", Activation.Sigmoid, Activation.Sigmoid)]
    public void WeightsEqualTheNumpyDraws(string name, string init, Activation hidden, Activation output)
    {
        var c = Fixture.Json("engine", "init.json").GetProperty(name);
        var net = new Network<double>(NetworkSpec.Create(c.GetProperty("sizes").Ints(), hidden, output));
        Initializer.Parse(init).Initialize(net, c.GetProperty("seed").GetInt32());
        int l = 0;
        foreach (var layer in c.GetProperty("layers").EnumerateArray())
        {
            var w = layer.GetProperty("W").EnumerateArray().Select(r => r.Doubles()).ToArray();
            var b = layer.GetProperty("b").Doubles();
            for (int j = 0; j < w.Length; j++)
            {
                for (int i = 0; i < w[j].Length; i++)
                    Fixture.AssertClose(w[j][i], net.Layers[l].Weights[j, i], 1e-15, $"{name} layer {l + 1} W[{j},{i}]");
                Fixture.AssertClose(b[j], net.Layers[l].Bias.Span[j], 1e-15, $"{name} layer {l + 1} b[{j}]");
            }
            l++;
        }
    }

    [Fact]
    public void SameSeedSameWeightsDifferentSeedDifferentWeights()
    {
        var spec = NetworkSpec.Create([10, 8, 3]);
        var a = new Network<float>(spec); var b = new Network<float>(spec); var c = new Network<float>(spec);
        Initializer.Glorot().Initialize(a, 5); Initializer.Glorot().Initialize(b, 5); Initializer.Glorot().Initialize(c, 6);
        Assert.Equal(a.Parameters, b.Parameters);
        Assert.NotEqual(a.Parameters, c.Parameters);
    }

    [Fact]
    public void HeAndUniformFanHaveTheDocumentedScale()
    {
        var net = new Network<double>(NetworkSpec.Create([400, 300, 10], Activation.Relu, Activation.Softmax));
        Initializer.He().Initialize(net, 1);
        var w = net.Layers[0].Weights.Span.ToArray();
        double std = Math.Sqrt(w.Select(v => v * v).Average());
        Assert.InRange(std, Math.Sqrt(2.0 / 400) * 0.98, Math.Sqrt(2.0 / 400) * 1.02);
        Assert.All(net.Layers[0].Bias.ToArray(), v => Assert.Equal(0, v));
        Initializer.UniformFan().Initialize(net, 1);
        double eps = Math.Sqrt(6.0) / Math.Sqrt(700);
        Assert.All(net.Layers[0].Weights.Span.ToArray(), v => Assert.InRange(v, -eps, eps));
        Assert.True(net.Layers[0].Weights.Span.ToArray().Max() > eps * 0.99);
    }

    [Theory]
    [InlineData("bogus")]
    [InlineData("normal:-1")]
    [InlineData("uniform:abc")]
    [InlineData("he@sideways")]
    public void BadInitializerNamesAreRejected(string text) =>
        Assert.Throws<ArgumentException>(() => Initializer.Parse(text));
}
