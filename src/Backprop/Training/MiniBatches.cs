using System.Numerics;
using Backprop.Networks;
using Backprop.Numerics;

namespace Backprop.Training;

/// <summary>
/// The batch source of a mini-batch run: the order of the samples (shuffled at each epoch's start) and, batch by
/// batch, the targets and samples the network trains on. A batch is read in place (<see cref="RowSelection{T}"/>, no
/// copy) unless dropout or image augmentation needs its own rows: then they are copied, shifted, elastically distorted
/// and given fresh dropout masks, in that order. Its generators are those a <see cref="TrainingCheckpoint"/> saves:
/// shuffles (<see cref="Random"/>), dropout (seed + 1), shifts (seed + 2), elastic distortions (seed + 3).
/// <para>Allocates nothing per batch once the first batch has run (a shorter last batch takes row slices).</para>
/// </summary>
internal sealed class MiniBatches<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly Matrix<T> x;
    private readonly int[] labels;
    private readonly TrainingOptions o;
    /// <summary>Every sample's targets for a full batch; else the buffer a batch's targets are gathered into.</summary>
    private readonly Matrix<T> targets;
    private readonly ElasticDistortion<T>? elastic;
    /// <summary>A batch's copied rows, when they cannot be read in place (made by the first such batch).</summary>
    private Matrix<T>? copied;

    /// <param name="random">The shuffling generator (<see cref="Trainer{T}.Random"/>, or <c>RandomState(seed)</c>).</param>
    /// <exception cref="ArgumentException">Image augmentation without the images' size, with the wrong size, or on full batches.</exception>
    public MiniBatches(Matrix<T> x, int[] labels, int classes, NetworkSpec spec, TrainingOptions options, NumPyRandom random)
    {
        this.x = x;
        this.labels = labels;
        o = options;
        Random = random;
        int n = x.Rows;
        FullBatch = o.Optimizer == OptimizerKind.GradientDescent || o.BatchSize == 0 || o.BatchSize >= n;
        Size = FullBatch ? n : o.BatchSize;
        if (o.Dropout > 0 || o.InputDropout > 0)
            Dropout = new Dropout<T>(spec, o.Dropout, o.InputDropout, seed: (int)(((uint)o.Seed + 1) & int.MaxValue));
        if (o.AugmentsImages)
        {
            string what = ImageShift.AugmentationName(o);
            var (h, w) = o.ImageSize ?? throw new ArgumentException($"{what} needs the image size (rows and pixels per row) of the samples: set TrainingOptions.ImageSize.");
            if (h * w != x.Cols) throw new ArgumentException($"{what}: images of {h}x{w} pixels need {h * w} features; the data has {x.Cols}.");
            if (FullBatch) throw new ArgumentException($"{what} needs mini-batches (set a batch size below the training set size).");
            if (o.ShiftPixels > 0) ShiftRandom = new NumPyRandom((uint)o.Seed + 2);
            if (o.ElasticAlpha > 0)
            {
                elastic = new ElasticDistortion<T>(h, w, o.ElasticSigma, o.ElasticAlpha, o.ElasticRotation, o.ElasticScale);
                ElasticRandom = new NumPyRandom((uint)o.Seed + 3);
            }
        }
        Order = new int[n];
        for (int i = 0; i < n; i++) Order[i] = i;
        targets = FullBatch ? Targets.OneHot<T>(labels, classes, spec.Outputs) : new Matrix<T>(Size, spec.Outputs);
    }

    /// <summary>One batch: samples <see cref="Start"/> .. <see cref="Start"/> + <see cref="Count"/> − 1 of the epoch's order,
    /// read in place (<see cref="InPlace"/>) or from a matrix (<see cref="Samples"/>: the training set for a full batch, else
    /// the copied rows), with their targets and the dropout whose masks were drawn for them.</summary>
    public readonly record struct Batch(int Start, int Count, Matrix<T>? Samples, RowSelection<T> InPlace, Matrix<T> Targets, Dropout<T>? Dropout)
    {
        /// <summary>The network's cost on the batch, and its gradient into <see cref="Network{T}.Gradient"/>.</summary>
        public double CostAndGradient(Network<T> network, double lambda) => Samples is null
            ? network.CostAndGradient(InPlace, Targets, lambda)
            : network.CostAndGradient(Samples, Targets, lambda, Dropout);
    }

    /// <summary>One batch of the whole training set, no shuffling: gradient descent, a batch size of 0 or of at least every sample.</summary>
    public bool FullBatch { get; }
    /// <summary>Samples per batch (the last one of an epoch may have fewer).</summary>
    public int Size { get; }
    /// <summary>The training samples an epoch goes through.</summary>
    public int Samples => x.Rows;
    /// <summary>The epoch's order of the samples (a checkpoint saves it).</summary>
    public int[] Order { get; }
    public NumPyRandom Random { get; }
    public Dropout<T>? Dropout { get; }
    public NumPyRandom? ShiftRandom { get; }
    public NumPyRandom? ElasticRandom { get; }

    /// <summary>Shuffles <see cref="Order"/> for the next epoch (from the identity again with <see cref="ShuffleOrder.FromIdentity"/>), when the options shuffle.</summary>
    public void Shuffle()
    {
        if (!o.Shuffle || FullBatch) return;
        if (o.ShuffleOrder == ShuffleOrder.FromIdentity)
            for (int i = 0; i < Order.Length; i++) Order[i] = i;
        Random.Shuffle<int>(Order);
    }

    /// <summary>The batch that starts at <paramref name="start"/> in <see cref="Order"/>; draws its shifts, distortions and dropout masks.</summary>
    public Batch Take(int start)
    {
        int count = Math.Min(Size, Samples - start);
        if (FullBatch)
        {
            Dropout?.Draw(count);
            return new Batch(start, count, x, default, targets, Dropout);
        }
        var yb = count == Size ? targets : targets.RowSlice(0, count);
        Targets.Gather(labels, Order, start, yb);
        if (Dropout is null && !o.AugmentsImages)
            return new Batch(start, count, null, new RowSelection<T>(x, Order, start, count), yb, null);
        copied ??= new Matrix<T>(Size, x.Cols);
        var xb = count == Size ? copied : copied.RowSlice(0, count);
        if (ShiftRandom is not null)
            ImageShift.CopyShifted(x, Order, start, xb, o.ImageSize!.Value.Height, o.ImageSize.Value.Width, o.ShiftPixels, ShiftRandom);
        else new RowSelection<T>(x, Order, start, count).CopyTo(xb);
        elastic?.DistortRows(xb, ElasticRandom!);
        Dropout?.Draw(count);
        return new Batch(start, count, xb, default, yb, Dropout);
    }
}
