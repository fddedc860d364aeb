using Mcu.Conference.Rooms;
using Mcu.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Mcu.EndToEnd.Tests;

/// <summary>One participant's uplink loses a fifth of its packets (dropped in the bot, not the network).</summary>
public sealed class LossTests : IClassFixture<ServerFixture>
{
    private readonly ServerFixture _server;

    public LossTests(ServerFixture server) => _server = server;

    [Fact]
    public async Task A_lossy_sender_recovers_through_nack_and_pli_and_the_others_keep_their_frame_rate()
    {
        using var http = _server.CreateClient();
        Uri Whip(string name) => new(_server.BaseAddress, $"/api/rooms/lossy/whip?name={name}");
        await using var lossy = await ParticipantBot.JoinAsync(http, Whip("lossy"),
            new BotOptions { BearerToken = ServerFixture.AdminKey, Name = "lossy", Colour = (220, 40, 40), ToneHz = 500, DecodeVideo = false });
        await using var steady = await ParticipantBot.JoinAsync(http, Whip("steady"),
            new BotOptions { BearerToken = ServerFixture.AdminKey, Name = "steady", Colour = (40, 40, 220), ToneHz = 900 });
        Assert.True(_server.Services.GetRequiredService<RoomDirectory>().TryGet("lossy", out var room));
        var lossyInRoom = room.Participants.Single(p => p.DisplayName == "lossy");

        // The lossy participant's picture reaches the others (left half of side-by-side)…
        await Eventually.Get(() => Task.FromResult(steady.LatestPicture()),
            p => p is not null && Signals.Near(Signals.AverageColour(p, 0.25, 0.5), (220, 40, 40), 45),
            TimeSpan.FromSeconds(20), "the lossy participant's colour reaching the steady one");

        await Task.Delay(2000);
        double fpsBefore = steady.ReceivedFps(TimeSpan.FromSeconds(2));

        // From now on a fifth of the lossy participant's packets never arrive. Its picture
        // keeps being decoded: holes are repaired by retransmission or skipped to a keyframe.
        lossy.UplinkLoss = 0.2;
        long decodedBefore = lossyInRoom.GetStats().VideoFramesDecoded;
        await Task.Delay(3000);
        var stats = lossyInRoom.GetStats();
        long decoded = stats.VideoFramesDecoded - decodedBefore;
        Assert.True(decoded >= 45, $"the server decoded {decoded} of ~90 frames from the lossy sender in 3 s");
        Assert.True(stats.NacksSent > 0 && lossy.Retransmissions > 0, $"NACKs sent {stats.NacksSent}, retransmissions {lossy.Retransmissions}");

        double fps = steady.ReceivedFps(TimeSpan.FromSeconds(2));
        Assert.True(fps >= Math.Min(25, fpsBefore - 3), $"the steady participant receives {fps} fps while the other one is lossy, {fpsBefore} before");
    }
}
