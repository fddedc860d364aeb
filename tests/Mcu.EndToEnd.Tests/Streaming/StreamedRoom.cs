using System.Net.Http.Json;
using System.Text.Json;
using Mcu.Conference.Rooms;
using Mcu.EndToEnd.Tests.Recording;
using Mcu.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Mcu.EndToEnd.Tests.Streaming;

/// <summary>
/// One server and one room of three bots (red 400 Hz, blue 800 Hz, green 1200 Hz) in grid-4, kept
/// for every streaming test; each test starts and stops its own streams. The room's stream events
/// are collected as they are raised.
/// </summary>
public sealed class StreamedRoom : IAsyncLifetime
{
    public const string Room = "streamed";

    public static readonly (string Name, (byte R, byte G, byte B) Colour, double Tone)[] People =
    [
        ("red", (220, 40, 40), 400),
        ("blue", (40, 40, 220), 800),
        ("green", (40, 200, 40), 1200),
    ];

    private readonly List<ParticipantBot> _bots = [];
    private readonly List<RoomEvent> _events = [];

    public RecordingServer Server { get; private set; } = null!;
    public HttpClient Http { get; private set; } = null!;
    public string HlsPath { get; private set; } = null!;
    public IReadOnlyList<ParticipantBot> Bots => _bots;

    public async Task InitializeAsync()
    {
        string folder = RecordingServer.TempFolder("stream");
        HlsPath = Path.Combine(folder, "hls");
        Server = await RecordingServer.StartAsync(folder, $"--Mcu:Streaming:HlsPath={HlsPath}");
        Http = Server.CreateClient();
        var created = await Http.PostAsJsonAsync("/api/rooms", new { name = Room, layout = "grid-4" });
        Assert.True(created.IsSuccessStatusCode, await created.Content.ReadAsStringAsync());
        Assert.True(Server.Services.GetRequiredService<RoomDirectory>().TryGet(Room, out var room));
        room.Changed += e =>
        {
            if (e.Type is RoomEventType.StreamStarted or RoomEventType.StreamStopped or RoomEventType.StreamFailed)
            {
                lock (_events)
                {
                    _events.Add(e);
                }
            }
        };
        foreach (var (name, colour, tone) in People)
        {
            _bots.Add(await ParticipantBot.JoinAsync(Http, Server.Whip(Room, name), new BotOptions { Name = name, Colour = colour, ToneHz = tone }));
        }
        await Eventually.Get(() => Task.FromResult(_bots.Min(b => b.VideoFramesDecoded)), n => n > 30, TimeSpan.FromSeconds(20), "media flowing");
    }

    public IReadOnlyList<RoomEvent> StreamEvents(string id)
    {
        lock (_events)
        {
            return _events.Where(e => e.Detail?.StartsWith(id, StringComparison.Ordinal) == true).ToList();
        }
    }

    public async Task<string> StartAsync(string path, object body)
    {
        var response = await Http.PostAsJsonAsync($"/api/rooms/{Room}/{path}", body);
        string text = await response.Content.ReadAsStringAsync();
        Assert.True((int)response.StatusCode == 202, $"start: {(int)response.StatusCode} {text}");
        using var json = JsonDocument.Parse(text);
        Assert.Equal("starting", json.RootElement.GetProperty("state").GetString());
        return json.RootElement.GetProperty("id").GetString()!;
    }

    public async Task<JsonElement> GetAsync(string id)
    {
        using var json = JsonDocument.Parse(await Http.GetStringAsync($"/api/rooms/{Room}/streams/{id}"));
        return json.RootElement.Clone();
    }

    public Task<JsonElement> WaitForStateAsync(string id, string state, TimeSpan within) =>
        Eventually.Get(() => GetAsync(id), s => s.GetProperty("state").GetString() == state, within, $"stream {id} becoming {state}");

    public async Task StopAsync(string id)
    {
        var response = await Http.PostAsync($"/api/rooms/{Room}/streams/{id}/stop", null);
        Assert.True(response.IsSuccessStatusCode, $"stop: {(int)response.StatusCode}");
        await WaitForStateAsync(id, "stopped", TimeSpan.FromSeconds(15));
    }

    public async Task<JsonElement> StatsAsync()
    {
        using var json = JsonDocument.Parse(await Http.GetStringAsync($"/api/rooms/{Room}/stats"));
        return json.RootElement.Clone();
    }

    public async Task<string> TokenAsync(string room, string role)
    {
        var response = await Http.PostAsJsonAsync($"/api/rooms/{room}/tokens", new { role });
        response.EnsureSuccessStatusCode();
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return json.RootElement.GetProperty("token").GetString()!;
    }

    public async Task DisposeAsync()
    {
        foreach (var bot in _bots)
        {
            await bot.DisposeAsync();
        }
        Http?.Dispose();
        if (Server is not null)
        {
            await Server.DisposeAsync();
            Directory.Delete(Server.RecordingsPath, recursive: true);
        }
    }
}
