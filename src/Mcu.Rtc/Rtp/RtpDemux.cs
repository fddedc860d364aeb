namespace Mcu.Rtc.Rtp;

/// <summary>
/// RFC 5761 §4: with RTP and RTCP multiplexed on one port, a second octet of 192-223
/// (RTCP packet types 192-223, i.e. RTP payload types 64-95 with the marker set) is RTCP.
/// </summary>
public static class RtpDemux
{
    private const byte FirstRtcpPacketType = 192;
    private const byte LastRtcpPacketType = 223;

    public static bool IsRtcp(ReadOnlySpan<byte> packet) =>
        packet.Length >= 2 && packet[1] is >= FirstRtcpPacketType and <= LastRtcpPacketType;

    /// <summary>RFC 7983 §7: first byte 128-191 is RTP or RTCP.</summary>
    public static bool IsRtpOrRtcp(ReadOnlySpan<byte> packet) =>
        packet.Length >= 2 && packet[0] is >= 128 and <= 191;
}
