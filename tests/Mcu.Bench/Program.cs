using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using Mcu.Testing;

// dotnet run -c Release --project tests/Mcu.Bench -- [--participants 8] [--seconds 20] [--talkers K] [--find-max]
//   N bots (our client role) join one room on loopback, each sending 640x360@30 VP8 (encoded
//   once and replayed, so the bots leave the CPU to the server) and Opus,
//   against the server started as a child process; prints per-participant received fps, the
//   server's CPU, encoders running and server-added latency. --find-max raises N until a bot
//   receives < 25 fps. --talkers K: only the first K send a tone (the others send silence, as
//   most people in a meeting do), default all of them.
var options = BenchOptions.Parse(args);
if (options.FindMax)
{
    int best = 0;
    for (int n = options.Participants; n <= 100; n += 2)
    {
        var result = await Bench.Run(options with { Participants = n });
        if (result.MinFps < 25)
        {
            break;
        }
        best = n;
    }
    Console.WriteLine($"largest N with every participant receiving >= 25 fps: {best}");
    return;
}
var single = await Bench.Run(options);
Environment.ExitCode = single.MinFps >= 25 ? 0 : 1;

internal sealed record BenchOptions(int Participants = 8, int Seconds = 20, bool FindMax = false, int? Talkers = null)
{
    public static BenchOptions Parse(string[] args)
    {
        var o = new BenchOptions();
        for (int i = 0; i < args.Length; i++)
        {
            o = args[i] switch
            {
                "--participants" => o with { Participants = int.Parse(args[++i], CultureInfo.InvariantCulture) },
                "--seconds" => o with { Seconds = int.Parse(args[++i], CultureInfo.InvariantCulture) },
                "--find-max" => o with { FindMax = true },
                "--talkers" => o with { Talkers = int.Parse(args[++i], CultureInfo.InvariantCulture) },
                _ => throw new ArgumentException($"unknown argument {args[i]}"),
            };
        }
        return o;
    }
}

internal sealed record BenchResult(double MinFps, double MeanFps);

internal static class Bench
{
    private const string AdminKey = "bench-admin-key";

    public static async Task<BenchResult> Run(BenchOptions options)
    {
        int port = FreeTcpPort();
        using var server = StartServer(port);
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", AdminKey);
        await WaitHealthy(http, server);
        // A room made for the count (a room a join makes holds the default 25).
        using (var created = await http.PostAsJsonAsync("/api/rooms", new { name = "bench", maxParticipants = Math.Max(25, options.Participants) }))
        {
            created.EnsureSuccessStatusCode();
        }

        var bots = new List<ParticipantBot>();
        try
        {
            for (int i = 0; i < options.Participants; i++)
            {
                var colour = ((byte)(40 + 25 * i % 200), (byte)(200 - 20 * i % 160), (byte)(60 + 30 * i % 180));
                bots.Add(await ParticipantBot.JoinAsync(http, new Uri(http.BaseAddress!, $"/api/rooms/bench/whip?name=bot{i}"),
                    new BotOptions { Name = $"bot{i}", Colour = colour, ToneHz = i < (options.Talkers ?? options.Participants) ? 300 + 100 * i : null, DecodeVideo = false, ReplayEncodedFrames = true, BearerToken = AdminKey }));
            }
            await Task.Delay(TimeSpan.FromSeconds(3)); // warm up: keyframes, layout settles

            var framesBefore = bots.Select(b => b.VideoFramesReceived).ToArray();
            var cpuBefore = CpuTime(server);
            var wall = Stopwatch.StartNew();
            await Task.Delay(TimeSpan.FromSeconds(options.Seconds));
            double seconds = wall.Elapsed.TotalSeconds;
            double cpuPercent = (CpuTime(server) - cpuBefore).TotalSeconds / seconds * 100;
            var fps = bots.Select((b, i) => (b.VideoFramesReceived - framesBefore[i]) / seconds).ToArray();

            var stats = await http.GetFromJsonAsync<JsonElement>("/api/rooms/bench/stats");
            Console.WriteLine($"participants: {options.Participants} at 640x360@30 VP8 + Opus ({options.Talkers ?? options.Participants} of them talking), {options.Seconds} s on loopback");
            Console.WriteLine($"received fps per participant: {string.Join(" ", fps.Select(f => f.ToString("F1", CultureInfo.InvariantCulture)))}");
            Console.WriteLine($"received fps min/mean: {fps.Min():F1} / {fps.Average():F1}");
            Console.WriteLine($"server CPU: {cpuPercent:F0} % of one core ({Environment.ProcessorCount} cores)");
            Console.WriteLine($"video encoders: {stats.GetProperty("videoEncoders")}, audio encodes per tick: {stats.GetProperty("audioEncodes")}");
            Console.WriteLine($"server-added latency p50/p95: {stats.GetProperty("latencyMsP50")} / {stats.GetProperty("latencyMsP95")} ms");
            Console.WriteLine($"room clocks: audio {stats.GetProperty("audioClock")}, video {stats.GetProperty("videoClock")}");
            Console.WriteLine($"every participant >= 25 fps: {(fps.Min() >= 25 ? "yes" : "NO")}");
            return new BenchResult(fps.Min(), fps.Average());
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

    private static Process StartServer(int port)
    {
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
