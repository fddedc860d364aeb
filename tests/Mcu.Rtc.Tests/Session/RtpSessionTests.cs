using Mcu.Rtc.Rtcp;
using Mcu.Rtc.Rtp;
using Mcu.Rtc.Session;

namespace Mcu.Rtc.Tests.Session;

/// <summary>The receive half of a peer's RTP session: TWCC feedback, the SR echo, the round trip.</summary>
public class RtpSessionTests
{
    private const int TransportCcId = 3;

    private static void Arrive(RtpSession session, ushort transportSequence, long nowMicros)
    {
        var header = new RtpHeader { PayloadType = 96, SequenceNumber = 1, Timestamp = 1, Ssrc = 0xAB };
        Assert.True(header.TryAddExtension(TransportCcId, [(byte)(transportSequence >> 8), (byte)transportSequence]));
        var packet = new byte[header.SerializedLength + 4];
        header.WriteTo(packet);
        Assert.True(RtpPacket.TryParse(packet, out var rtp));
        session.OnPacket(rtp, nowMicros);
    }

    [Fact]
    public void Transport_feedback_lists_the_arrivals_in_sequence_order_across_the_wrap_every_interval()
    {
        var session = new RtpSession(TransportCcId);
        Arrive(session, 1, 1_000_000);
        Arrive(session, 65535, 1_001_000);     // reordered, and before the wrap
        Arrive(session, 0, 1_002_000);
        var buffer = new byte[1200];

        int length = session.TryWriteTransportFeedback(100, senderSsrc: 1, mediaSsrc: 0xAB, buffer);

        Assert.True(length > 0);
        Assert.True(TransportCcFeedback.TryParse(buffer.AsSpan(0, length), out var feedback));
        Assert.Equal(0xABu, feedback.MediaSsrc);
        var statuses = new List<TransportCcPacketStatus>();
        foreach (var status in feedback.GetPacketStatuses())
        {
            statuses.Add(status);
        }
        Assert.Equal([(ushort)65535, 0, 1], statuses.Select(s => s.SequenceNumber));
        Assert.All(statuses, s => Assert.True(s.IsReceived));

        Arrive(session, 2, 1_040_000);
        Assert.Equal(0, session.TryWriteTransportFeedback(100 + RtpSession.TransportFeedbackIntervalMs - 1, 1, 0xAB, buffer));
        int next = session.TryWriteTransportFeedback(100 + RtpSession.TransportFeedbackIntervalMs, 1, 0xAB, buffer);
        Assert.True(TransportCcFeedback.TryParse(buffer.AsSpan(0, next), out var second));
        Assert.Equal(2, second.BaseSequenceNumber);
        Assert.Equal(1, second.FeedbackPacketCount);
    }

    [Fact]
    public void Without_the_extension_negotiated_no_feedback_goes_out()
    {
        var session = new RtpSession(null);
        Arrive(session, 1, 0);
        Assert.False(session.TransportCc);
        Assert.Equal(0, session.TryWriteTransportFeedback(1000, 1, 2, new byte[1200]));
    }

    [Fact]
    public void A_report_block_echoing_our_sender_report_measures_the_round_trip()
    {
        var session = new RtpSession(null);
        Assert.False(session.RoundTripMeasured);
        ulong sentAt = 0x0000_1234_0000_0000UL;                  // NTP of our SR: middle 32 bits 0x12340000
        ulong now = sentAt + (300UL << 32) / 1000;               // 300 ms later
        uint delay = 100 * 65536 / 1000;                         // the peer held it 100 ms

        session.OnReportBlock(new ReportBlock(1, 0, 0, 0, 0, (uint)(sentAt >> 16), delay), now);

        Assert.True(session.RoundTripMeasured);
        Assert.InRange(session.RoundTripMs, 199, 201);
    }

    [Fact]
    public void Our_report_blocks_echo_the_peers_last_sender_report_and_how_long_we_held_it()
    {
        var session = new RtpSession(null);
        Assert.Equal((0u, 0u), session.SenderReportEcho(5000));

        session.OnSenderReport(0xAAAA_BBBB_CCCC_DDDDUL, nowMs: 1000);

        var (lsr, dlsr) = session.SenderReportEcho(1500);
        Assert.Equal(0xBBBB_CCCCu, lsr);
        Assert.Equal(32768u, dlsr);                              // half a second in 1/65536 s
    }
}
