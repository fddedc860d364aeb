using System.Net;
using Mcu.Rtc.Dtls;
using Mcu.Rtc.Ice;
using Mcu.Rtc.Peer;
using Mcu.Rtc.Rtp;

namespace Mcu.Rtc.Tests.Peer;

/// <summary>Two peers, server and client role, wired together in memory: ICE, DTLS and SRTP end to end.</summary>
public class PeerConnectionTests
{
    private static readonly IPEndPoint ServerAddress = new(IPAddress.Loopback, 40000);
    private static readonly IPEndPoint ClientAddress = new(IPAddress.Loopback, 40001);

    private static (PeerConnection Server, PeerConnection Client) Pair(string? clientExpectsFingerprint = null)
    {
        var serverCert = DtlsCertificate.Generate();
        var clientCert = DtlsCertificate.Generate();
        var serverIce = IceCredentials.Generate();
        var clientIce = IceCredentials.Generate();
        var server = new PeerConnection(new PeerConnectionOptions
        {
            Role = PeerRole.Server, LocalIce = serverIce, RemoteIce = clientIce, Certificate = serverCert,
            RemoteFingerprint = clientCert.Sha256Fingerprint, DtlsRole = DtlsRole.Server,
        });
        var client = new PeerConnection(new PeerConnectionOptions
        {
            Role = PeerRole.Client, LocalIce = clientIce, RemoteIce = serverIce, Certificate = clientCert,
            RemoteFingerprint = clientExpectsFingerprint ?? serverCert.Sha256Fingerprint, DtlsRole = DtlsRole.Client,
            RemoteCandidate = ServerAddress,
        });
        return (server, client);
    }

    /// <summary>Moves every waiting datagram across until both sides settle or time runs out.</summary>
    private static void Pump(PeerConnection server, PeerConnection client, Func<bool> done, List<(bool ToServer, byte[] Data)>? media = null)
    {
        var buffer = new byte[2048];
        var deadline = DateTime.UtcNow.AddSeconds(10);
        long now = 0;
        while (!done() && DateTime.UtcNow < deadline)
        {
            bool moved = false;
            client.HandleTimeout(now);
            server.HandleTimeout(now);
            while (client.TryPollTransmit(buffer, out int length, out _))
            {
                server.HandleDatagram(buffer.AsSpan(0, length), ClientAddress, now, out _);
                moved = true;
            }
            while (server.TryPollTransmit(buffer, out int length, out _))
            {
                client.HandleDatagram(buffer.AsSpan(0, length), ServerAddress, now, out _);
                moved = true;
            }
            if (!moved)
            {
                Thread.Sleep(5); // DTLS flights come from its handshake thread
                now += 5;
            }
        }
    }

    [Fact]
    public void Ice_dtls_and_srtp_connect_and_rtp_flows_both_ways()
    {
        var (server, client) = Pair();
        using var s = server;
        using var c = client;
        Pump(server, client, () => server.State == PeerState.Connected && client.State == PeerState.Connected);
        Assert.Equal(PeerState.Connected, server.State);
        Assert.Equal(PeerState.Connected, client.State);
        Assert.Equal(server.SrtpProfile, client.SrtpProfile);

        var packet = new byte[1500];
        int length = new RtpHeader { PayloadType = 96, SequenceNumber = 7, Timestamp = 1234, Ssrc = 0x01020304 }.WriteTo(packet);
        "hello"u8.CopyTo(packet.AsSpan(length));
        length += 5;
        Assert.True(client.TryProtectRtp(packet, length, out int protectedLength));
        Assert.NotEqual("hello"u8.ToArray(), packet.AsSpan(length - 5, 5).ToArray()); // encrypted on the wire

        var input = server.HandleDatagram(packet.AsSpan(0, protectedLength), ClientAddress, 0, out int plainLength);
        Assert.Equal(PeerInput.Rtp, input);
        Assert.True(RtpPacket.TryParse(packet.AsSpan(0, plainLength), out var rtp));
        Assert.Equal("hello"u8.ToArray(), rtp.Payload.ToArray());

        // A packet delivered twice is a replay the second time.
        RtpPacket.WriteSequenceNumber(packet, 8);
        Assert.True(client.TryProtectRtp(packet.AsSpan(), plainLength, out protectedLength));
        var copy = packet.AsSpan(0, protectedLength).ToArray();
        Assert.Equal(PeerInput.Rtp, server.HandleDatagram(packet.AsSpan(0, protectedLength), ClientAddress, 0, out _));
        Assert.Equal(PeerInput.Dropped, server.HandleDatagram(copy, ClientAddress, 0, out _));
    }

    [Fact]
    public void A_wrong_fingerprint_in_the_sdp_fails_the_connection_with_the_reason()
    {
        var (server, client) = Pair(clientExpectsFingerprint: DtlsCertificate.Generate().Sha256Fingerprint);
        using var s = server;
        using var c = client;
        Pump(server, client, () => client.State == PeerState.Failed);
        Assert.Equal(PeerState.Failed, client.State);
        Assert.Contains("fingerprint", client.FailureReason);
    }

    [Fact]
    public void Media_before_the_handshake_and_garbage_are_dropped()
    {
        var (server, client) = Pair();
        using var s = server;
        using var c = client;
        var packet = new byte[64];
        packet[0] = 0x80;
        Assert.Equal(PeerInput.Dropped, server.HandleDatagram(packet, ClientAddress, 0, out _));
        var random = new Random(3);
        for (int i = 0; i < 1000; i++)
        {
            var junk = new byte[random.Next(1, 200)];
            random.NextBytes(junk);
            server.HandleDatagram(junk, ClientAddress, 0, out _);
        }
        Pump(server, client, () => server.State == PeerState.Connected && client.State == PeerState.Connected);
        Assert.Equal(PeerState.Connected, server.State);
    }

    [Fact]
    public void A_server_peer_that_never_hears_a_check_gives_up_after_30_seconds()
    {
        var (server, client) = Pair();
        using var s = server;
        using var c = client;
        server.HandleTimeout(0);
        server.HandleTimeout(29_999);
        Assert.NotEqual(PeerState.Failed, server.State);
        server.HandleTimeout(30_000);
        Assert.Equal(PeerState.Failed, server.State);
        Assert.Contains("ICE", server.FailureReason);
    }
}
