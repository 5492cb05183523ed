using System.CommandLine;
using Backprop.Cli;

var root = new RootCommand("Backprop: multilayer perceptrons from scratch — train, check gradients, evaluate, inspect data, plot, report.");
foreach (var command in CommandCatalog.All())
    root.Subcommands.Add(command);
return Cli.Run(root, args);
