using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using Mcu.Server;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Mcu.Server.Tests;

/// <summary>
/// A real Mcu server (Kestrel + UDP) on 127.0.0.1 with free ports, started once per test
/// class, with its own copy of the layout templates (plus one broken file) in a temporary
/// folder, and every log line it writes kept for inspection.
/// </summary>
public class ServerFixture : IAsyncLifetime
{
    public const string AdminKey = "server-tests-admin-key-5f2c";
    public const string BrokenTemplateFile = "broken.json";

    private WebApplication? _app;

    public Uri BaseAddress { get; private set; } = null!;

    public IServiceProvider Services => _app!.Services;

    public string LayoutsFolder { get; } = Path.Combine(Path.GetTempPath(), "mcu-layouts-" + Guid.NewGuid().ToString("N"));

    public ConcurrentQueue<string> LogLines { get; } = new();

    public HttpClient CreateClient(string? token = null)
    {
        var http = new HttpClient { BaseAddress = BaseAddress };
        if (token is not null)
        {
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
        return http;
    }

    public HttpClient CreateAdminClient() => CreateClient(AdminKey);

    /// <summary>A room token minted through the API.</summary>
    public async Task<string> IssueTokenAsync(string room, string role = "participant")
    {
        using var admin = CreateAdminClient();
        using var response = await admin.PostAsync($"/api/rooms/{room}/tokens", Json($$"""{"role":"{{role}}"}"""));
        response.EnsureSuccessStatusCode();
        var body = await response.Content.ReadFromJsonAsync<Dictionary<string, object>>();
        return body!["token"].ToString()!;
    }

    public static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    /// <summary>More settings for a fixture of its own (PublicReads, CORS origins), as <c>--Mcu:…=…</c> arguments.</summary>
    protected virtual string[] Settings => [];

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(LayoutsFolder);
        foreach (var file in Directory.EnumerateFiles(Path.Combine(AppContext.BaseDirectory, "layouts"), "*.json"))
        {
            File.Copy(file, Path.Combine(LayoutsFolder, Path.GetFileName(file)));
        }
        File.WriteAllText(Path.Combine(LayoutsFolder, BrokenTemplateFile), """{ "name": "broken", "regions": [ { "x": 0.5, """);
        _app = McuApp.Build([
            "--urls=http://127.0.0.1:0",
            "--Mcu:UdpBind=127.0.0.1",
            "--Mcu:UdpPort=0",
            $"--Mcu:AdminKey={AdminKey}",
            $"--Mcu:LayoutsPath={LayoutsFolder}",
            "--Logging:LogLevel:Default=Debug",
            .. Settings,
        ], builder => builder.Logging.AddProvider(new CapturingLoggerProvider(LogLines)));
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
        Directory.Delete(LayoutsFolder, recursive: true);
    }

    private sealed class CapturingLoggerProvider(ConcurrentQueue<string> lines) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new CapturingLogger(categoryName, lines);

        public void Dispose()
        {
        }
    }

    private sealed class CapturingLogger(string category, ConcurrentQueue<string> lines) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            // The structured values too: a token must not hide in a parameter the message leaves out.
            var values = state is IEnumerable<KeyValuePair<string, object?>> pairs ? string.Join(" ", pairs.Select(p => $"{p.Key}={p.Value}")) : "";
            lines.Enqueue($"{logLevel} {category}: {formatter(state, exception)} {values} {exception}");
        }
    }
}
