using System.Text.Json;
using Mcu.Bench;

// dotnet run -c Release --project tests/Mcu.Bench -- [--participants 8] [--seconds 20] [--talkers K]
//                                                    [--find-max] [--json] [--compare FILE] [--baseline]
//   N bots (our client role) join one room on loopback, each sending 640x360@30 VP8 (encoded
//   once and replayed, so the bots leave the CPU to the server; 320x180 or 160x90 when the
//   server's REMB asks for less, as browsers do) and Opus, against the server
//   started as a child process; prints per-participant received fps, the server's CPU and
//   threads, encoders running, the room clocks and server-added latency.
//   --talkers K: only the first K send a tone (the others send silence, as most people in a
//   meeting do), default all of them. --find-max raises N by 2 from --participants until a run
//   no longer holds (a bot receives < 25 fps), keeping --talkers. --json prints the figures as
//   one JSON line on stdout (of the largest N that held, with --find-max) and the text on
//   stderr. --compare FILE fails (exit 1) when the figures regressed from a line an earlier
//   --json wrote to FILE. Exit 1 also when the room did not hold; 2 on a bad argument.
//   --baseline: first runs FFmpeg's own grid pipeline for 36 (decode, scale, xstack, one VP8
//   encode, one thread) and prints the server's CPU per participant per second against it.
//   A run holds when every bot receives >= 25 fps, the audio clock ticks >= 48 times a second
//   with <= 2 % late, the server-added latency p95 is <= 40 ms and the server has < 80 threads.
BenchOptions options;
BenchFigures? baseline = null;
try
{
    options = BenchOptions.Parse(args);
    if (options.CompareFile is string file)
    {
        baseline = BenchFigures.FromJson(File.ReadAllText(file).Trim());
    }
}
catch (Exception e) when (e is ArgumentException or IOException or JsonException)
{
    Console.Error.WriteLine(e.Message);
    Console.Error.WriteLine(BenchOptions.Usage);
    return 2;
}

var human = options.Json ? Console.Error : Console.Out;
double? baselineCpuMs = options.Baseline ? await FfmpegGrid.CpuMsPerParticipantSecond(options.Seconds, human) : null;
BenchFigures figures;
if (options.FindMax)
{
    BenchFigures? first = null, best = null;
    for (int n = options.Participants; n <= 100; n += 2)
    {
        var run = await RoomBench.Run(n, options, human);
        first ??= run;
        if (!run.Holds)
        {
            break;
        }
        best = run;
    }
    human.WriteLine($"largest N that holds (>= {BenchFigures.RequiredFps} fps each, audio on time, p95 <= {BenchFigures.MaxLatencyP95Ms} ms, < {BenchFigures.MaxThreads} threads): {best?.Participants ?? 0}");
    figures = best ?? first!;
}
else
{
    figures = await RoomBench.Run(options.Participants, options, human);
}

double serverCpuMs = figures.ServerCpuPercent * 10 / figures.Participants;
human.WriteLine(baselineCpuMs is { } grid
    ? $"server CPU per participant per second: {serverCpuMs:F1} ms = {serverCpuMs / grid:F2}x the ffmpeg grid's {grid:F1} ms"
    : $"server CPU per participant per second: {serverCpuMs:F1} ms");
if (options.Json)
{
    Console.Out.WriteLine(figures.ToJsonLine());
}
int exitCode = figures.Holds ? 0 : 1;
if (baseline is not null)
{
    var regressions = BenchComparison.Regressions(figures, baseline);
    foreach (string regression in regressions)
    {
        Console.Error.WriteLine($"regressed from {options.CompareFile}: {regression}");
    }
    if (regressions.Count > 0)
    {
        exitCode = 1;
    }
    else
    {
        Console.Error.WriteLine($"no regression from {options.CompareFile}");
    }
}
return exitCode;
