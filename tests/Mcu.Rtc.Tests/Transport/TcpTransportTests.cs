using System.Net;
using System.Text;
using Mcu.Rtc.Ice;
using Mcu.Rtc.Peer;
using Mcu.Rtc.Transport;
using Microsoft.Extensions.Time.Testing;

namespace Mcu.Rtc.Tests.Transport;

/// <summary>
/// ICE-TCP over loopback: our client role reaches a server's passive TCP candidate and media flows
/// through the same demultiplexer and sessions as UDP; a connection that sends garbage, says nothing,
/// stalls, or does not read is closed and counted, and only that one.
/// </summary>
public class TcpTransportTests
{
    private static readonly IPEndPoint AnyLoopback = new(IPAddress.Loopback, 0);
    private static readonly TimeSpan Soon = TimeSpan.FromSeconds(5);

    private static MediaTransport Server(TimeProvider? time = null, TcpTransportOptions? tcp = null) =>
        new(AnyLoopback, time, tcp: tcp ?? new TcpTransportOptions { Listen = AnyLoopback });

    /// <summary>A server and our client role joined over TCP, connected.</summary>
    private static async Task<(RtcConnection Server, RtcConnection Client, RecordingHandler AtServer, RecordingHandler AtClient)> ConnectOverTcpAsync(
        MediaTransport server, MediaTransport client)
    {
        var peers = new TcpPeers();
        var atServer = new RecordingHandler();
        var atClient = new RecordingHandler();
        var serverConnection = server.Add(peers.Server(), atServer);
        var clientConnection = client.Add(peers.Client(server.TcpLocalEndPoint!, TransportProtocol.Tcp), atClient);
        await Wait.UntilAsync(() => serverConnection.Peer.State == PeerState.Connected && clientConnection.Peer.State == PeerState.Connected,
            Soon, "ICE and DTLS over TCP");
        return (serverConnection, clientConnection, atServer, atClient);
    }

    [Fact]
    public async Task Our_client_role_joins_over_tcp_media_flows_both_ways_and_closing_the_connection_ends_the_session()
    {
        using var server = Server();
        using var client = new MediaTransport(AnyLoopback);
        var (serverConnection, clientConnection, atServer, atClient) = await ConnectOverTcpAsync(server, client);

        Assert.Equal(TransportProtocol.Tcp, serverConnection.Protocol);
        Assert.Equal(TransportProtocol.Tcp, clientConnection.Protocol);
        Assert.Equal(1, server.Counters.TcpAccepted);
        Assert.True(TcpPeers.SendRtp(clientConnection, 1, "up"u8));
        Assert.True(TcpPeers.SendRtp(serverConnection, 1, "down"u8));
        await Wait.UntilAsync(() => atServer.RtpPayloads.Any(p => p.SequenceEqual("up"u8.ToArray())), Soon, "RTP at the server");
        await Wait.UntilAsync(() => atClient.RtpPayloads.Any(p => p.SequenceEqual("down"u8.ToArray())), Soon, "RTP at the client");
        // Nothing went over UDP: the server's UDP socket saw no datagram at all.
        Assert.Equal(0, server.Counters.DroppedUnknownSource);

        client.Dispose();
        // The TCP connection carried its media: its end ends the session now, not at consent expiry 30 s later.
        await Wait.UntilAsync(() => server.ConnectionCount == 0, Soon, "the server to drop the session");
        Assert.Equal(PeerState.Closed, serverConnection.Peer.State);
        Assert.Equal(0, server.TcpConnectionCount);
    }

    [Fact]
    public async Task Garbage_an_oversized_frame_or_a_stranger_check_closes_that_connection_only_and_is_counted()
    {
        using var server = Server();
        using var client = new MediaTransport(AnyLoopback);
        var (serverConnection, clientConnection, atServer, _) = await ConnectOverTcpAsync(server, client);
        var tcp = server.TcpLocalEndPoint!;

        using (var junk = await FramedClient.ConnectAsync(tcp))
        {
            await junk.SendFrameAsync(Encoding.ASCII.GetBytes("GET / HTTP/1.1"));
            Assert.True(await junk.IsClosedByServerAsync(Soon), "junk frame");
        }
        using (var huge = await FramedClient.ConnectAsync(tcp))
        {
            await huge.SendRawAsync([0x05, 0xDD]); // 1501 bytes announced
            Assert.True(await huge.IsClosedByServerAsync(Soon), "oversized frame");
        }
        using (var stranger = await FramedClient.ConnectAsync(tcp))
        {
            await stranger.SendFrameAsync(new TcpPeers().Check()); // a well-formed check for a session that does not exist
            Assert.True(await stranger.IsClosedByServerAsync(Soon), "check for an unknown ufrag");
        }

        Assert.Equal(3, server.Counters.TcpClosedBadInput);
        Assert.Equal(PeerState.Connected, serverConnection.Peer.State);
        Assert.True(TcpPeers.SendRtp(clientConnection, 2, "still here"u8));
        await Wait.UntilAsync(() => atServer.RtpPayloads.Any(p => p.SequenceEqual("still here"u8.ToArray())), Soon, "RTP after the attacks");
        Assert.Equal(1, server.TcpConnectionCount);
    }

