using Backprop.Numerics;

namespace Backprop.Tests;

/// <summary>The GEMM providers the engine tests run under: the managed SIMD kernels and the plain reference loops.
/// Tests that switch provider belong to the kernel-settings collection (the provider is process-wide).</summary>
internal static class Providers
{
    public static TheoryData<string> Names() => new("managed", "reference");

    /// <summary>Runs <paramref name="body"/> with <see cref="Gemm.Provider"/> set to the named provider, then restores it.</summary>
    public static void Under(string name, Action body)
    {
        var saved = Gemm.Provider;
        try
        {
            Gemm.Provider = GemmProvider.Parse(name);
            body();
        }
        finally { Gemm.Provider = saved; }
    }
}
