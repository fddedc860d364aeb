using Mcu.Rtc.Rtcp;
using static Mcu.Rtc.Tests.Rtcp.RtcpReportTests;

namespace Mcu.Rtc.Tests.Rtcp;

public class TransportCcFeedbackTests
{
    // Pion's "example1" wire packet: one packet, run-length chunk, 1-byte delta 0x94, one byte of padding.
    private const string PionExample = "afcd0005 fa17fa17 43032fa0 0099 0001 3de802 17 2001 94 01";
    private const long ExampleArrival = (4057090L * 64_000) + (0x94 * 250);

    private static List<TransportCcPacketStatus> Statuses(TransportCcFeedback feedback)
    {
        var list = new List<TransportCcPacketStatus>();
        foreach (TransportCcPacketStatus status in feedback.GetPacketStatuses())
        {
            list.Add(status);
        }

        return list;
    }

    [Fact]
    public void ParsesRunLengthExampleWithPadding()
    {
        Assert.True(TransportCcFeedback.TryParse(Hex(PionExample), out TransportCcFeedback feedback));
        Assert.Equal(4195875351u, feedback.SenderSsrc);
        Assert.Equal(1124282272u, feedback.MediaSsrc);
        Assert.Equal(153, feedback.BaseSequenceNumber);
        Assert.Equal(1, feedback.PacketStatusCount);
        Assert.Equal(4057090, feedback.ReferenceTime);
        Assert.Equal(23, feedback.FeedbackPacketCount);
        Assert.Equal([new TransportCcPacketStatus(153, true, ExampleArrival)], Statuses(feedback));
    }

    [Fact]
    public void BuilderReproducesTheExampleBytes()
    {
        var builder = new TransportCcFeedbackBuilder(4195875351, 1124282272, 23, [new TransportCcArrival(153, ExampleArrival)]);
        byte[] bytes = new byte[builder.SerializedLength];
        Assert.Equal(24, builder.WriteTo(bytes));
        Assert.Equal(Hex(PionExample), bytes);
    }

    [Fact]
    public void ParsesStatusVectorChunksAndSignedDeltas()
    {
        // Base 10, 16 packets, reference time 1 (64 ms).
        // 1-bit vector 0xA800 = 1|0|10100000000000: seq 10 and 12 received, 11 and 13-23 lost.
        // 2-bit vector 0xE400 = 1|1|10 01 ...: seq 24 large delta, seq 25 small delta.
        // Deltas 04, 08, fff0 (-16), 02, then three bytes of zero padding.
        byte[] bytes = Hex("8fcd0007 00000001 00000002 000a 0010 000001 00 a800 e400 04 08 fff0 02 000000");
        Assert.True(TransportCcFeedback.TryParse(bytes, out TransportCcFeedback feedback));
        List<TransportCcPacketStatus> statuses = Statuses(feedback);
        Assert.Equal(16, statuses.Count);
        long reference = 64_000;
        Assert.Equal(
            [
                new TransportCcPacketStatus(10, true, reference + (4 * 250)),
                new TransportCcPacketStatus(12, true, reference + (12 * 250)),
                new TransportCcPacketStatus(24, true, reference + ((12 - 16) * 250)),
                new TransportCcPacketStatus(25, true, reference + ((12 - 16 + 2) * 250)),
            ],
            statuses.Where(s => s.IsReceived));
    }

    [Fact]
    public void BuilderRoundTripsLossesReorderingGapsAndLongRuns()
    {
        var arrivals = new List<TransportCcArrival>();
        long time = 10_000_000;
        for (int i = 0; i < 300; i++)
        {
            ushort seq = (ushort)(65500 + i); // wraps past 65535
            if (i % 17 == 3 || i is > 100 and < 140)
            {
                continue; // lost, including a 39-packet run
            }

            time += i % 23 == 0 ? 120_000 : 1_000; // some deltas need two bytes
            if (i % 31 == 0)
            {
                time -= 5_000; // arrival earlier than the previous packet: negative delta
            }

            arrivals.Add(new TransportCcArrival(seq, time));
        }

        var builder = new TransportCcFeedbackBuilder(5, 6, 7, arrivals.ToArray());
        byte[] bytes = new byte[builder.SerializedLength];
        Assert.Equal(bytes.Length, builder.WriteTo(bytes));
        Assert.Equal(0, bytes.Length % 4);

        Assert.True(TransportCcFeedback.TryParse(bytes, out TransportCcFeedback feedback));
        Assert.Equal(300, feedback.PacketStatusCount);
        Assert.Equal((ushort)65500, feedback.BaseSequenceNumber);
        var received = Statuses(feedback).Where(s => s.IsReceived).ToList();
        Assert.Equal(arrivals.Select(a => a.SequenceNumber), received.Select(s => s.SequenceNumber));
        Assert.Equal(arrivals.Select(a => a.ArrivalTimeMicroseconds / 250 * 250), received.Select(s => s.ArrivalTimeMicroseconds));
        Assert.Equal(300 - arrivals.Count, Statuses(feedback).Count(s => !s.IsReceived));
    }

    [Theory]
    [InlineData("8fcd0004 00000001 00000002 000a 0005 000001 00")] // chunks missing
    [InlineData("8fcd0005 00000001 00000002 000a 0003 000001 00 2003 0102")] // 3 small deltas, 2 present
    [InlineData("8fcd0005 00000001 00000002 000a 0003 000001 00 6003 0000")] // symbol 3 is reserved
    [InlineData("8fcd0005 00000001 00000002 000a 0003 000001 00 0000 0000")] // zero run length
    public void MalformedFeedbackIsRejected(string hex) => Assert.False(TransportCcFeedback.TryParse(Hex(hex), out _));
}
