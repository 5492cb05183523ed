using Backprop.Data.Formats;

namespace Backprop.Data.Builtin;

/// <summary>
/// The data sets that come with Backprop: <c>mnist</c> (60000 training and 10000 test images, 28x28,
/// pixels 0..255), <c>digits</c> (1797 images, 8x8, pixels 0..16), and the generated 2-D sets
/// <c>flower</c> (2 classes, 400 points) and <c>spiral</c> (3 classes, 300 points), and the course's
/// <c>ex4data1</c> (also called <c>ex3data1</c>: 5000 20x20 digits rebuilt from MNIST by <see cref="Ex4Data"/>).
/// </summary>
/// <remarks>
/// Pixel values are returned as stored (not scaled to [0, 1]); scale them in preprocessing.
/// Images are row-major (<see cref="ImageShape.ColumnMajor"/> false) except ex4data1's, which are in MATLAB's
/// column order as in the course's file. Labels are the digits 0..9 (ex4data1's file labels 1..10, 10 meaning 0,
/// are mapped to the digits as reading the .mat file does).
/// </remarks>
public static class BuiltinData
{
    /// <summary>Environment variable that points at the data folder.</summary>
    public const string EnvironmentVariable = "BACKPROP_DATA";

    /// <summary>The names <see cref="Load"/> accepts.</summary>
    public static IReadOnlyList<string> Names { get; } = ["mnist", "digits", "flower", "spiral", "ex4data1", "ex3data1"];

    /// <summary>The built-in weight files: the course's trained 400-25-10 network (Theta1, Theta2).</summary>
    public static IReadOnlyList<string> WeightNames { get; } = ["ex4weights"];

    /// <summary>The path of a built-in weight file (<see cref="WeightNames"/>; ex3weights is the same file).</summary>
    /// <exception cref="ArgumentException">Not a built-in weight file's name.</exception>
    public static string WeightsPath(string name, BuiltinOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(name);
        string key = name.Trim().ToLowerInvariant();
        if (key is not ("ex4weights" or "ex3weights"))
            throw new ArgumentException($"Unknown built-in weights '{name}'. Known: {string.Join(", ", WeightNames)}.", nameof(name));
        return Path.Combine(FindDataDirectory(options, "coursera"), "coursera", "ex4weights.mat");
    }

    /// <summary>True when <paramref name="name"/> names built-in weights (ex4weights, or ex3weights, the same file).</summary>
    public static bool IsWeights(string name) => name.Trim().ToLowerInvariant() is "ex4weights" or "ex3weights";

    /// <summary>Loads a built-in data set by name (case-insensitive).</summary>
    /// <exception cref="ArgumentException">The name is not one of <see cref="Names"/>.</exception>
    /// <exception cref="DirectoryNotFoundException">The set needs files and no data folder was found.</exception>
    public static BuiltinSet Load(string name, BuiltinOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(name);
        options ??= new BuiltinOptions();
        switch (name.Trim().ToLowerInvariant())
        {
            case "mnist": return MnistLoader.Load(FindDataDirectory(options, "mnist"));
            case "digits": return DigitsLoader.Load(FindDataDirectory(options, "digits"));
            case "flower":
            {
                int seed = options.Seed ?? 1;
                return new BuiltinSet("flower", PlanarData.Flower(seed), null,
                    $"Planar 'flower': 400 points in 2-D, 2 classes on the petals of r = 4 sin 4t, numpy seed {seed} (the deep-learning course's load_planar_dataset).");
            }
            case "ex4data1" or "ex3data1":
            {
                var (x, y) = Ex4Data.Build(FindDataDirectory(options, "mnist"));
                return new BuiltinSet("ex4data1", Ex4Data.ToDataset("ex4data1", x, y), null,
                    "The course's ex4data1.mat (= ex3data1): 5000 20x20 digits, 500 per digit, the first of each digit in MNIST's training set, " +
                    "resized by MATLAB's bicubic imresize, column-major; labels 1..10 in the file with 10 meaning 0.");
            }
            case "spiral":
            {
                int seed = options.Seed ?? 0;
                return new BuiltinSet("spiral", PlanarData.Spiral(seed), null,
                    $"Three-arm spiral: 300 points in 2-D, 3 classes, numpy seed {seed} (the CS231n case study).");
            }
            default:
                throw new ArgumentException($"Unknown built-in data set '{name}'. Known: {string.Join(", ", Names)}.", nameof(name));
        }
    }