    [Fact]
    public async Task A_wrong_password_gets_its_401_over_tcp_and_the_connection_waits_for_the_right_one()
    {
        using var server = Server();
        var peers = new TcpPeers();
        var connection = server.Add(peers.Server(), new RecordingHandler());
        using var browser = await FramedClient.ConnectAsync(server.TcpLocalEndPoint!);

        // Signed with another password: refused with 401, and the connection stays (its deadline still runs).
        var impostor = new TcpPeers();
        var wrong = new IceControllingAgent(peers.ClientIce, new IceCredentials(peers.ServerIce.Ufrag, impostor.ServerIce.Password),
            new IPEndPoint(IPAddress.Loopback, 9), 7);
        var check = new byte[IceControllingAgent.MaxRequestLength];
        Assert.True(wrong.TryPollTransmit(0, check, out int length));
        await browser.SendFrameAsync(check[..length]);
        var refusal = await browser.ReadFrameAsync(Soon);
        Assert.NotNull(refusal);
        Assert.Equal(0x01, refusal[0]);
        Assert.Equal(0x11, refusal[1]); // Binding error response

        await browser.SendFrameAsync(peers.Check());
        var success = await browser.ReadFrameAsync(Soon);
        Assert.NotNull(success);
        Assert.Equal(0x01, success[0]);
        Assert.Equal(0x01, success[1]); // Binding success response
        Assert.Equal(TransportProtocol.Tcp, connection.Protocol);
        Assert.Equal(1, server.Counters.RefusedChecks);
    }

    [Fact]
    public async Task A_connection_that_sends_no_check_in_five_seconds_or_holds_half_a_frame_for_ten_is_closed()
    {
        var time = new FakeTimeProvider();
        using var server = Server(time);
        var peers = new TcpPeers();
        server.Add(peers.Server(), new RecordingHandler());
        var tcp = server.TcpLocalEndPoint!;

        using var silent = await FramedClient.ConnectAsync(tcp);
        using var slow = await FramedClient.ConnectAsync(tcp);
        await slow.SendFrameAsync(peers.Check());
        Assert.NotNull(await slow.ReadFrameAsync(Soon)); // authenticated: the first-check deadline no longer applies
        await slow.SendRawAsync([0x00, 0x64, 0x00, 0x01]); // 100 bytes announced, 2 sent
        await Wait.UntilAsync(() => server.TcpConnectionCount == 2, Soon, "both accepted");
        await Task.Delay(100); // the half frame is read before the clock moves

        time.Advance(TimeSpan.FromMilliseconds(4_500));
        Assert.False(await silent.IsClosedByServerAsync(TimeSpan.FromMilliseconds(300)), "closed before its 5 s");
        time.Advance(TimeSpan.FromMilliseconds(600));
        Assert.True(await silent.IsClosedByServerAsync(Soon), "silent connection");
        Assert.False(await slow.IsClosedByServerAsync(TimeSpan.FromMilliseconds(300)), "the half frame closed it before 10 s");

        time.Advance(TimeSpan.FromMilliseconds(5_000));
        Assert.True(await slow.IsClosedByServerAsync(Soon), "half a frame for 10 s");
        Assert.Equal(2, server.Counters.TcpClosedTimedOut);
        Assert.Equal(0, server.Counters.TcpClosedBadInput);
    }

