using Mcu.Rtc.Rtcp;
using static Mcu.Rtc.Tests.Rtcp.RtcpReportTests;

namespace Mcu.Rtc.Tests.Rtcp;

public class RtcpCompoundReaderTests
{
    private static byte[] Compound()
    {
        byte[] buffer = new byte[256];
        int length = new SenderReport(0x1234, 1, 2, 3, 4, [new ReportBlock(9, 1, 2, 3, 4, 5, 6)]).WriteTo(buffer);
        length += new SourceDescription(0x1234, "cname"u8).WriteTo(buffer.AsSpan(length));
        length += new PictureLossIndication(0x1234, 9).WriteTo(buffer.AsSpan(length));
        length += new GenericNack(0x1234, 9, [7, 9]).WriteTo(buffer.AsSpan(length));
        return buffer[..length];
    }

    [Fact]
    public void IteratesSenderReportSdesPliAndNack()
    {
        byte[] datagram = Compound();
        var reader = new RtcpCompoundReader(datagram);
        var seen = new List<(byte Type, int Format, int Length)>();
        while (reader.TryReadNext(out RtcpHeader header, out ReadOnlySpan<byte> packet))
        {
            seen.Add((header.PacketType, header.Count, packet.Length));
            switch (header.PacketType)
            {
                case RtcpPacketType.SenderReport:
                    Assert.True(SenderReport.TryParse(packet, out SenderReport sr));
                    Assert.Equal(0x1234u, sr.Ssrc);
                    Assert.Equal(9u, sr.GetReportBlock(0).Ssrc);
                    break;
                case RtcpPacketType.SourceDescription:
                    Assert.True(SourceDescription.TryParse(packet, out SourceDescription sdes));
                    Assert.True(sdes.TryGetCname(0, out _, out ReadOnlySpan<byte> cname));
                    Assert.Equal("cname"u8.ToArray(), cname.ToArray());
                    break;
                case RtcpPacketType.PayloadSpecificFeedback:
                    Assert.True(PictureLossIndication.TryParse(packet, out PictureLossIndication pli));
                    Assert.Equal(9u, pli.MediaSsrc);
                    break;
                case RtcpPacketType.TransportFeedback:
                    Assert.True(GenericNack.TryParse(packet, out GenericNack nack));
                    Assert.Equal((ushort)7, nack.GetItem(0).PacketId);
                    break;
            }
        }

        Assert.False(reader.IsMalformed);
        Assert.Equal(
            [(RtcpPacketType.SenderReport, 1, 52), (RtcpPacketType.SourceDescription, 1, 16),
             (RtcpPacketType.PayloadSpecificFeedback, 1, 12), (RtcpPacketType.TransportFeedback, 1, 16)],
            seen);
    }

    [Fact]
    public void TruncatedCompoundStopsAndReportsMalformed()
    {
        byte[] datagram = Compound()[..^3];
        var reader = new RtcpCompoundReader(datagram);
        int count = 0;
        while (reader.TryReadNext(out _, out _))
        {
            count++;
        }

        Assert.Equal(3, count);
        Assert.True(reader.IsMalformed);
    }

    [Fact]
    public void GarbageIsMalformedFromTheStart()
    {
        var reader = new RtcpCompoundReader(Hex("16fefd000000"));
        Assert.False(reader.TryReadNext(out _, out _));
        Assert.True(reader.IsMalformed);
    }
}
