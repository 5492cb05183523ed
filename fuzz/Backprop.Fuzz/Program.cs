using Backprop.Fuzz;
using SharpFuzz;

// backprop-fuzz TARGET            run under afl-fuzz (persistent mode, input on stdin)
// backprop-fuzz TARGET FILE...    replay files once each, printing what each gets: run this from the
//                                  uninstrumented build (dotnet run --project fuzz/Backprop.Fuzz -- TARGET FILE...)
if (args.Length == 0 || !FuzzTargets.Names.Contains(args[0]))
{
    Console.Error.WriteLine($"usage: Backprop.Fuzz TARGET [FILE...]; TARGET is one of {string.Join(", ", FuzzTargets.Names)}");
    return 2;
}
string target = args[0];
string scratch = Path.Combine(Environment.GetEnvironmentVariable("FUZZ_SCRATCH") ?? Path.GetTempPath(), $"backprop-fuzz-{Environment.ProcessId}");
Directory.CreateDirectory(scratch);
if (args.Length > 1)
{
    foreach (var file in args.Skip(1))
        Console.WriteLine($"{file}: {FuzzTargets.Run(target, File.ReadAllBytes(file), scratch)}");
    return 0;
}
Fuzzer.Run(stream =>
{
    using var copy = new MemoryStream();
    stream.CopyTo(copy);
    FuzzTargets.Run(target, copy.ToArray(), scratch);
});
return 0;
