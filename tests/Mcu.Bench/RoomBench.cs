using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using Mcu.Testing;

namespace Mcu.Bench;

/// <summary>
/// One run: the server as a child process, a room made through the API, N bots joined over WHIP,
/// a warm-up, then a measuring window whose figures come from the bots (received frames), the
/// process (CPU time, threads) and the room's stats endpoint (clock ticks, latency).
/// </summary>
internal static class RoomBench
{
    private const string AdminKey = "bench-admin-key";
    private static readonly TimeSpan WarmUp = TimeSpan.FromSeconds(3);
    private static readonly TimeSpan ThreadSampleInterval = TimeSpan.FromMilliseconds(250);

    public static async Task<BenchFigures> Run(int participants, BenchOptions options, TextWriter human)
    {
        int talkers = options.TalkersIn(participants);
        int port = FreeTcpPort();
        using var server = StartServer(port);
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", AdminKey);
        await WaitHealthy(http, server);
        // A room made for the count (a room a join makes holds the default 25).
        using (var created = await http.PostAsJsonAsync("/api/rooms", new { name = "bench", maxParticipants = Math.Max(25, participants) }))
        {
            created.EnsureSuccessStatusCode();
        }

        var bots = new List<ParticipantBot>();
        try
        {
            for (int i = 0; i < participants; i++)
            {
                var colour = ((byte)(40 + 25 * i % 200), (byte)(200 - 20 * i % 160), (byte)(60 + 30 * i % 180));
                bots.Add(await ParticipantBot.JoinAsync(http, new Uri(http.BaseAddress!, $"/api/rooms/bench/whip?name=bot{i}"),
                    new BotOptions { Name = $"bot{i}", Colour = colour, ToneHz = i < talkers ? 300 + 100 * i : null, DecodeVideo = false, ReplayEncodedFrames = true, HonourRemb = true, BearerToken = AdminKey }));
            }
            await Task.Delay(WarmUp); // keyframes, layout settles

            var statsBefore = await RoomStats(http);
            var framesBefore = bots.Select(b => b.VideoFramesReceived).ToArray();
            var cpuBefore = CpuTime(server);
            using var stopSampling = new CancellationTokenSource();
            var maxThreads = MaxThreads(server, stopSampling.Token);
            var wall = Stopwatch.StartNew();
            await Task.Delay(TimeSpan.FromSeconds(options.Seconds));
            double seconds = wall.Elapsed.TotalSeconds;
            var cpu = CpuTime(server) - cpuBefore;
            var fps = bots.Select((b, i) => (b.VideoFramesReceived - framesBefore[i]) / seconds).ToArray();
            await stopSampling.CancelAsync();
            int threads = await maxThreads;
            var stats = await RoomStats(http);

            var figures = new BenchFigures(
                Participants: participants,
                Talkers: talkers,
                Seconds: Math.Round(seconds, 2),
                MinFps: Math.Round(fps.Min(), 2),
                MeanFps: Math.Round(fps.Average(), 2),
                ServerCpuPercent: Math.Round(cpu.TotalSeconds / seconds * 100, 1),
                AudioTicks: stats.AudioTicks - statsBefore.AudioTicks,
                AudioLateTicks: stats.AudioLateTicks - statsBefore.AudioLateTicks,
                VideoTicks: stats.VideoTicks - statsBefore.VideoTicks,
                VideoLateTicks: stats.VideoLateTicks - statsBefore.VideoLateTicks,
                LatencyP50Ms: stats.LatencyP50Ms,
                LatencyP95Ms: stats.LatencyP95Ms,
                ServerThreads: threads);

            human.WriteLine($"participants: {participants} at 640x360@30 VP8 + Opus ({talkers} of them talking), {options.Seconds} s on loopback");
            human.WriteLine($"received fps per participant: {string.Join(" ", fps.Select(f => f.ToString("F1", CultureInfo.InvariantCulture)))}");
            human.WriteLine($"received fps min/mean: {fps.Min():F1} / {fps.Average():F1}");
            human.WriteLine($"server CPU: {figures.ServerCpuPercent:F0} % of one core ({Environment.ProcessorCount} cores), threads: {threads} at most");
            human.WriteLine($"video encoders: {stats.VideoEncoders}, audio encodes per tick: {stats.AudioEncodes}");
            human.WriteLine($"server-added latency p50/p95: {figures.LatencyP50Ms} / {figures.LatencyP95Ms} ms");
            human.WriteLine($"room clocks in the window: audio {figures.AudioTicks} ticks, {figures.AudioLateTicks} late; video {figures.VideoTicks} ticks, {figures.VideoLateTicks} late");
            human.WriteLine($"holds (every participant >= {BenchFigures.RequiredFps} fps, audio clock on time, p95 <= {BenchFigures.MaxLatencyP95Ms} ms, < {BenchFigures.MaxThreads} threads): {(figures.Holds ? "yes" : "NO")}");
            return figures;
        }
        finally
        {
            foreach (var bot in bots)
            {
                await bot.DisposeAsync();
            }
            server.Kill(entireProcessTree: true);
        }
    }

