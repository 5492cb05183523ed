using BenchmarkDotNet.Running;

BenchmarkSwitcher.FromAssembly(typeof(Backprop.Benchmarks.GemmBenchmarks).Assembly).Run(args);
