using Mcu.Fuzz;
using SharpFuzz;

// Fuzz one target with libFuzzer (through SharpFuzz's libfuzzer-dotnet driver) or AFL:
//   dotnet build -c Release tests/Mcu.Fuzz && sharpfuzz tests/Mcu.Fuzz/bin/Release/net10.0/Mcu.Rtc.dll
//   libfuzzer-dotnet --target_path=tests/Mcu.Fuzz/bin/Release/net10.0/Mcu.Fuzz stun        (libFuzzer)
//   afl-fuzz -i corpus -o findings -- dotnet tests/Mcu.Fuzz/bin/Release/net10.0/Mcu.Fuzz.dll stun --afl
// Without a fuzzer: `Mcu.Fuzz smoke [N]` runs every target over N random and mutated inputs.
if (args.Length == 0 || (args[0] != "smoke" && !FuzzTargets.All.ContainsKey(args[0])))
{
    Console.Error.WriteLine($"usage: Mcu.Fuzz <{string.Join("|", FuzzTargets.All.Keys)}> [--afl] | smoke [N]");
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
var target = FuzzTargets.All[args[0]];
if (args.Contains("--afl"))
{
    Fuzzer.OutOfProcess.Run(stream =>
    {
        using var memory = new MemoryStream();
        stream.CopyTo(memory);
        target(memory.ToArray());
    });
}
else
{
    Fuzzer.LibFuzzer.Run(span => target(span.ToArray()));
}
return 0;
