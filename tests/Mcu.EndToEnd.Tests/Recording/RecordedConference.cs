using System.Text.Json;
using Mcu.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Mcu.EndToEnd.Tests.Recording;

/// <summary>
/// Records one conference once for every test that judges the file: red (400 Hz) and blue
/// (800 Hz) bots, and a grey one flashing white with a 2 kHz beep every 2 s, in grid-4;
/// 10 s recorded at 1280x720 through the API, then post-processed.
/// </summary>
public sealed class RecordedConference : IAsyncLifetime
{
    public const string Room = "recorded";
    public const double Seconds = 10;
    public const int FrameWidth = 64, FrameHeight = 36;

    public static readonly (string Name, (byte R, byte G, byte B) Colour, double? Tone)[] People =
    [
        ("red", (220, 40, 40), 400),
        ("blue", (40, 40, 220), 800),
        ("flash", (60, 60, 60), null),
    ];

    public const int FlashEveryMs = 2000;
    public const double BeepHz = 2000;

    private readonly List<ParticipantBot> _bots = [];

    public RecordingServer Server { get; private set; } = null!;
    public HttpClient Http { get; private set; } = null!;
    public string Id { get; private set; } = null!;
    public JsonElement Recording { get; private set; }
    public string File { get; private set; } = null!;
    public long FramesBeforeStopping { get; private set; }

    public async Task InitializeAsync()
    {
        Server = await RecordingServer.StartAsync(RecordingServer.TempFolder("rec"));
        Http = Server.CreateClient();
        foreach (var (name, colour, tone) in People)
        {
            _bots.Add(await ParticipantBot.JoinAsync(Http, Server.Whip(Room, name), new BotOptions
            {
                Name = name,
                Colour = colour,
                ToneHz = tone,
                FlashEveryMs = name == "flash" ? FlashEveryMs : null,
                FlashToneHz = BeepHz,
            }));
        }
        // Let media flow before recording, so the file starts with everyone in it.
        await Eventually.Get(() => Task.FromResult(_bots[0].VideoFramesDecoded), n => n > 30, TimeSpan.FromSeconds(20), "media flowing");
        Id = await RecordingApi.StartAsync(Http, Room);
        await RecordingApi.WaitForStateAsync(Http, Room, Id, "recording", TimeSpan.FromSeconds(10));
        await Task.Delay(TimeSpan.FromSeconds(Seconds));
        FramesBeforeStopping = _bots[0].VideoFramesReceived;
        await RecordingApi.StopAsync(Http, Room, Id);
        try
        {
            Recording = await RecordingApi.WaitForStateAsync(Http, Room, Id, "done", TimeSpan.FromSeconds(60));
        }
        catch (TimeoutException e)
        {
            // Say what Hangfire did with the post-processing job.
            var info = Server.Services.GetRequiredService<Mcu.Server.Recording.RecordingStore>().Get(Id);
            var monitor = Server.Services.GetRequiredService<Hangfire.JobStorage>().GetMonitoringApi();
            string history = info?.PostProcessJobId is { } jobId && monitor.JobDetails(jobId) is { } details
                ? string.Join(" <- ", details.History.Select(h => $"{h.StateName} {h.Reason} {string.Join(",", h.Data.Select(d => $"{d.Key}={d.Value}"))}"))
                : "no post-processing job";
            throw new TimeoutException($"{e.Message}; post-processing job: {history}", e);
        }
        File = Path.Combine(Server.RecordingsPath, Recording.GetProperty("file").GetString()!);
    }

    public ParticipantBot Bot(string name) => _bots.Single(b => b.Name == name);

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
