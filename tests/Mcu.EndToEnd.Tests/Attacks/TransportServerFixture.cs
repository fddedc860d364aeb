using Mcu.Server;
using Microsoft.AspNetCore.Builder;

namespace Mcu.EndToEnd.Tests.Attacks;

/// <summary>A real server (Kestrel + UDP on 127.0.0.1) with the settings a media-path attack test needs.</summary>
public class TransportServerFixture : IAsyncLifetime
{
    public const string AdminKey = "transport-admin-key";

    private WebApplication? _app;

    public Uri BaseAddress { get; private set; } = null!;

    public IServiceProvider Services => _app!.Services;

    /// <summary>Settings beyond the usual ones, e.g. "--Mcu:Echo:MaxSessions=5".</summary>
    protected virtual string[] Settings => [];

    /// <summary>A client that is the admin: bots joining through it need no token of their own.</summary>
    public HttpClient CreateClient()
    {
        var http = new HttpClient { BaseAddress = BaseAddress };
        http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", AdminKey);
        return http;
    }

    public Uri Whip(string room, string name) => new(BaseAddress, $"/api/rooms/{room}/whip?name={name}");

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