    [Fact]
    public async Task A_peer_that_stops_reading_loses_frames_not_the_sender_and_is_closed_after_ten_seconds()
    {
        var time = new FakeTimeProvider();
        using var server = Server(time, new TcpTransportOptions { Listen = AnyLoopback, SendQueueBytes = 64 * 1024 });
        var peers = new TcpPeers();
        var connection = server.Add(peers.Server(), new RecordingHandler());
        using var deaf = await FramedClient.ConnectAsync(server.TcpLocalEndPoint!, receiveBuffer: 4096);
        await deaf.SendFrameAsync(peers.Check());
        Assert.NotNull(await deaf.ReadFrameAsync(Soon));
        // The answer can reach the client a moment before the server has recorded the path it came over.
        var link = await LinkOfAsync(connection);

        // Send at a reader that takes nothing until the kernel's buffers and then the queue are full
        // and stay full: every frame of a batch is refused even after a pause.
        var packet = new byte[1200];
        int refused = 0;
        bool full = false;
        var sending = new System.Diagnostics.Stopwatch();
        for (int batch = 0; batch < 500 && !full; batch++)
        {
            int refusedNow = 0;
            sending.Start();
            for (int i = 0; i < 100; i++)
            {
                refusedNow += server.Send(packet, link) ? 0 : 1;
            }
            sending.Stop();
            refused += refusedNow;
            full = refusedNow == 100;
            await Task.Delay(20);
        }
        Assert.True(full, "the queue never stayed full");
        Assert.True(sending.ElapsedMilliseconds < 2_000, $"sending took {sending.ElapsedMilliseconds} ms: the caller waited on the network");
        Assert.Equal(refused, server.Counters.TcpSendDrops);

        time.Advance(TimeSpan.FromMilliseconds(9_500));
        await Task.Delay(300);
        Assert.False(link.IsClosed, "closed before 10 s without progress");
        time.Advance(TimeSpan.FromMilliseconds(500));
        await Wait.UntilAsync(() => link.IsClosed, Soon, "the stalled connection to close");
        Assert.Equal(1, server.Counters.TcpClosedTimedOut);
        // It carried the session's media: the session ends with it.
        await Wait.UntilAsync(() => server.ConnectionCount == 0, Soon, "the session to end");
    }

    [Fact]
    public async Task A_session_keeps_four_tcp_connections_and_never_drops_the_one_its_media_goes_over()
    {
        using var server = Server();
        var peers = new TcpPeers();
        var connection = server.Add(peers.Server(), new RecordingHandler());
        var tcp = server.TcpLocalEndPoint!;
        using var nominated = await FramedClient.ConnectAsync(tcp);
        await nominated.SendFrameAsync(peers.Check());
        Assert.NotNull(await nominated.ReadFrameAsync(Soon));
        var selected = connection.Peer.RemoteAddress;

        // Five more pairs checked (a browser with several interfaces): four are kept, and the two that go are
        // the oldest spare ones, not the nominated one even though it is the oldest of all.
        var others = new List<FramedClient>();
        for (int i = 0; i < 5; i++)
        {
            var other = await FramedClient.ConnectAsync(tcp);
            others.Add(other);
            await other.SendFrameAsync(peers.PlainCheck());
            Assert.NotNull(await other.ReadFrameAsync(Soon));
        }
        Assert.True(await others[0].IsClosedByServerAsync(Soon), "the oldest spare connection");
        Assert.True(await others[1].IsClosedByServerAsync(Soon), "the next oldest spare connection");
        Assert.False(await others[2].IsClosedByServerAsync(TimeSpan.FromMilliseconds(100)), "a newer spare connection");
        Assert.False(await nominated.IsClosedByServerAsync(TimeSpan.FromMilliseconds(200)), "the nominated connection");
        Assert.Equal(selected, connection.Peer.RemoteAddress);
        Assert.Equal(1, server.ConnectionCount);
        Assert.Equal(MediaTransport.MaxAddressesPerConnection, server.TcpConnectionCount);
        others.ForEach(o => o.Dispose());
    }

    [Fact]
    public async Task Past_the_per_address_limit_a_connection_is_closed_at_once_and_counted()
    {
        using var server = Server(tcp: new TcpTransportOptions { Listen = AnyLoopback, MaxConnectionsPerAddress = 2 });
        var tcp = server.TcpLocalEndPoint!;
        using var first = await FramedClient.ConnectAsync(tcp);
        using var second = await FramedClient.ConnectAsync(tcp);
        await Wait.UntilAsync(() => server.TcpConnectionCount == 2, Soon, "two accepted");

        using var third = await FramedClient.ConnectAsync(tcp);
        Assert.True(await third.IsClosedByServerAsync(Soon), "the third from one address");
        Assert.Equal(1, server.Counters.TcpRefused);
        Assert.False(await first.IsClosedByServerAsync(TimeSpan.FromMilliseconds(200)));

        first.Dispose();
        await Wait.UntilAsync(() => server.TcpConnectionCount == 1, Soon, "the first to go");
        using var fourth = await FramedClient.ConnectAsync(tcp);
        await Wait.UntilAsync(() => server.TcpConnectionCount == 2, Soon, "a place freed for the next");
        Assert.Equal(1, server.Counters.TcpRefused);
    }

    private static async Task<TcpLink> LinkOfAsync(RtcConnection connection)
    {
        var deadline = DateTime.UtcNow + Soon;
        while (true)
        {
            if (connection.Peer.RemoteAddress is { } remote && MediaTransport.FindLink(connection, remote) is { } link)
            {
                return link;
            }
            Assert.True(DateTime.UtcNow < deadline, "the server never recorded the TCP path of the nominated check");
            await Task.Delay(5);
        }
    }
}
