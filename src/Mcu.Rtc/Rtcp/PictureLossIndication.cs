// RFC 4585 §6.3.1 Picture Loss Indication (PSFB, FMT=1), no FCI:
//
//  0                   1                   2                   3
//  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |V=2|P|  FMT=1  |    PT=206     |          length=2             |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |                  SSRC of packet sender                        |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |                  SSRC of media source                         |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
using System.Buffers.Binary;

namespace Mcu.Rtc.Rtcp;

public readonly record struct PictureLossIndication(uint SenderSsrc, uint MediaSsrc)
{
    public const int Length = 12;
    private const int SenderSsrcOffset = 4;
    private const int MediaSsrcOffset = 8;

    public int SerializedLength => Length;

    public static bool TryParse(ReadOnlySpan<byte> source, out PictureLossIndication pli)
    {
        pli = default;
        if (!RtcpHeader.TryGetPacket(source, RtcpPacketType.PayloadSpecificFeedback, RtcpPacketType.PictureLossIndicationFormat, out _, out ReadOnlySpan<byte> packet)
            || packet.Length < Length)
        {
            return false;
        }

        pli = new PictureLossIndication(
            BinaryPrimitives.ReadUInt32BigEndian(packet[SenderSsrcOffset..]),
            BinaryPrimitives.ReadUInt32BigEndian(packet[MediaSsrcOffset..]));
        return true;
    }

    public int WriteTo(Span<byte> destination)
    {
        if (destination.Length < Length)
        {
            return 0;
        }

        RtcpHeader.Write(destination, RtcpPacketType.PictureLossIndicationFormat, RtcpPacketType.PayloadSpecificFeedback, Length);
        BinaryPrimitives.WriteUInt32BigEndian(destination[SenderSsrcOffset..], SenderSsrc);
        BinaryPrimitives.WriteUInt32BigEndian(destination[MediaSsrcOffset..], MediaSsrc);
        return Length;
    }
}
