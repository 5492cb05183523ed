using System.CommandLine;

namespace Backprop.Cli;

/// <summary>Every command of the tool, in the order `backprop --help` lists them.</summary>
internal static class CommandCatalog
{
    public static IEnumerable<Command> All()
    {
        yield return Commands.TrainCommand.Create();
        yield return Commands.SweepCommand.Create();
        yield return Commands.CompareCommand.Create();
        yield return Commands.VerifyCommand.Create();
        yield return Commands.GradcheckCommand.Create();
        yield return Commands.EvaluateCommand.Create();
        yield return Commands.PredictCommand.Create();
        yield return Commands.ExportCommand.Create();
        yield return Commands.ExportDataCommand.Create();
        yield return Commands.ImportCommand.Create();
        yield return Commands.InspectCommand.Create();
        yield return Commands.PlotCommand.Create();
        yield return Commands.ReportCommand.Create();
        yield return Commands.BenchCommand.Create();
        yield return Commands.ServeCommand.Create();
        yield return Commands.ExampleCommand.Create();
        yield return Commands.PlaygroundCommand.Create();
    }
}