    private sealed record RoomStatsSample(
        long AudioTicks, long AudioLateTicks, long VideoTicks, long VideoLateTicks,
        long? LatencyP50Ms, long? LatencyP95Ms, string VideoEncoders, string AudioEncodes);

    /// <summary>The room's <c>/stats</c>: its clocks count from the room's start, so a window is the difference of two.</summary>
    private static async Task<RoomStatsSample> RoomStats(HttpClient http)
    {
        var stats = await http.GetFromJsonAsync<JsonElement>("/api/rooms/bench/stats");
        var audio = stats.GetProperty("audioClock");
        var video = stats.GetProperty("videoClock");
        return new RoomStatsSample(
            audio.GetProperty("ticks").GetInt64(), audio.GetProperty("late").GetInt64(),
            video.GetProperty("ticks").GetInt64(), video.GetProperty("late").GetInt64(),
            Milliseconds(stats.GetProperty("latencyMsP50")), Milliseconds(stats.GetProperty("latencyMsP95")),
            stats.GetProperty("videoEncoders").ToString(), stats.GetProperty("audioEncodes").ToString());
    }

    private static long? Milliseconds(JsonElement value) => value.ValueKind == JsonValueKind.Null ? null : value.GetInt64();

    /// <summary>Samples the server's thread count until cancelled, and once more then; returns the most seen.</summary>
    private static async Task<int> MaxThreads(Process server, CancellationToken stop)
    {
        int max = ThreadCount(server);
        using var timer = new PeriodicTimer(ThreadSampleInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(stop))
            {
                max = Math.Max(max, ThreadCount(server));
            }
        }
        catch (OperationCanceledException)
        {
        }
        return Math.Max(max, ThreadCount(server));
    }

    /// <summary>The process's threads now: the <c>Threads:</c> line of /proc/PID/status on Linux (one read, no per-thread objects).</summary>
    private static int ThreadCount(Process process)
    {
        string status = $"/proc/{process.Id}/status";
        if (File.Exists(status))
        {
            foreach (string line in File.ReadLines(status))
            {
                if (line.StartsWith("Threads:", StringComparison.Ordinal))
                {
                    return int.Parse(line.AsSpan("Threads:".Length).Trim(), CultureInfo.InvariantCulture);
                }
            }
        }
        process.Refresh();
        return process.Threads.Count;
    }

    private static Process StartServer(int port)
    {
        // `dotnet Mcu.Server.dll` runs the server inside the dotnet host's own process, so its CPU
        // time and threads are the server's.
        string dll = Path.Combine(AppContext.BaseDirectory, "Mcu.Server.dll");
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = AppContext.BaseDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var arg in new[] { dll, "--urls", $"http://127.0.0.1:{port}", "--Mcu:UdpBind=127.0.0.1", "--Mcu:UdpPort=0",
                     $"--Mcu:AdminKey={AdminKey}", "--Logging:LogLevel:Default=Warning", "--Mcu:RecordingsPath=" + Path.GetTempPath() })
        {
            start.ArgumentList.Add(arg);
        }
        var process = Process.Start(start) ?? throw new InvalidOperationException("could not start the server");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) Console.Error.WriteLine("server: " + e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static async Task WaitHealthy(HttpClient http, Process server)
    {
        for (int i = 0; i < 100; i++)
        {
            if (server.HasExited)
            {
                throw new InvalidOperationException($"the server exited with {server.ExitCode}");
            }
            try
            {
                using var response = await http.GetAsync("/healthz");
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }
            await Task.Delay(200);
        }
        throw new TimeoutException("the server did not become healthy");
    }

    private static TimeSpan CpuTime(Process process)
    {
        process.Refresh();
        return process.TotalProcessorTime;
    }

    private static int FreeTcpPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
