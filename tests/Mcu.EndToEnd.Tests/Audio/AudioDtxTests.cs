using Mcu.Conference.Rooms;
using Mcu.Testing;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace Mcu.EndToEnd.Tests.Audio;

/// <summary>
/// Twenty silent participants with Opus DTX (usedtx=1 in the answer): each sends about one packet
/// per 400 ms, and the server neither decodes nor conceals their silence.
/// </summary>
public sealed class AudioDtxTests(ServerFixture server, ITestOutputHelper output) : IClassFixture<ServerFixture>
{
    private const int Silent = 20;

    [Fact]
    public async Task Twenty_silent_dtx_participants_send_a_packet_per_400_ms_and_cost_no_decode()
    {
        using var http = server.CreateClient();
        Uri whip = new(server.BaseAddress, "/api/rooms/dtx/whip?name=silent");
        var bots = new List<ParticipantBot>();
        try
        {
            for (int i = 0; i < Silent; i++)
            {
                bots.Add(await ParticipantBot.JoinAsync(http, whip,
                    new BotOptions { BearerToken = ServerFixture.AdminKey, Name = $"silent-{i}", Colour = null, ToneHz = 0, Dtx = true }));
            }
            Assert.True(server.Services.GetRequiredService<RoomDirectory>().TryGet("dtx", out var room));
            await Task.Delay(1500); // past the encoders' first frames

            long[] sentBefore = [.. bots.Select(b => b.AudioPacketsSent)];
            var before = room.Participants.Select(p => p.GetStats()).ToList();
            await Task.Delay(4000);
            long[] sent = [.. bots.Select((b, i) => b.AudioPacketsSent - sentBefore[i])];
            var after = room.Participants.Select(p => p.GetStats()).ToList();
            long decoded = after.Sum(s => s.AudioFramesDecoded) - before.Sum(s => s.AudioFramesDecoded);
            long concealed = after.Sum(s => s.AudioFramesConcealed) - before.Sum(s => s.AudioFramesConcealed);
            long received = after.Sum(s => s.AudioPacketsReceived) - before.Sum(s => s.AudioPacketsReceived);
            output.WriteLine($"{Silent} silent DTX participants over 4 s: {sent.Min()}-{sent.Max()} packets each sent, {received} received in all, {decoded} frames decoded, {concealed} concealed");

            Assert.All(sent, n => Assert.InRange(n, 1, 4000 / 400));
            Assert.Equal(0, decoded);
            Assert.Equal(0, concealed);
        }
        finally
        {
            foreach (var bot in bots)
            {
                await bot.DisposeAsync();
            }
        }
    }
}
