using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Mcu.Rtc.Client;
using Mcu.Rtc.Peer;
using Mcu.Rtc.Rtp;
using Mcu.Rtc.Transport;
using Mcu.Server.Rtc;
using Microsoft.Extensions.DependencyInjection;

namespace Mcu.EndToEnd.Tests;

/// <summary>Our own client role against the echo endpoint: packets on the wire, and bad input.</summary>
public sealed class ClientEchoTests : IClassFixture<ServerFixture>
{
    private readonly ServerFixture _server;

    public ClientEchoTests(ServerFixture server) => _server = server;

    private sealed class Recorder : IRtcConnectionHandler
    {
        public TaskCompletionSource Connected { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public ConcurrentQueue<(uint Ssrc, int PayloadType, ushort Seq, byte[] Payload)> Received { get; } = new();

        public void OnStateChanged(RtcConnection connection, PeerState state)
        {
            if (state == PeerState.Connected)
            {
                Connected.TrySetResult();
            }
        }

        public void OnRtp(RtcConnection connection, Span<byte> packet)
        {
            if (RtpPacket.TryParse(packet, out var rtp))
            {
                Received.Enqueue((rtp.Ssrc, rtp.PayloadType, rtp.SequenceNumber, rtp.Payload.ToArray()));
            }
        }

        public void OnRtcp(RtcConnection connection, Span<byte> packet)
        {
        }
    }

    private async Task<(WhipClient Client, Recorder Recorder)> Join()
    {
        var recorder = new Recorder();
        var client = await WhipClient.ConnectAsync(_server.CreateClient(), new Uri(_server.BaseAddress, "/api/echo/whip"), recorder);
        await recorder.Connected.Task.WaitAsync(TimeSpan.FromSeconds(15));
        return (client, recorder);
    }

    private static void Send(WhipClient client, int payloadType, uint ssrc, ushort seq, string text)
    {
        var buffer = new byte[1500];
        int length = new RtpHeader { PayloadType = (byte)payloadType, SequenceNumber = seq, Timestamp = seq * 3000u, Ssrc = ssrc }.WriteTo(buffer);
        length += Encoding.ASCII.GetBytes(text, buffer.AsSpan(length));
        Assert.True(client.Connection.SendRtp(buffer, length));
    }

    private static async Task<List<(uint Ssrc, int PayloadType, ushort Seq, byte[] Payload)>> Expect(Recorder recorder, int count)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (recorder.Received.Count < count && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }
        var list = recorder.Received.ToList();
        recorder.Received.Clear();
        return list;
    }

    [Fact]
    public async Task Our_client_gets_its_packets_back_on_the_servers_ssrcs()
    {
        var (client, recorder) = await Join();
        await using var _ = client;
        var video = client.Answer.Video!;
        var audio = client.Answer.Audio!;
        for (ushort i = 0; i < 20; i++)
        {
            Send(client, video.PayloadType, client.VideoSsrc, (ushort)(100 + i), $"video {i}");
            Send(client, audio.PayloadType, client.AudioSsrc, (ushort)(900 + i), $"audio {i}");
        }
        var echoed = await Expect(recorder, 40);
        Assert.Equal(40, echoed.Count);
        uint serverVideoSsrc = Assert.Single(video.RemoteSsrcs);
        uint serverAudioSsrc = Assert.Single(audio.RemoteSsrcs);
        var videoBack = echoed.Where(p => p.PayloadType == video.PayloadType).ToList();
        Assert.All(videoBack, p => Assert.Equal(serverVideoSsrc, p.Ssrc));
        Assert.Equal(Enumerable.Range(0, 20).Select(i => $"video {i}"), videoBack.Select(p => Encoding.ASCII.GetString(p.Payload)));
        Assert.All(echoed.Where(p => p.PayloadType == audio.PayloadType), p => Assert.Equal(serverAudioSsrc, p.Ssrc));
        Assert.NotEqual(client.VideoSsrc, serverVideoSsrc);
    }