    /// <summary>
    /// The data folder that holds <paramref name="subfolder"/> (e.g. "mnist"), searched as described on
    /// <see cref="BuiltinOptions.DataDirectory"/>; an explicit folder or environment variable is used as given.
    /// </summary>
    public static string FindDataDirectory(BuiltinOptions? options = null, string subfolder = "mnist")
    {
        if (options?.DataDirectory is { } explicitDir)
            return RequireFolder(explicitDir, subfolder, "BuiltinOptions.DataDirectory");
        if (Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } env)
            return RequireFolder(env, subfolder, $"the environment variable {EnvironmentVariable}");

        var tried = new List<string>();
        var besideBinaries = Path.Combine(AppContext.BaseDirectory, "data");
        tried.Add(besideBinaries);
        if (Directory.Exists(Path.Combine(besideBinaries, subfolder))) return besideBinaries;
        foreach (var start in new[] { AppContext.BaseDirectory, Directory.GetCurrentDirectory() })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, "data");
                if (Directory.Exists(Path.Combine(candidate, subfolder))) return candidate;
            }
            tried.Add($"every data/ above {start}");
        }
        throw new DirectoryNotFoundException(
            $"No data folder with '{subfolder}/' found (looked in {string.Join("; ", tried)}). Set {EnvironmentVariable} or BuiltinOptions.DataDirectory to the folder that holds {subfolder}/.");
    }

    private static string RequireFolder(string dir, string subfolder, string source)
    {
        if (!Directory.Exists(Path.Combine(dir, subfolder)))
            throw new DirectoryNotFoundException($"The data folder '{dir}' (from {source}) has no '{subfolder}' folder.");
        return dir;
    }

    /// <summary>MNIST's training images and labels as stored (from the folder holding its idx files).</summary>
    internal static (byte[] Pixels, byte[] Labels, int Height, int Width) ReadMnistTraining(string mnistDirectory) =>
        MnistLoader.ReadRaw(mnistDirectory, "train");

    /// <summary>Reads MNIST from its four idx files.</summary>
    private static class MnistLoader
    {
        public static BuiltinSet Load(string dataDir)
        {
            var dir = Path.Combine(dataDir, "mnist");
            var train = Read(dir, "train", "mnist-train");
            var test = Read(dir, "t10k", "mnist-test");
            return new BuiltinSet("mnist", train, test,
                "MNIST handwritten digits (Yann LeCun, Corinna Cortes, Christopher J.C. Burges; CC BY-SA 3.0): " +
                "60000 training and 10000 test images, 28x28 row-major, pixel values 0..255 (unscaled), labels 0..9.");
        }

        private static Dataset Read(string dir, string prefix, string name)
        {
            var (pixels, ints, h, w) = ReadRaw(dir, prefix);
            var labels = new int[ints.Length];
            for (int i = 0; i < labels.Length; i++) labels[i] = ints[i];
            return new Dataset(name, ToDoubles(pixels), labels.Length, h * w, labels, 10, image: new ImageShape(h, w));
        }

        /// <summary>Pixels (N x h x w bytes), labels (checked 0..9) and the image size of MNIST's "train" or "t10k" files.</summary>
        public static (byte[] Pixels, byte[] Labels, int Height, int Width) ReadRaw(string dir, string prefix)
        {
            var imagesPath = Path.Combine(dir, prefix + "-images-idx3-ubyte.gz");
            var labelsPath = Path.Combine(dir, prefix + "-labels-idx1-ubyte.gz");
            if (!File.Exists(imagesPath)) imagesPath = imagesPath[..^3];
            if (!File.Exists(labelsPath)) labelsPath = labelsPath[..^3];
            var images = IdxFile.Read(imagesPath);
            var labels = IdxFile.Read(labelsPath);
            if (images.Data is not byte[] pixels || images.Shape.Length != 3)
                throw new InvalidDataException($"{imagesPath}: {images.ClassName} {images.ShapeText}; uint8 images N x rows x cols were expected.");
            if (labels.Data is not byte[] y || labels.Shape.Length != 1)
                throw new InvalidDataException($"{labelsPath}: {labels.ClassName} {labels.ShapeText}; a uint8 vector of labels was expected.");
            if (y.Length != images.Shape[0])
                throw new InvalidDataException($"{labelsPath}: {y.Length} labels for the {images.Shape[0]} images of {imagesPath}.");
            for (int i = 0; i < y.Length; i++)
                if (y[i] > 9) throw new InvalidDataException($"{labelsPath}: label {y[i]} of sample {i} (offset {8 + i}); digits 0..9 were expected.");
            return (pixels, y, images.Shape[1], images.Shape[2]);
        }

        // 47 million pixels: compile optimised at once rather than spending the first call in tier-0 code
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
        private static double[] ToDoubles(byte[] pixels)
        {
            var x = new double[pixels.Length];
            for (int i = 0; i < x.Length; i++) x[i] = pixels[i];
            return x;
        }
    }
}
