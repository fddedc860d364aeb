using BenchmarkDotNet.Running;

// Run with: dotnet run -c Release --project tests/Mcu.Benchmarks -- --filter '*'
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
