using Mcu.Conference.Rooms;
using Mcu.Rtc.Rtcp;
using Microsoft.Extensions.DependencyInjection;

namespace Mcu.EndToEnd.Tests.Attacks;

/// <summary>
/// NACK amplification: one RTCP packet listing ~500 sequence numbers used to make the server
/// resend its whole history, again for every such packet. Now each participant's resends are
/// held to a budget of its own send rate, and a packet goes again at most once per round trip.
/// </summary>
public sealed class TransportNackTests : IClassFixture<TransportServerFixture>
{
    private const int NacksPerFlood = 500;

    private readonly TransportServerFixture _server;

    public TransportNackTests(TransportServerFixture server) => _server = server;

    [Fact]
    public async Task A_nack_flood_gets_at_most_the_attackers_own_bitrate_in_retransmissions()
    {
        using var http = _server.CreateClient();
        await using var bystanders = await Bystanders.JoinAsync(http, _server.BaseAddress, "nack-flood", TransportServerFixture.AdminKey);
        await using var attacker = await TransportClient.JoinAsync(http, _server.Whip("nack-flood", "attacker"));
        await Eventually.Get(() => Task.FromResult(attacker.Video.Count), n => n > 520, TimeSpan.FromSeconds(40), "the attacker receiving the mix (500 packets to NACK)");

        // A resend carries the sequence number (so the SRTP index) of a packet the attacker has:
        // its SRTP replay check drops it, so resends are counted there, as datagrams dropped.
        var seen = new HashSet<ushort>();
        long originals = 0;
        void Count(bool measuring)
        {
            while (attacker.Video.TryDequeue(out var packet))
            {
                if (seen.Add(packet.Sequence) && measuring)
                {
                    originals++;
                }
            }
        }
        Count(measuring: false);
        var recent = new List<ushort>(seen.Count);
        var buffer = new byte[1500];
        var sequences = new ushort[NacksPerFlood];
        var attackerInRoom = Participant("attacker");
        long nacksBefore = attackerInRoom.GetStats().NacksReceived;
        long replaysBefore = attacker.Client.Counters.DroppedByPeer;

        // Three seconds of floods, one every 100 ms, each NACKing the 500 newest packets received.
        var started = DateTime.UtcNow;
        int floods = 0;
        while (DateTime.UtcNow - started < TimeSpan.FromSeconds(3))
        {
            Count(measuring: true);
            int n = Newest(seen, attacker, sequences);
            var nack = new GenericNack(attacker.Client.VideoSsrc, attacker.ServerVideoSsrc, sequences.AsSpan(0, n));
            Assert.True(attacker.SendRtcp(buffer, nack.WriteTo(buffer)));
            floods++;
            await Task.Delay(100);
        }
        await Task.Delay(300);
        Count(measuring: true);

        var stats = attackerInRoom.GetStats();
        long resent = attacker.Client.Counters.DroppedByPeer - replaysBefore;
        Assert.True(stats.NacksReceived - nacksBefore >= floods * NacksPerFlood / 2, $"the server read {stats.NacksReceived - nacksBefore} NACKed packets");
        // Unbudgeted, each flood resent ~500 packets (~15,000 in all); now the resends are held
        // to the stream's own rate: about as many as the originals over the same time, plus the
        // bucket's quarter second.
        Assert.True(resent <= originals * 13 / 10 + 5,
            $"{resent} packets resent for {originals} packets of video over {floods} floods (server: {stats.Retransmissions} resent, {stats.RetransmissionsRefused} refused)");
        Assert.True(stats.RetransmissionsRefused > 0, "nothing was refused");
        Assert.True(resent > 0, "NACKs within the budget are still answered");
        await bystanders.AssertUnharmedAsync();
    }

    private static int Newest(HashSet<ushort> seen, TransportClient attacker, ushort[] into)
    {
        // The newest sequence numbers, wrap-aware: the 500 below the highest seen.
        ushort highest = seen.Aggregate((a, b) => (short)(b - a) > 0 ? b : a);
        int n = 0;
        for (int i = 0; i < into.Length; i++)
        {
            into[n++] = (ushort)(highest - (into.Length - 1) + i); // ascending, as a NACK lists them
        }
        return n;
    }

    private Participant Participant(string name)
    {
        Assert.True(_server.Services.GetRequiredService<RoomDirectory>().TryGet("nack-flood", out var room));
        return room.Participants.Single(p => p.DisplayName == name);
    }
}
