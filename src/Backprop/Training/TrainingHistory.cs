using System.Globalization;
using System.Text;

namespace Backprop.Training;

/// <summary>One epoch (or full-batch iteration) of training.</summary>
/// <param name="Cost">Mean training cost over the epoch's batches (regularization included).</param>
/// <param name="TrainAccuracy">Accuracy on the training set after the epoch, 0..1 (null when not tracked).</param>
/// <param name="ValidAccuracy">Accuracy on the validation set after the epoch, 0..1 (null without one).</param>
/// <param name="Seconds">Wall time since training started.</param>
public sealed record EpochRecord(int Epoch, double Cost, double? TrainAccuracy, double? ValidAccuracy, double Seconds, double LearningRate);

/// <summary>The per-epoch record of a training run; writes and reads the CSV that <c>backprop plot history</c> takes.</summary>
public sealed class TrainingHistory : List<EpochRecord>
{
    public const string CsvHeader = "epoch,cost,train_accuracy,valid_accuracy,seconds,learning_rate";

    public string ToCsv()
    {
        var sb = new StringBuilder(CsvHeader).Append('\n');
        foreach (var e in this)
            sb.Append(CultureInfo.InvariantCulture, $"{e.Epoch},{e.Cost:R},{Opt(e.TrainAccuracy)},{Opt(e.ValidAccuracy)},{e.Seconds:R},{e.LearningRate:R}\n");
        return sb.ToString();
    }

    private static string Opt(double? v) => v?.ToString("R", CultureInfo.InvariantCulture) ?? "";

    /// <summary>Writes the CSV atomically (temporary file, then rename).</summary>
    public void WriteCsv(string path) => AtomicFile.WriteAllText(path, ToCsv());

    public static TrainingHistory ReadCsv(string path)
    {
        var lines = File.ReadAllLines(path);
        if (lines.Length == 0 || lines[0].Trim() != CsvHeader)
            throw new InvalidDataException($"{path}: not a training history (expected the header '{CsvHeader}').");
        var history = new TrainingHistory();
        for (int i = 1; i < lines.Length; i++)
        {
            if (lines[i].Length == 0) continue;
            var f = lines[i].Split(',');
            if (f.Length != 6) throw new InvalidDataException($"{path}: line {i + 1} has {f.Length} fields; expected 6.");
            EpochRecord record;
            try
            {
                record = new EpochRecord(int.Parse(f[0], NumberStyles.None, CultureInfo.InvariantCulture), D(f[1]), N(f[2]), N(f[3]), D(f[4]), D(f[5]));
            }
            catch (Exception e) when (e is FormatException or OverflowException)
            {
                throw new InvalidDataException($"{path}: line {i + 1} ('{lines[i]}') is not a row of numbers.");
            }
            if (record.Epoch < 1 || !double.IsFinite(record.Cost) || !double.IsFinite(record.Seconds) || !double.IsFinite(record.LearningRate)
                || record.TrainAccuracy is < 0 or > 1 or double.NaN || record.ValidAccuracy is < 0 or > 1 or double.NaN)
                throw new InvalidDataException($"{path}: line {i + 1} ('{lines[i]}'): expected an epoch ≥ 1, finite cost, seconds and learning rate, and accuracies in 0..1.");
            history.Add(record);
        }
        if (history.Count == 0) throw new InvalidDataException($"{path}: the history has no epochs (only the header).");
        return history;
    }

    private static double D(string s) => double.Parse(s, NumberStyles.Float, CultureInfo.InvariantCulture);
    private static double? N(string s) => s.Length == 0 ? null : D(s);
}
