using Mcu.Server;
using Microsoft.AspNetCore.Builder;

namespace Mcu.EndToEnd.Tests;

/// <summary>A real Mcu server (Kestrel + UDP) on 127.0.0.1 with free ports, started once per test class.</summary>
public class ServerFixture : IAsyncLifetime
{
    /// <summary>The admin key the server is started with (auth is always on).</summary>
    public const string AdminKey = "test-admin-key";

    private WebApplication? _app;

    public Uri BaseAddress { get; private set; } = null!;

    public IServiceProvider Services => _app!.Services;

    public HttpClient CreateClient() => new() { BaseAddress = BaseAddress };

    /// <summary>What a page URL ends with to join a room: the token in the fragment, which never reaches the server's log.</summary>
    public string TokenQuery => "#token=" + AdminKey;

    /// <summary>More settings for a fixture of its own (limits, CORS origins), as <c>--Mcu:…=…</c> arguments.</summary>
    protected virtual string[] Settings => [];

    public async Task InitializeAsync()
    {
        _app = McuApp.Build([
            "--urls=http://127.0.0.1:0",
            "--Mcu:UdpBind=127.0.0.1",
            "--Mcu:UdpPort=0",
            $"--Mcu:AdminKey={AdminKey}",
            "--Logging:LogLevel:Default=Warning",
            .. Settings,
        ]);
        await _app.StartAsync();
        BaseAddress = new Uri(_app.Urls.First());
    }

    public async Task DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }
}
