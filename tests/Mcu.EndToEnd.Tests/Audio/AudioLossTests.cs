using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Mcu.Conference.Rooms;
using Mcu.Testing;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace Mcu.EndToEnd.Tests.Audio;

/// <summary>
/// A participant losing a fifth of its uplink packets (the client role's loss switch, random,
/// seeded) while another listens: with RED + in-band FEC the server rebuilds the lost frames and
/// the listener hears the tone at its lossless level; with the room's <c>lossRecovery</c> off the
/// same loss is concealed. Both runs' figures are printed.
/// </summary>
public sealed class AudioLossTests(ServerFixture server, ITestOutputHelper output) : IClassFixture<ServerFixture>
{
    private sealed record Figures(double ConcealedPercent, long Recovered, double LosslessDb, double LossyDb, long Dropped)
    {
        public double LevelChangeDb => LossyDb - LosslessDb;
    }

    [Fact]
    public async Task With_red_and_fec_a_fifth_of_the_uplink_lost_conceals_at_most_2_percent_and_keeps_the_level()
    {
        var on = await RunAsync("audio-loss-on", lossRecovery: true);
        var off = await RunAsync("audio-loss-off", lossRecovery: false);
        output.WriteLine($"20 % uplink loss, RED + FEC (lossRecovery on):  concealed {on.ConcealedPercent:F2} % of frames, {on.Recovered} rebuilt, listener level {on.LevelChangeDb:+0.00;-0.00} dB against lossless ({on.Dropped} packets dropped)");
        output.WriteLine($"20 % uplink loss, neither (lossRecovery off):   concealed {off.ConcealedPercent:F2} % of frames, {off.Recovered} rebuilt, listener level {off.LevelChangeDb:+0.00;-0.00} dB against lossless ({off.Dropped} packets dropped)");

        Assert.True(on.ConcealedPercent <= 2, $"{on.ConcealedPercent:F2} % concealed with RED + FEC");
        Assert.InRange(on.LevelChangeDb, -1, 1);
        Assert.True(off.ConcealedPercent > 10, $"{off.ConcealedPercent:F2} % concealed without recovery");
        Assert.Equal(0, off.Recovered);
    }

    private async Task<Figures> RunAsync(string room, bool lossRecovery)
    {
        using var http = server.CreateClient();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ServerFixture.AdminKey);
        using (var created = await http.PostAsJsonAsync("/api/rooms", new { name = room, lossRecovery }))
        {
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }
        Uri Whip(string name) => new(server.BaseAddress, $"/api/rooms/{room}/whip?name={name}");
        await using var lossy = await ParticipantBot.JoinAsync(http, Whip("lossy"),
            new BotOptions { BearerToken = ServerFixture.AdminKey, Name = "lossy", Colour = null, ToneHz = 500, FecLossPercent = 20, LossSeed = 16 });
        await using var listener = await ParticipantBot.JoinAsync(http, Whip("listener"),
            new BotOptions { BearerToken = ServerFixture.AdminKey, Name = "listener", Colour = null, ToneHz = null });
        Assert.True(server.Services.GetRequiredService<RoomDirectory>().TryGet(room, out var r));
        var sender = r.Participants.Single(p => p.DisplayName == "lossy");

        await Eventually.Get(() => Task.FromResult(Level(listener)), db => db > -40, TimeSpan.FromSeconds(15),
            $"the tone reaching the listener (the sender's {sender.GetStats()}, the listener's {r.Participants.Single(p => p.DisplayName == "listener").GetStats()}, listener got {listener.AudioPacketsReceived} packets)");
        await Task.Delay(1000);
        double lossless = await AverageLevelAsync(listener);

        lossy.UplinkLoss = 0.2;
        await Task.Delay(1000);
        var before = sender.GetStats();
        double lossy20 = await AverageLevelAsync(listener, seconds: 6);
        var after = sender.GetStats();
        lossy.UplinkLoss = 0;

        long concealed = after.AudioFramesConcealed - before.AudioFramesConcealed;
        long fec = after.AudioFramesRecoveredByFec - before.AudioFramesRecoveredByFec;
        long recovered = fec + after.AudioFramesRecoveredByRed - before.AudioFramesRecoveredByRed;
        long frames = after.AudioFramesDecoded - before.AudioFramesDecoded + fec + concealed;
        Assert.True(frames > 250, $"{frames} frames of the lossy sender in 6 s");
        using (await http.DeleteAsync($"/api/rooms/{room}"))
        {
        }
        return new Figures(100.0 * concealed / frames, recovered, lossless, lossy20, lossy.Client.Loss.UplinkDropped);
    }

    /// <summary>The listener's level over its last second, in dB relative to full scale.</summary>
    private static double Level(ParticipantBot listener)
    {
        var pcm = listener.RecentAudio(48_000);
        double energy = 0;
        foreach (short s in pcm)
        {
            energy += (double)s * s;
        }
        return 10 * Math.Log10(Math.Max(energy / pcm.Length, 1e-9) / (32768.0 * 32768.0));
    }

    /// <summary>Mean energy of one-second levels taken every second, in dB.</summary>
    private static async Task<double> AverageLevelAsync(ParticipantBot listener, int seconds = 3)
    {
        double energy = 0;
        for (int i = 0; i < seconds; i++)
        {
            await Task.Delay(1000);
            energy += Math.Pow(10, Level(listener) / 10);
        }
        return 10 * Math.Log10(energy / seconds);
    }
}
