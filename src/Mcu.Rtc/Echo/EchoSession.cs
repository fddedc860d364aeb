using Mcu.Rtc.Peer;
using Mcu.Rtc.Rtcp;
using Mcu.Rtc.Rtp;
using Mcu.Rtc.Sdp;
using Mcu.Rtc.Srtp;
using Mcu.Rtc.Transport;

namespace Mcu.Rtc.Echo;

/// <summary>
/// The diagnostic echo (like Janus's EchoTest): a participant's own audio and video
/// come straight back on our SSRCs, re-protected with the outbound SRTP context; a
/// keyframe request on our video is passed on to the participant's encoder.
/// </summary>
public sealed class EchoSession : IRtcConnectionHandler
{
    private const int MaxPacket = 1500;

    // Used on the transport's receive loop only, one packet at a time.
    private readonly byte[] _scratch = new byte[MaxPacket + 64];
    private readonly LocalStreams _streams;
    private readonly int _audioPayloadType;
    private readonly int _redPayloadType; // Opus in RED, echoed as it came
    private readonly int _videoPayloadType;
    private uint _remoteVideoSsrc;

    public EchoSession(SdpAnswer answer, LocalStreams streams)
    {
        _streams = streams;
        _audioPayloadType = answer.Audio?.PayloadType ?? -1;
        _redPayloadType = answer.Audio?.RedPayloadType ?? -1;
        _videoPayloadType = answer.Video?.PayloadType ?? -1;
    }

    public string Id { get; } = Guid.NewGuid().ToString("N");

    public PeerState State { get; private set; } = PeerState.New;

    public long PacketsEchoed => Volatile.Read(ref _packetsEchoed);

    public long KeyframeRequestsForwarded => Volatile.Read(ref _keyframeRequests);

    private long _packetsEchoed;
    private long _keyframeRequests;

    /// <summary>Raised once when the connection fails, times out or closes.</summary>
    public event Action? Ended;

    public void OnStateChanged(RtcConnection connection, PeerState state)
    {
        State = state;
        if (state is PeerState.Failed or PeerState.Closed)
        {
            Interlocked.Exchange(ref Ended, null)?.Invoke();
        }
    }

    public void OnRtp(RtcConnection connection, Span<byte> packet)
    {
        if (!RtpPacket.TryParse(packet, out var rtp) || packet.Length > MaxPacket)
        {
            return;
        }
        uint ssrc;
        if (rtp.PayloadType == _videoPayloadType)
        {
            _remoteVideoSsrc = rtp.Ssrc;
            ssrc = _streams.VideoSsrc;
        }
        else if (rtp.PayloadType == _audioPayloadType || rtp.PayloadType == _redPayloadType)
        {
            ssrc = _streams.AudioSsrc;
        }
        else
        {
            return;
        }
        var buffer = _scratch.AsSpan();
        packet.CopyTo(buffer);
        RtpPacket.WriteSsrc(buffer, ssrc);
        if (connection.SendRtp(buffer, packet.Length))
        {
            Interlocked.Increment(ref _packetsEchoed);
        }
    }

    public void OnRtcp(RtcConnection connection, Span<byte> packet)
    {
        var reader = new RtcpCompoundReader(packet);
        while (reader.TryReadNext(out var header, out _))
        {
            bool keyframeRequest = header.PacketType == RtcpPacketType.PayloadSpecificFeedback
                && header.Count is RtcpPacketType.PictureLossIndicationFormat or RtcpPacketType.FullIntraRequestFormat;
            if (keyframeRequest && _remoteVideoSsrc != 0)
            {
                RequestKeyframe(connection);
            }
        }
    }

    private void RequestKeyframe(RtcConnection connection)
    {
        var pli = new PictureLossIndication(_streams.VideoSsrc, _remoteVideoSsrc);
        var buffer = _scratch.AsSpan();
        int length = pli.WriteTo(buffer);
        if (connection.SendRtcp(buffer, length))
        {
            Interlocked.Increment(ref _keyframeRequests);
        }
    }
}
