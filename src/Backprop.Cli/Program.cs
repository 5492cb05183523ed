using System.CommandLine;
using Backprop.Cli;

var root = new RootCommand("Backprop: multilayer perceptrons from scratch — train (presets of the seed experiments), sweep, compare with the seeds, verify the course checkpoints, check gradients, evaluate, predict, export (ONNX, MATLAB, scikit-learn, PyTorch), import weights, inspect data, plot, report, serve the draw-a-digit page.");
foreach (var command in CommandCatalog.All())
    root.Subcommands.Add(command);
return Cli.Run(root, args);
