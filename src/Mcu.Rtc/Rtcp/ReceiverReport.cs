// RFC 3550 §6.4.2 RR: Receiver Report RTCP packet
//
//         0                   1                   2                   3
//         0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//        +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// header |V=2|P|    RC   |   PT=RR=201   |             length            |
//        +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//        |                     SSRC of packet sender                     |
//        +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
//        |                 report blocks (24 bytes each)                 |
using System.Buffers.Binary;

namespace Mcu.Rtc.Rtcp;

public readonly ref struct ReceiverReport
{
    public const int FixedLength = 8;
    private const int SsrcOffset = 4;

    private readonly ReportBlockList _blocks;

    public ReceiverReport(uint ssrc, ReadOnlySpan<ReportBlock> reportBlocks)
    {
        Ssrc = ssrc;
        _blocks = new ReportBlockList(reportBlocks);
    }

    private ReceiverReport(uint ssrc, ReadOnlySpan<byte> rawBlocks)
    {
        Ssrc = ssrc;
        _blocks = new ReportBlockList(rawBlocks);
    }

    public uint Ssrc { get; }
    public int ReportCount => _blocks.Count;
    public int SerializedLength => FixedLength + _blocks.SerializedLength;

    public ReportBlock GetReportBlock(int index) => _blocks.Get(index);

    public static bool TryParse(ReadOnlySpan<byte> source, out ReceiverReport report)
    {
        report = default;
        if (!RtcpHeader.TryGetPacket(source, RtcpPacketType.ReceiverReport, null, out RtcpHeader header, out ReadOnlySpan<byte> packet)
            || packet.Length < FixedLength + (header.Count * ReportBlock.Length))
        {
            return false;
        }

        report = new ReceiverReport(
            BinaryPrimitives.ReadUInt32BigEndian(packet[SsrcOffset..]),
            packet.Slice(FixedLength, header.Count * ReportBlock.Length));
        return true;
    }

    public int WriteTo(Span<byte> destination)
    {
        int length = SerializedLength;
        if (destination.Length < length)
        {
            return 0;
        }

        RtcpHeader.Write(destination, ReportCount, RtcpPacketType.ReceiverReport, length);
        BinaryPrimitives.WriteUInt32BigEndian(destination[SsrcOffset..], Ssrc);
        _blocks.WriteTo(destination[FixedLength..]);

        return length;
    }
}
