namespace Backprop.Plots;

/// <summary>How image figures (digit grids, single images, hidden units, galleries) are drawn.</summary>
public sealed record ImageOptions
{
    /// <summary>
    /// Read each sample's pixels column by column (MATLAB / ex4) instead of row by row (MNIST). Null: as the data's
    /// <see cref="Backprop.Data.ImageShape.ColumnMajor"/> says. Reading ex4's column-major digits row by row shows them
    /// transposed — the course's "why does it look weird" picture.
    /// </summary>
    public bool? ColumnMajor { get; init; }

    /// <summary>Figure pixels per image pixel (null: tiles about 56 pixels across).</summary>
    public int? Scale { get; init; }

    /// <summary>Tiles per row (null: a square-ish grid).</summary>
    public int? Columns { get; init; }

    /// <summary>How each tile's values become gray levels.</summary>
    public GrayScaling Scaling { get; init; } = GrayScaling.Auto;

    /// <summary>Title above the grid (null: none).</summary>
    public string? Title { get; init; }

    /// <summary>How many random samples a digit grid shows when no samples are chosen (ex4: 100).</summary>
    public int Count { get; init; } = 100;

    /// <summary>Seed of the random choice of samples (NumPy's RandomState permutation).</summary>
    public int Seed { get; init; }
}
