using System.Collections.Concurrent;
using Mcu.Rtc.Client;
using Mcu.Rtc.Peer;
using Mcu.Rtc.Rtp;
using Mcu.Rtc.Transport;

namespace Mcu.EndToEnd.Tests.Attacks;

/// <summary>
/// A participant made of the bare client role, for attacks: it joins over WHIP and records the
/// video packets it receives (sequence number, size), and sends whatever the test crafts.
/// </summary>
internal sealed class TransportClient : IRtcConnectionHandler, IAsyncDisposable
{
    private readonly TaskCompletionSource _connected = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private WhipClient? _client;
    private int _videoPayloadType = -1;

    public WhipClient Client => _client!;

    /// <summary>The server's video SSRC, from the first video packet.</summary>
    public uint ServerVideoSsrc { get; private set; }

    /// <summary>Every video packet received: sequence number and size on the wire (plain RTP).</summary>
    public ConcurrentQueue<(ushort Sequence, int Length)> Video { get; } = new();

    public static async Task<TransportClient> JoinAsync(HttpClient http, Uri endpoint, string? bearer = null)
    {
        var client = new TransportClient();
        client._client = await WhipClient.ConnectAsync(http, endpoint, client, new WhipClientOptions { BearerToken = bearer });
        client._videoPayloadType = client._client.Answer.Video?.PayloadType ?? -1;
        await client._connected.Task.WaitAsync(TimeSpan.FromSeconds(20));
        return client;
    }

    public void OnStateChanged(RtcConnection connection, PeerState state)
    {
        if (state == PeerState.Connected)
        {
            _connected.TrySetResult();
        }
    }

    public void OnRtp(RtcConnection connection, Span<byte> packet)
    {
        if (RtpPacket.TryParse(packet, out var rtp) && rtp.PayloadType == _videoPayloadType)
        {
            ServerVideoSsrc = rtp.Ssrc;
            Video.Enqueue((rtp.SequenceNumber, packet.Length));
        }
    }

    public void OnRtcp(RtcConnection connection, Span<byte> packet)
    {
    }

    /// <summary>Sends one encoded VP8 frame as RTP on the negotiated video payload type.</summary>
    public void SendVp8Frame(byte[] frame, uint timestamp)
    {
        var packetizer = new Mcu.Rtc.Packetization.Vp8Packetizer(1100);
        var payload = new byte[1200];
        var packet = new byte[1400];
        packetizer.Begin(frame);
        while (packetizer.TryNext(payload, out int length, out bool marker))
        {
            int header = new RtpHeader
            {
                PayloadType = (byte)_videoPayloadType, SequenceNumber = _videoSequence++, Timestamp = timestamp,
                Ssrc = Client.VideoSsrc, Marker = marker,
            }.WriteTo(packet);
            payload.AsSpan(0, length).CopyTo(packet.AsSpan(header));
            Client.Connection.SendRtp(packet, header + length);
        }
    }

    private ushort _videoSequence = 2000;

    /// <summary>Protects and sends one RTCP packet the test wrote into <paramref name="buffer"/>.</summary>
    public bool SendRtcp(byte[] buffer, int length) => Client.Connection.SendRtcp(buffer, length);

    public async ValueTask DisposeAsync()
    {
        if (_client is not null)
        {
            await _client.DisposeAsync();
        }
    }
}
