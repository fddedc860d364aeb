using Mcu.Rtc.Ice;
using Mcu.Rtc.Peer;
using Mcu.Rtc.Rtp;

namespace Mcu.Rtc.Tests.Peer;

/// <summary>
/// Two peers, server and client role, joined in memory on a simulated clock (<see cref="PeerPair"/>):
/// ICE, DTLS and SRTP end to end, with loss and reordering, and no real time passing.
/// </summary>
public class PeerConnectionTests
{
    [Fact]
    public void Ice_dtls_and_srtp_connect_and_rtp_flows_both_ways()
    {
        using var pair = new PeerPair();

        Assert.True(pair.RunUntil(() => pair.BothConnected));

        Assert.Equal(0, pair.NowMs); // a perfect link: nothing waited for a timer
        Assert.Equal(pair.Server.SrtpProfile, pair.Client.SrtpProfile);
        Assert.NotNull(pair.Server.SrtpProfile);
        pair.SendRtp(fromServer: false, 7, "hello"u8);
        pair.SendRtp(fromServer: true, 9, "there"u8);
        Assert.True(pair.RunUntil(() => pair.RtpAtServer.Count == 1 && pair.RtpAtClient.Count == 1));
        var sent = pair.Sent[^2].Data;
        Assert.NotEqual("hello"u8.ToArray(), sent.AsSpan(sent.Length - 5 - 16, 5).ToArray()); // encrypted on the wire
        Assert.True(RtpPacket.TryParse(pair.RtpAtServer[0], out var atServer));
        Assert.Equal("hello"u8.ToArray(), atServer.Payload.ToArray());
        Assert.Equal((ushort)7, atServer.SequenceNumber);
        Assert.True(RtpPacket.TryParse(pair.RtpAtClient[0], out var atClient));
        Assert.Equal("there"u8.ToArray(), atClient.Payload.ToArray());
    }

    [Fact]
    public void A_packet_delivered_twice_is_a_replay_the_second_time()
    {
        using var pair = new PeerPair();
        Assert.True(pair.RunUntil(() => pair.BothConnected));
        pair.SendRtp(fromServer: false, 8, "once"u8);
        byte[] onTheWire = pair.Sent[^1].Data;

        Assert.True(pair.RunUntil(() => pair.RtpAtServer.Count == 1));
        Assert.Equal(PeerInput.Dropped, pair.Server.HandleDatagram(onTheWire.ToArray(), TransportAddress.Udp(PeerPair.ClientAddress), pair.NowMs, out _));
    }

    [Fact]
    public void The_handshake_completes_under_20_percent_loss_and_reordering_for_50_seeds_with_resends_never_before_one_second()
    {
        int neededResends = 0;
        for (int seed = 0; seed < 50; seed++)
        {
            using var pair = new PeerPair(seed, lossRate: 0.2, delayMs: 20, jitterMs: 60);

            Assert.True(pair.RunUntil(() => pair.BothConnected), $"seed {seed}: {pair.Server.State}/{pair.Client.State} at {pair.NowMs} ms");

            // Media flows once both sides say connected (a few tries: the link still loses a fifth).
            for (ushort sequence = 1; sequence <= 10; sequence++)
            {
                pair.SendRtp(fromServer: false, sequence, "media"u8);
                pair.SendRtp(fromServer: true, sequence, "media"u8);
            }
            Assert.True(pair.RunUntil(() => pair.RtpAtServer.Count > 0 && pair.RtpAtClient.Count > 0, pair.NowMs + 1_000), $"seed {seed}");

            // A DTLS datagram goes out again only on the timer: a second later at the earliest.
            foreach (bool fromServer in new[] { true, false })
            {
                foreach (var copies in pair.Sent.Where(sent => sent.FromServer == fromServer && PeerPair.IsDtls(sent.Data))
                    .GroupBy(sent => Convert.ToHexString(sent.Data)).Where(group => group.Count() > 1))
                {
                    neededResends++;
                    long[] times = copies.Select(sent => sent.AtMs).ToArray();
                    for (int i = 1; i < times.Length; i++)
                    {
                        Assert.True(times[i] - times[i - 1] >= 1_000, $"seed {seed}: resent after {times[i] - times[i - 1]} ms");
                    }
                }
            }
        }
        Assert.True(neededResends > 10, $"only {neededResends} resent datagrams in 50 lossy handshakes: the test lost too little");
    }

    [Fact]
    public void The_ice_server_as_dtls_client_connects_too()
    {
        using var pair = new PeerPair(seed: 3, lossRate: 0.2, delayMs: 20, jitterMs: 60, serverIsDtlsClient: true);

        Assert.True(pair.RunUntil(() => pair.BothConnected));

        Assert.Equal(pair.Server.SrtpProfile, pair.Client.SrtpProfile);
    }

