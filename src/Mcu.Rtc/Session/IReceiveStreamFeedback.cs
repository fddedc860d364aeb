using Mcu.Rtc.Rtcp;

namespace Mcu.Rtc.Session;

/// <summary>
/// What the RTP session asks of an inbound stream's owner when its timer runs: the sequence
/// numbers to NACK, whether to ask for a keyframe, and the stream's report block. The owner
/// (a video receiver, which assembles frames from its <see cref="RtpReceiveStream"/> on the
/// receive loop) locks around its stream; the session calls it outside its own lock.
/// </summary>
public interface IReceiveStreamFeedback
{
    /// <summary>The sender's SSRC, 0 until its first packet.</summary>
    uint Ssrc { get; }

    /// <summary>Packets given up as lost so far.</summary>
    long PacketsLost { get; }

    /// <summary>
    /// Releases packets whose missing predecessor is given up, writes the sequence numbers to NACK
    /// (again after <paramref name="roundTripMs"/>) and says whether to ask for a keyframe.
    /// </summary>
    int CollectFeedback(long nowMs, int roundTripMs, Span<ushort> nacks, out bool requestKeyframe);

    /// <summary>This stream's receiver report block, null before a packet came.</summary>
    ReportBlock? TakeReportBlock(uint lastSenderReport, uint delaySinceLastSenderReport);
}
