using BenchmarkDotNet.Attributes;
using Mcu.Rtc.Rtcp;
using Mcu.Rtc.Rtp;

namespace Mcu.Benchmarks;

/// <summary>RTP header parse with an extension lookup, and an RTCP compound walk with per-type parse.</summary>
[MemoryDiagnoser]
public class RtpBenchmarks
{
    private readonly byte[] _rtp = new byte[1200];
    private byte[] _rtcp = [];

    [GlobalSetup]
    public void Setup()
    {
        var header = new RtpHeader { PayloadType = 96, SequenceNumber = 1, Timestamp = 2, Ssrc = 3 };
        header.TryAddExtension(1, [0x85]);
        header.TryAddExtension(3, [0x01, 0x02]);
        header.WriteTo(_rtp);

        byte[] buffer = new byte[512];
        int length = new SenderReport(0x1234, 1, 2, 3, 4, [new ReportBlock(9, 1, 2, 3, 4, 5, 6)]).WriteTo(buffer);
        length += new SourceDescription(0x1234, "participant-cname"u8).WriteTo(buffer.AsSpan(length));
        length += new GenericNack(0x1234, 9, [7, 9, 12, 40]).WriteTo(buffer.AsSpan(length));
        length += new PictureLossIndication(0x1234, 9).WriteTo(buffer.AsSpan(length));
        TransportCcArrival[] arrivals = new TransportCcArrival[40];
        for (int i = 0; i < arrivals.Length; i++)
        {
            arrivals[i] = new TransportCcArrival((ushort)(i * 2), 1_000_000 + (i * 2_500));
        }

        length += new TransportCcFeedbackBuilder(0x1234, 9, 1, arrivals).WriteTo(buffer.AsSpan(length));
        _rtcp = buffer[..length];
    }

    [Benchmark]
    public int ParseRtpWithExtension()
    {
        RtpPacket.TryParse(_rtp, out RtpPacket packet);
        packet.TryGetExtension(3, out ReadOnlySpan<byte> value);
        return packet.SequenceNumber + packet.Payload.Length + value.Length;
    }

    [Benchmark]
    public int ParseRtcpCompound()
    {
        int sum = 0;
        var reader = new RtcpCompoundReader(_rtcp);
        while (reader.TryReadNext(out RtcpHeader header, out ReadOnlySpan<byte> packet))
        {
            switch (header.PacketType)
            {
                case RtcpPacketType.SenderReport when SenderReport.TryParse(packet, out SenderReport sr):
                    sum += (int)sr.GetReportBlock(0).Jitter;
                    break;
                case RtcpPacketType.SourceDescription when SourceDescription.TryParse(packet, out SourceDescription sdes):
                    sdes.TryGetCname(0, out _, out ReadOnlySpan<byte> cname);
                    sum += cname.Length;
                    break;
                case RtcpPacketType.TransportFeedback when header.Count == RtcpPacketType.GenericNackFormat && GenericNack.TryParse(packet, out GenericNack nack):
                    foreach (ushort lost in nack.GetLostSequenceNumbers())
                    {
                        sum += lost;
                    }

                    break;
                case RtcpPacketType.TransportFeedback when TransportCcFeedback.TryParse(packet, out TransportCcFeedback feedback):
                    foreach (TransportCcPacketStatus status in feedback.GetPacketStatuses())
                    {
                        sum += status.IsReceived ? 1 : 0;
                    }

                    break;
                case RtcpPacketType.PayloadSpecificFeedback when PictureLossIndication.TryParse(packet, out PictureLossIndication pli):
                    sum += (int)pli.MediaSsrc;
                    break;
            }
        }

        return sum;
    }
}