    [Fact]
    public void A_lost_final_flight_is_resent_by_the_server_until_the_clients_media_proves_it_arrived()
    {
        bool lost = false;
        using var pair = new PeerPair();
        pair.Drop = (fromServer, datagram) =>
            fromServer && PeerPair.IsDtls(datagram) && pair.Server.State == PeerState.Connected && !lost && (lost = true);

        Assert.True(pair.RunUntil(() => pair.BothConnected));

        // The client's verbatim resend at 1 s is a replay to OpenSSL; the server's own resend finishes it.
        Assert.Equal(1_000, pair.NowMs);
        Assert.True(lost);
        pair.SendRtp(fromServer: false, 1, "proof"u8);
        Assert.True(pair.RunUntil(() => pair.RtpAtServer.Count == 1));
        int dtlsSoFar = pair.ServerDtls.Count();
        // Consent checks keep the pair alive for 40 simulated seconds; no DTLS goes out again.
        Assert.False(pair.RunUntil(() => pair.Server.State != PeerState.Connected, limitMs: 40_000));
        Assert.Equal(dtlsSoFar, pair.ServerDtls.Count());
        Assert.Equal(PeerState.Connected, pair.Client.State);
    }

    [Fact]
    public void A_wrong_fingerprint_in_the_sdp_fails_both_sides_with_the_reason()
    {
        using var pair = new PeerPair(clientExpects: Mcu.Rtc.Dtls.DtlsCertificate.Generate().Sha256Fingerprint);

        Assert.True(pair.RunUntil(() => pair.Client.State == PeerState.Failed && pair.Server.State == PeerState.Failed));

        Assert.Equal("DTLS failed: remote certificate fingerprint does not match the SDP", pair.Client.FailureReason);
        Assert.Equal("DTLS failed: peer sent fatal alert bad certificate", pair.Server.FailureReason);
        Assert.Null(pair.Client.SrtpProfile);
        Assert.Null(pair.Server.SrtpProfile);
    }

    [Fact]
    public void Garbage_during_the_handshake_is_dropped_and_the_handshake_completes()
    {
        using var pair = new PeerPair(delayMs: 10);
        var random = new Random(3);
        for (int i = 0; i < 1000; i++)
        {
            var junk = new byte[random.Next(1, 200)];
            random.NextBytes(junk);
            if (i % 2 == 0)
            {
                junk[0] = (byte)random.Next(20, 64); // DTLS's range
            }
            pair.InjectToServer(junk, afterMs: random.Next(0, 100));
        }

        Assert.True(pair.RunUntil(() => pair.BothConnected && pair.NowMs >= 100));

        Assert.Equal(1000, pair.AtServer.Count(delivered => delivered.Input == PeerInput.Dropped));
        Assert.Contains(pair.AtServer, delivered => PeerPair.IsDtls(delivered.Data) && delivered.Input == PeerInput.Control);
    }

    [Fact]
    public void Closing_one_side_sends_close_notify_and_the_other_side_closes()
    {
        using var pair = new PeerPair();
        Assert.True(pair.RunUntil(() => pair.BothConnected));

        pair.Client.Close();

        Assert.True(pair.RunUntil(() => pair.Server.State == PeerState.Closed));
        Assert.Equal("the peer closed DTLS", pair.Server.FailureReason);
        Assert.Equal(PeerState.Closed, pair.Client.State);
        Assert.Equal(long.MaxValue, pair.Server.NextTimeoutMs);
    }

    [Fact]
    public void The_server_closes_when_the_clients_consent_checks_stop_for_30_seconds()
    {
        using var pair = new PeerPair();
        Assert.True(pair.RunUntil(() => pair.BothConnected));
        long lastCheck = pair.NowMs;
        pair.Drop = (fromServer, _) => !fromServer; // the client goes silent (its network went away)

        Assert.True(pair.RunUntil(() => pair.Server.State == PeerState.Closed));

        Assert.Equal(lastCheck + 30_000, pair.NowMs);
        Assert.Contains("consent expired", pair.Server.FailureReason);
    }

    [Fact]
    public void A_server_peer_that_never_hears_a_check_gives_up_after_30_seconds()
    {
        using var pair = new PeerPair();
        var server = pair.Server;
        Assert.Equal(0, server.NextTimeoutMs);
        server.HandleTimeout(0);
        Assert.Equal(30_000, server.NextTimeoutMs);
        server.HandleTimeout(29_999);
        Assert.NotEqual(PeerState.Failed, server.State);
        server.HandleTimeout(30_000);
        Assert.Equal(PeerState.Failed, server.State);
        Assert.Contains("ICE", server.FailureReason);
    }

    [Fact]
    public void Media_before_the_handshake_is_dropped()
    {
        using var pair = new PeerPair();
        var packet = new byte[64];
        packet[0] = 0x80;

        Assert.Equal(PeerInput.Dropped, pair.Server.HandleDatagram(packet, TransportAddress.Udp(PeerPair.ClientAddress), 0, out _));
    }
}
