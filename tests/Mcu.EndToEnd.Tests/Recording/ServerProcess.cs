using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Mcu.EndToEnd.Tests.Recording;

/// <summary>The server as a child process (<c>dotnet Mcu.Server.dll</c>), so a test can kill it like a crash would.</summary>
public sealed class ServerProcess : IDisposable
{
    private readonly Process _process;

    private ServerProcess(Process process, Uri baseAddress)
    {
        _process = process;
        BaseAddress = baseAddress;
    }

    public Uri BaseAddress { get; }

    public Process Process => _process;

    /// <summary>A client that is the admin (auth is always on): bots joining through it need no token of their own.</summary>
    public HttpClient CreateClient()
    {
        var http = new HttpClient { BaseAddress = BaseAddress };
        http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", RecordingServer.AdminKey);
        return http;
    }

    public Uri Whip(string room, string name) => new(BaseAddress, $"/api/rooms/{room}/whip?name={name}");

    public static async Task<ServerProcess> StartAsync(string recordingsPath, params string[] extra)
    {
        int port = FreePort();
        var start = new ProcessStartInfo("dotnet")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = recordingsPath,
        };
        foreach (var argument in (string[])[
            Path.Combine(AppContext.BaseDirectory, "Mcu.Server.dll"),
            "--urls", $"http://127.0.0.1:{port}",
            "--Mcu:UdpPort=0",
            $"--Mcu:RecordingsPath={recordingsPath}",
            $"--Mcu:LayoutsPath={Path.Combine(AppContext.BaseDirectory, "layouts")}",
            $"--Mcu:AdminKey={RecordingServer.AdminKey}",
            "--Mcu:NodeName=child",
            "--Logging:LogLevel:Default=Warning",
            .. extra])
        {
            start.ArgumentList.Add(argument);
        }
        var process = Process.Start(start)!;
        // Drain its output so it never blocks on a full pipe.
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var server = new ServerProcess(process, new Uri($"http://127.0.0.1:{port}"));
        using var http = server.CreateClient();
        await Eventually.Get(async () =>
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"the server exited with {process.ExitCode}");
            }
            try
            {
                return await http.GetStringAsync("/healthz");
            }
            catch (HttpRequestException)
            {
                return "";
            }
        }, text => text == "ok", TimeSpan.FromSeconds(60), "the server answering /healthz");
        return server;
    }

    /// <summary>SIGKILL: no shutdown code runs, as in a crash or an OOM kill.</summary>
    public void KillHard()
    {
        _process.Kill();
        _process.WaitForExit();
    }

    /// <summary>
    /// SIGTERM, what <c>docker stop</c> sends, and the time the process took to exit; throws
    /// when it is still running after <paramref name="within"/> (docker would SIGKILL it then).
    /// </summary>
    public async Task<TimeSpan> TerminateAsync(TimeSpan within)
    {
        var started = System.Diagnostics.Stopwatch.StartNew();
        using (var kill = Process.Start(new ProcessStartInfo("kill") { ArgumentList = { "-TERM", _process.Id.ToString() }, UseShellExecute = false })!)
        {
            await kill.WaitForExitAsync();
        }
        using var timeout = new CancellationTokenSource(within);
        try
        {
            await _process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"the server was still running {within.TotalSeconds} s after SIGTERM");
        }
        return started.Elapsed;
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            KillHard();
        }
        _process.Dispose();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