    [Fact]
    public async Task Garbage_from_known_and_unknown_addresses_is_dropped_and_counted_while_media_keeps_flowing()
    {
        var (victim, victimRecorder) = await Join();
        var (other, otherRecorder) = await Join();
        await using var a = victim;
        await using var b = other;
        var counters = _server.Services.GetRequiredService<RtcHost>().Transport.Counters;
        var serverEndPoint = victim.Answer.RemoteCandidates.First(c => c.IsUdp).EndPoint!;
        long unknownBefore = counters.DroppedUnknownSource, byPeerBefore = counters.DroppedByPeer;

        var random = new Random(1234);
        using var stranger = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        stranger.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        byte[][] garbage =
        [
            [0x00, 0x01, 0x00], // truncated STUN
            [0x16, 0xfe, 0xfd, 0x00], // truncated DTLS record
            [0x80], // truncated RTP
            [0x80, 0xc8, 0x00, 0x06], // truncated RTCP SR
            new byte[1400], // all zeros: STUN-looking, wrong cookie
            Enumerable.Repeat((byte)0x90, 3000).ToArray(), // oversized
        ];
        for (int i = 0; i < 200; i++)
        {
            var datagram = i < garbage.Length ? garbage[i] : RandomBytes(random);
            stranger.SendTo(datagram, serverEndPoint);
            victim.Transport.SendRaw(datagram, serverEndPoint); // from the victim's own, authenticated address
        }

        // The other session's media still flows, and so does the victim's.
        for (ushort i = 0; i < 10; i++)
        {
            Send(other, other.Answer.Video!.PayloadType, other.VideoSsrc, i, $"still here {i}");
            Send(victim, victim.Answer.Video!.PayloadType, victim.VideoSsrc, i, $"me too {i}");
        }
        Assert.Equal(10, (await Expect(otherRecorder, 10)).Count);
        Assert.Equal(10, (await Expect(victimRecorder, 10)).Count);
        Assert.True(counters.DroppedUnknownSource - unknownBefore >= 150, $"unknown-source drops: {counters.DroppedUnknownSource - unknownBefore}");
        Assert.True(counters.DroppedByPeer - byPeerBefore >= 100, $"dropped by the peer: {counters.DroppedByPeer - byPeerBefore}");
    }

    [Theory]
    [InlineData("this is not sdp", 400, "line 1")]
    [InlineData("v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=video 9 UDP/TLS/RTP/SAVPF 98\r\na=rtpmap:98 VP9/90000\r\na=mid:0\r\na=ice-ufrag:abcd\r\na=ice-pwd:abcdefghijklmnopqrstuv\r\na=fingerprint:sha-256 00:11\r\na=setup:actpass\r\na=rtcp-mux\r\n", 406, "VP9")]
    public async Task A_bad_offer_gets_a_problem_that_says_why_and_the_server_still_serves(string offer, int status, string mentioned)
    {
        using var http = _server.CreateClient();
        using var response = await http.PostAsync("/api/echo/whip", new StringContent(offer, Encoding.UTF8, "application/sdp"));
        Assert.Equal(status, (int)response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains(mentioned, await response.Content.ReadAsStringAsync());

        var (client, recorder) = await Join();
        await using var _ = client;
        Send(client, client.Answer.Audio!.PayloadType, client.AudioSsrc, 1, "after the bad offer");
        Assert.Single(await Expect(recorder, 1));
    }

    [Fact]
    public async Task Wrong_content_type_is_415_and_delete_ends_the_session()
    {
        using var http = _server.CreateClient();
        using var wrong = await http.PostAsync("/api/echo/whip", new StringContent("v=0", Encoding.UTF8, "text/plain"));
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, wrong.StatusCode);

        var (client, _) = await Join();
        using var deleted = await http.DeleteAsync(client.Resource);
        Assert.Equal(HttpStatusCode.OK, deleted.StatusCode);
        using var again = await http.DeleteAsync(client.Resource);
        Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
        await client.DisposeAsync();
    }

    private static byte[] RandomBytes(Random random)
    {
        var bytes = new byte[random.Next(1, 1500)];
        random.NextBytes(bytes);
        return bytes;
    }
}
