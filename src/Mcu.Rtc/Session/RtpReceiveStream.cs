using Mcu.Rtc.Packetization;
using Mcu.Rtc.Rtcp;
using Mcu.Rtc.Rtp;

namespace Mcu.Rtc.Session;

/// <summary>
/// One inbound video stream (sans-IO, one caller at a time: the owner locks): RTP packets in,
/// whole frames out. A packet is parsed once, by the caller; here it is counted for receiver
/// reports (<see cref="ReceiveStatistics"/>), reordered and NACKed (<see cref="JitterBuffer"/>,
/// resent after a round trip) and depacketized (<see cref="FrameAssembler"/>). A frame that cannot
/// be completed, or a packet given up as lost, asks for a keyframe and the delta frames are
/// skipped until one comes: after a hole they would only decode as garbage. Keyframe requests go out at most every
/// <see cref="KeyframeRequestIntervalMs"/>.
/// </summary>
/// <remarks>
/// Usage: <c>OnPacket</c> for each packet; then <c>while (TryTakeFrame(now, out var f)) …</c>;
/// on the transport's timer <c>CollectNacks</c>, <c>TakeKeyframeRequest</c>, and once a report
/// interval <c>TakeReportBlock</c>.
/// </remarks>
public sealed class RtpReceiveStream
{
    public const int KeyframeRequestIntervalMs = 500;

    private readonly ReceiveStatistics _statistics;
    private readonly JitterBuffer _jitter = new();
    private readonly FrameAssembler _assembler;
    private bool _waitingForKeyframe = true;
    private bool _keyframeWanted = true;
    private long _lastKeyframeRequestMs = long.MinValue / 2;

    public RtpReceiveStream(int payloadType, int clockRate, FrameAssembler assembler)
    {
        ArgumentNullException.ThrowIfNull(assembler);
        PayloadType = payloadType;
        _statistics = new ReceiveStatistics(clockRate);
        _assembler = assembler;
    }

    public int PayloadType { get; }

    /// <summary>The sender's SSRC, once a packet came (0 before).</summary>
    public uint Ssrc { get; private set; }

    public long PacketsReceived => _jitter.PacketsReceived;

    /// <summary>Packets given up as lost (after their NACKs were spent or their wait ran out).</summary>
    public long PacketsLost => _jitter.PacketsLost;

    /// <summary>Keyframe requests this stream made (PLIs to send).</summary>
    public long KeyframeRequests { get; private set; }

    /// <summary>The round trip to the sender: a NACKed packet is asked for again after it.</summary>
    public int RoundTripMs
    {
        get => _jitter.RoundTripMs;
        set => _jitter.RoundTripMs = value;
    }

    /// <summary>A packet of this stream, parsed by the caller (its payload type matched).</summary>
    public void OnPacket(in RtpPacket rtp, long nowMs)
    {
        Ssrc = rtp.Ssrc;
        _statistics.OnPacket(rtp.Ssrc, rtp.SequenceNumber, rtp.Timestamp, nowMs * 1000);
        _jitter.Insert(rtp.Payload, rtp.SequenceNumber, nowMs, rtp.Timestamp, rtp.Marker);
    }

    /// <summary>
    /// The next whole frame, if the packets for one are here (or the wait for a missing one is over).
    /// Its bytes stay valid until the next call or <see cref="OnPacket"/>.
    /// </summary>
    public bool TryTakeFrame(long nowMs, out EncodedFrame frame)
    {
        while (true)
        {
            while (_assembler.TryTakeFrame(out var ready))
            {
                if (ready.IsKeyframe)
                {
                    _waitingForKeyframe = false;
                    _keyframeWanted = false;
                }
                if (!_waitingForKeyframe)
                {
                    frame = ready;
                    return true;
                }
            }
            if (!_jitter.TryDequeue(nowMs, out var packet))
            {
                frame = default;
                return false;
            }
            if (packet.AfterGap)
            {
                // A packet given up as lost was part of a frame: the frames after it reference it,
                // even when the hole fell between frames (which the assembler cannot see).
                RequestKeyframe();
            }
            if (_assembler.Push(packet.Data, packet.SequenceNumber, packet.Timestamp, packet.Marker) == DepacketizeResult.FrameDropped)
            {
                RequestKeyframe();
            }
        }
    }

    /// <summary>
    /// Skips to the next keyframe and asks for one: the receiver of the frames could not use the
    /// last one (decode error, refused, dropped), so the deltas after it are no use either.
    /// </summary>
    public void RequestKeyframe()
    {
        _waitingForKeyframe = true;
        _keyframeWanted = true;
    }

    /// <summary>Writes the sequence numbers to NACK now into <paramref name="destination"/>; returns how many.</summary>
    public int CollectNacks(long nowMs, Span<ushort> destination) => _jitter.CollectNacks(nowMs, destination);

    /// <summary>True when a keyframe request (PLI) should go out now: one is wanted and the last is old enough.</summary>
    public bool TakeKeyframeRequest(long nowMs)
    {
        if (!_keyframeWanted || nowMs - _lastKeyframeRequestMs < KeyframeRequestIntervalMs)
        {
            return false;
        }
        _lastKeyframeRequestMs = nowMs;
        KeyframeRequests++;
        return true;
    }

    /// <summary>This stream's block of a receiver report; the fraction lost counts from the previous one.</summary>
    public ReportBlock TakeReportBlock(uint lastSenderReport, uint delaySinceLastSenderReport) =>
        new(_statistics.Ssrc, _statistics.TakeFractionLost(), (int)Math.Min(_statistics.CumulativeLost, 0x7FFFFF),
            _statistics.ExtendedHighestSequence, _statistics.Jitter, lastSenderReport, delaySinceLastSenderReport);
}
