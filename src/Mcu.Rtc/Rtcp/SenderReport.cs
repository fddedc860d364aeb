// RFC 3550 §6.4.1 SR: Sender Report RTCP packet
//
//         0                   1                   2                   3
//         0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//        +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// header |V=2|P|    RC   |   PT=SR=200   |             length            |
//        +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//        |                         SSRC of sender                        |
//        +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
// sender |              NTP timestamp, most significant word             |
// info   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//        |             NTP timestamp, least significant word             |
//        +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//        |                         RTP timestamp                         |
//        +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//        |                     sender's packet count                     |
//        +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//        |                      sender's octet count                     |
//        +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
//        |                 report blocks (24 bytes each)                 |
using System.Buffers.Binary;

namespace Mcu.Rtc.Rtcp;

/// <summary>
/// A parsed SR (report blocks read on demand from the packet) or one to write (report blocks
/// from a caller's span).
/// </summary>
public readonly ref struct SenderReport
{
    public const int FixedLength = 28;
    private const int SsrcOffset = 4;
    private const int NtpTimestampOffset = 8;
    private const int RtpTimestampOffset = 16;
    private const int PacketCountOffset = 20;
    private const int OctetCountOffset = 24;

    private readonly ReportBlockList _blocks;

    public SenderReport(uint ssrc, ulong ntpTimestamp, uint rtpTimestamp, uint packetCount, uint octetCount, ReadOnlySpan<ReportBlock> reportBlocks)
    {
        Ssrc = ssrc;
        NtpTimestamp = ntpTimestamp;
        RtpTimestamp = rtpTimestamp;
        PacketCount = packetCount;
        OctetCount = octetCount;
        _blocks = new ReportBlockList(reportBlocks);
    }

    private SenderReport(ReadOnlySpan<byte> packet, int reportCount)
    {
        Ssrc = BinaryPrimitives.ReadUInt32BigEndian(packet[SsrcOffset..]);
        NtpTimestamp = BinaryPrimitives.ReadUInt64BigEndian(packet[NtpTimestampOffset..]);
        RtpTimestamp = BinaryPrimitives.ReadUInt32BigEndian(packet[RtpTimestampOffset..]);
        PacketCount = BinaryPrimitives.ReadUInt32BigEndian(packet[PacketCountOffset..]);
        OctetCount = BinaryPrimitives.ReadUInt32BigEndian(packet[OctetCountOffset..]);
        _blocks = new ReportBlockList(packet.Slice(FixedLength, reportCount * ReportBlock.Length));
    }

    public uint Ssrc { get; }
    /// <summary>64-bit NTP timestamp: seconds since 1900 in the high word, fraction in the low word.</summary>
    public ulong NtpTimestamp { get; }
    public uint RtpTimestamp { get; }
    public uint PacketCount { get; }
    public uint OctetCount { get; }
    public int ReportCount => _blocks.Count;
    public int SerializedLength => FixedLength + _blocks.SerializedLength;

    public ReportBlock GetReportBlock(int index) => _blocks.Get(index);

    public static bool TryParse(ReadOnlySpan<byte> source, out SenderReport report)
    {
        report = default;
        if (!RtcpHeader.TryGetPacket(source, RtcpPacketType.SenderReport, null, out RtcpHeader header, out ReadOnlySpan<byte> packet)
            || packet.Length < FixedLength + (header.Count * ReportBlock.Length))
        {
            return false;
        }

        report = new SenderReport(packet, header.Count);
        return true;
    }

    public int WriteTo(Span<byte> destination)
    {
        int length = SerializedLength;
        if (destination.Length < length)
        {
            return 0;
        }

        RtcpHeader.Write(destination, ReportCount, RtcpPacketType.SenderReport, length);
        BinaryPrimitives.WriteUInt32BigEndian(destination[SsrcOffset..], Ssrc);
        BinaryPrimitives.WriteUInt64BigEndian(destination[NtpTimestampOffset..], NtpTimestamp);
        BinaryPrimitives.WriteUInt32BigEndian(destination[RtpTimestampOffset..], RtpTimestamp);
        BinaryPrimitives.WriteUInt32BigEndian(destination[PacketCountOffset..], PacketCount);
        BinaryPrimitives.WriteUInt32BigEndian(destination[OctetCountOffset..], OctetCount);
        _blocks.WriteTo(destination[FixedLength..]);

        return length;
    }
}
