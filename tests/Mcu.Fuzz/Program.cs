using Mcu.Fuzz;
using SharpFuzz;

// One fuzz target per parser (FuzzTargets.All). scripts/fuzz.sh TARGET SECONDS instruments the
// Mcu assemblies with SharpFuzz and runs AFL++ on corpus/TARGET; by hand:
//   afl-fuzz -i corpus/stun -o findings -- dotnet <instrumented>/Mcu.Fuzz.dll stun --afl
// Other modes:
//   Mcu.Fuzz TARGET --replay FILE|DIR...   run inputs once (crashes and hangs found), exit 1 on a bug
//   Mcu.Fuzz smoke [N]                      every target over N random and mutated inputs, no fuzzer
//   Mcu.Fuzz make-seeds DIR                 write the generated seeds (see SeedWriter)
//   Mcu.Fuzz TARGET                         libFuzzer, through SharpFuzz's libfuzzer-dotnet driver
string usage = $"usage: Mcu.Fuzz <{string.Join("|", FuzzTargets.All.Keys)}> [--afl | --replay PATH...] | smoke [N] | make-seeds DIR";
if (args.Length == 0)
{
    Console.Error.WriteLine(usage);
    return 2;
}
if (args[0] == "smoke")
{
    int n = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 10_000;
    foreach (var (name, runs) in Smoke.RunAll(n))
    {
        Console.WriteLine($"{name}: {runs} inputs, no crash");
    }
    return 0;
}
if (args[0] == "make-seeds" && args.Length == 2)
{
    SeedWriter.Write(args[1]);
    return 0;
}
if (!FuzzTargets.All.TryGetValue(args[0], out var target))
{
    Console.Error.WriteLine(usage);
    return 2;
}
if (args.Length > 1 && args[1] == "--afl")
{
    // A child process runs the inputs: a hang or a stack overflow there is a finding for AFL,
    // and the parent starts a new child instead of the whole fuzzer stopping.
    Fuzzer.OutOfProcess.Run(stream =>
    {
        using var memory = new MemoryStream();
        stream.CopyTo(memory);
        target(memory.ToArray());
    });
    return 0;
}
if (args.Length > 1 && args[1] == "--replay")
{
    return Replay.Run(args[0], target, args[2..]);
}
Fuzzer.LibFuzzer.Run(span => target(span.ToArray()));
return 0;
