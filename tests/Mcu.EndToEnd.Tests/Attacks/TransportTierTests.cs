using Mcu.Conference.Mixing;
using Mcu.Conference.Rooms;
using Mcu.Rtc.Rtcp;
using Microsoft.Extensions.DependencyInjection;

namespace Mcu.EndToEnd.Tests.Attacks;

/// <summary>
/// Tier flapping: loss used to be counted per report block, so a burst of receiver reports
/// claiming total loss stepped a participant down at once (and forced a keyframe on the encoder
/// others share). Loss is judged per second of reports now, weighted by the packets they cover.
/// </summary>
public sealed class TransportTierTests : IClassFixture<TransportServerFixture>
{
    private readonly TransportServerFixture _server;

    public TransportTierTests(TransportServerFixture server) => _server = server;

    [Fact]
    public async Task A_burst_of_lossy_receiver_reports_does_not_change_the_tier()
    {
        using var http = _server.CreateClient();
        await using var bystanders = await Bystanders.JoinAsync(http, _server.BaseAddress, "rr-burst", TransportServerFixture.AdminKey);
        Assert.True(_server.Services.GetRequiredService<RoomDirectory>().TryGet("rr-burst", out var room));
        await using var attacker = await TransportClient.JoinAsync(http, _server.Whip("rr-burst", "bursty"));
        await Eventually.Get(() => Task.FromResult(attacker.ServerVideoSsrc), ssrc => ssrc != 0, TimeSpan.FromSeconds(10), "the mix reaching the attacker");
        var inRoom = room.Participants.Single(p => p.DisplayName == "bursty");
        var tier = inRoom.Tier;

        var buffer = new byte[1500];
        uint highest = 10_000;
        void Report(byte fractionLost, uint packets)
        {
            highest += packets;
            Span<ReportBlock> block = [new ReportBlock(attacker.ServerVideoSsrc, fractionLost, 0, highest, 0, 0, 0)];
            int length = new ReceiverReport(attacker.Client.VideoSsrc, block).WriteTo(buffer);
            Assert.True(attacker.SendRtcp(buffer, length));
        }

        // A clean second, then 60 reports within ~150 ms, each claiming everything was lost…
        Report(0, 30);
        await Task.Delay(1000);
        for (int i = 0; i < 60; i++)
        {
            Report(255, 1);
            if (i % 10 == 0)
            {
                await Task.Delay(25);
            }
        }
        // …then clean seconds: the burst was one lossy second, not a run of them.
        for (int i = 0; i < 4; i++)
        {
            await Task.Delay(1000);
            Report(0, 30);
        }

        // Per report, the third of the burst stepped down (and the way back up takes 10 clean seconds).
        Assert.Equal(tier.Name, inRoom.Tier.Name);
        await bystanders.AssertUnharmedAsync();
    }
}
