namespace Mcu.Testing;

/// <summary>
/// Two ordinary participants (red at 500 Hz, blue at 900 Hz) in a room while something
/// hostile happens to it or beside it. An attack test joins them first, runs its attack,
/// then asks <see cref="AssertUnharmedAsync"/>: each still receives ≥ 25 fps and hears the other.
/// </summary>
public sealed class Bystanders : IAsyncDisposable
{
    private const double MinFps = 25;
    private const double HeardDb = -40;

    private Bystanders(ParticipantBot red, ParticipantBot blue)
    {
        Red = red;
        Blue = blue;
    }

    public ParticipantBot Red { get; }

    public ParticipantBot Blue { get; }

    /// <summary>
    /// Joins two bots to <paramref name="room"/> through its WHIP endpoint with <paramref name="bearer"/>
    /// (the admin key or a participant token) and waits until each receives the mix at full rate.
    /// </summary>
    public static async Task<Bystanders> JoinAsync(HttpClient http, Uri baseAddress, string room, string bearer)
    {
        ParticipantBot? red = null;
        try
        {
            red = await ParticipantBot.JoinAsync(http, new Uri(baseAddress, $"/api/rooms/{room}/whip?name=red"),
                new BotOptions { Name = "red", Colour = (220, 40, 40), ToneHz = 500, BearerToken = bearer });
            var blue = await ParticipantBot.JoinAsync(http, new Uri(baseAddress, $"/api/rooms/{room}/whip?name=blue"),
                new BotOptions { Name = "blue", Colour = (40, 40, 220), ToneHz = 900, BearerToken = bearer });
            var bystanders = new Bystanders(red, blue);
            await bystanders.AssertUnharmedAsync(TimeSpan.FromSeconds(20));
            return bystanders;
        }
        catch
        {
            if (red is not null)
            {
                await red.DisposeAsync();
            }
            throw;
        }
    }

    /// <summary>
    /// Waits (up to <paramref name="within"/>) until both receive ≥ 25 fps over the last two
    /// seconds and hear each other's tone; throws, saying what was seen, if they do not.
    /// </summary>
    public async Task AssertUnharmedAsync(TimeSpan? within = null)
    {
        var limit = within ?? TimeSpan.FromSeconds(10);
        foreach (var (listener, other) in new[] { (Red, Blue), (Blue, Red) })
        {
            double otherTone = other == Red ? 500 : 900;
            await Eventually.Get(() => Task.FromResult((Fps: listener.ReceivedFps(TimeSpan.FromSeconds(2)), Db: Signals.ToneDb(listener.RecentAudio(), otherTone))),
                seen => seen.Fps >= MinFps && seen.Db > HeardDb,
                limit, $"{listener.Name} receiving ≥ {MinFps} fps and hearing {other.Name} (> {HeardDb} dB)");
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Red.DisposeAsync();
        await Blue.DisposeAsync();
    }
}
