namespace Backprop.Tests;

/// <summary>
/// Tests that change process-wide settings (vector width, thread count, GEMM provider) belong to this collection:
/// its tests run alone, one at a time.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class KernelSettingsCollection
{
    public const string Name = "kernel settings";
}
