using System.Globalization;
using System.IO.Compression;
using System.Text;

namespace Backprop.Data.Builtin;

/// <summary>Reads the bundled UCI/scikit-learn digits file: 1797 lines of 64 pixel values and a label.</summary>
internal static class DigitsLoader
{
    private const int Features = 64;
    private const long MaxTextBytes = 16 << 20; // the real file is ~ 0.5 MB of text

    public static BuiltinSet Load(string dataDir)
    {
        var path = Path.Combine(dataDir, "digits", "digits.csv.gz");
        if (!File.Exists(path) && File.Exists(path[..^3])) path = path[..^3];
        var train = Parse(path, ReadText(path));
        return new BuiltinSet("digits", train, null,
            "Optical recognition of handwritten digits (UCI, CC BY 4.0; scikit-learn's copy): 1797 images, 8x8 row-major, pixel values 0..16 (unscaled), labels 0..9. No test split.");
    }

    private static string ReadText(string path)
    {
        using var file = File.OpenRead(path);
        Stream s = file;
        var magic = new byte[2];
        bool gz = file.Read(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
        file.Position = 0;
        if (gz) s = new GZipStream(file, CompressionMode.Decompress);
        using (s)
        {
            var buffer = new MemoryStream();
            var chunk = new byte[1 << 16];
            try
            {
                int n;
                while ((n = s.Read(chunk)) > 0)
                {
                    if (buffer.Length + n > MaxTextBytes)
                        throw new InvalidDataException($"{path}: more than {MaxTextBytes} bytes of text; the digits file is about 0.5 MB.");
                    buffer.Write(chunk, 0, n);
                }
            }
            catch (InvalidDataException e) when (gz && !e.Message.StartsWith(path, StringComparison.Ordinal))
            {
                throw new InvalidDataException($"{path}: the gzip stream is damaged: {e.Message}", e);
            }
            return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
        }
    }

    private static Dataset Parse(string path, string text)
    {
        var x = new List<double>(1797 * Features);
        var y = new List<int>(1797);
        int lineNo = 0;
        foreach (var raw in text.Split('\n'))
        {
            lineNo++;
            var line = raw.TrimEnd('\r');
            if (line.Length == 0) continue;
            var fields = line.Split(',');
            if (fields.Length != Features + 1)
                throw new InvalidDataException($"{path}: line {lineNo} has {fields.Length} fields; {Features} pixel values and a label were expected.");
            for (int j = 0; j <= Features; j++)
            {
                if (!double.TryParse(fields[j], NumberStyles.Float, CultureInfo.InvariantCulture, out var v) || !double.IsFinite(v))
                    throw new InvalidDataException($"{path}: line {lineNo}, field {j + 1}: '{Trunc(fields[j])}' is not a number.");
                if (j < Features)
                {
                    if (v < 0 || v > 16) throw new InvalidDataException($"{path}: line {lineNo}, field {j + 1}: pixel value {v}; 0..16 was expected.");
                    x.Add(v);
                }
                else
                {
                    if (v != Math.Floor(v) || v < 0 || v > 9) throw new InvalidDataException($"{path}: line {lineNo}: label {v}; a digit 0..9 was expected.");
                    y.Add((int)v);
                }
            }
        }
        if (y.Count == 0) throw new InvalidDataException($"{path}: no samples.");
        return new Dataset("digits", x.ToArray(), y.Count, Features, y.ToArray(), 10, image: new ImageShape(8, 8));
    }

    private static string Trunc(string s) => s.Length <= 20 ? s : s[..20] + "…";
}
