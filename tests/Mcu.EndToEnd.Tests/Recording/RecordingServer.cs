using Mcu.Server;
using Microsoft.AspNetCore.Builder;

namespace Mcu.EndToEnd.Tests.Recording;

/// <summary>An in-process Mcu server with its own recordings folder (and job storage) for recording tests.</summary>
public sealed class RecordingServer : IAsyncDisposable
{
    public const string AdminKey = "test-admin-key";

    private readonly WebApplication _app;
    private int _disposed;

    private RecordingServer(WebApplication app, string folder)
    {
        _app = app;
        RecordingsPath = folder;
        BaseAddress = new Uri(app.Urls.First());
    }

    public Uri BaseAddress { get; }

    public string RecordingsPath { get; }

    public IServiceProvider Services => _app.Services;

    /// <summary>A client that is the admin (auth is always on): bots joining through it need no token of their own.</summary>
    public HttpClient CreateClient()
    {
        var http = new HttpClient { BaseAddress = BaseAddress };
        http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", RecordingServer.AdminKey);
        return http;
    }

    public Uri Whip(string room, string name) => new(BaseAddress, $"/api/rooms/{room}/whip?name={name}");

    public static async Task<RecordingServer> StartAsync(string recordingsPath, params string[] extra)
    {
        var app = McuApp.Build([
            "--urls=http://127.0.0.1:0",
            "--Mcu:UdpBind=127.0.0.1",
            "--Mcu:UdpPort=0",
            $"--Mcu:RecordingsPath={recordingsPath}",
            $"--Mcu:AdminKey={AdminKey}",
            "--Logging:LogLevel:Default=Warning",
            .. extra,
        ]);
        await app.StartAsync();
        return new RecordingServer(app, recordingsPath);
    }

    public static string TempFolder(string what)
    {
        string path = Path.Combine(Path.GetTempPath(), $"mcu-{what}-{Guid.NewGuid():N}"[..32]);
        Directory.CreateDirectory(path);
        return path;
    }

    /// <summary>A clean stop, as SIGTERM gives; safe to call again (a test may stop a node early).</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
