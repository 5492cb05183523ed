namespace Backprop.Data.Builtin;

/// <summary>A built-in data set: its training part, its test part when it has one, and what it is.</summary>
public sealed record BuiltinSet(string Name, Dataset Train, Dataset? Test, string Description);

/// <summary>Options for <see cref="BuiltinData.Load"/>.</summary>
public sealed record BuiltinOptions
{
    /// <summary>
    /// The folder holding <c>mnist/</c> and <c>digits/</c>. When null: the environment variable
    /// <c>BACKPROP_DATA</c>, then <c>data/</c> next to the binaries, then the first <c>data/</c> with a
    /// <c>mnist</c> folder found walking up from the binaries and from the current directory.
    /// </summary>
    public string? DataDirectory { get; init; }

    /// <summary>Seed of the generated sets (flower: default 1, spiral: default 0, as in the originals).</summary>
    public int? Seed { get; init; }
}
