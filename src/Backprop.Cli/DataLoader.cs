using Backprop.Data;
using Backprop.Data.Builtin;

namespace Backprop.Cli;

/// <summary>Turns a --data value (a built-in name or a file) into labelled data sets (see <see cref="DataSource"/>).</summary>
internal static class DataLoader
{
    public static BuiltinSet Load(string data, string option = "--data")
    {
        if (!DataSource.IsBuiltin(data) && !File.Exists(data))
            throw new UsageException($"{option} '{data}': neither a built-in data set ({string.Join(", ", BuiltinData.Names)}) nor an existing file.");
        return DataSource.Load(data);
    }
}
