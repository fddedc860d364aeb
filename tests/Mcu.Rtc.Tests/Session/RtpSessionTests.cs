using Mcu.Rtc.Rtcp;
using Mcu.Rtc.Rtp;
using Mcu.Rtc.Session;

namespace Mcu.Rtc.Tests.Session;

/// <summary>A peer's RTP session: TWCC feedback, NACKs and PLIs out, reports both ways, the round trip.</summary>
public class RtpSessionTests
{
    private const int TransportCcId = 3;

    private static RtpSession NewSession(int? transportCc = null, IReceiveStreamFeedback? videoIn = null, RtpSendStream? videoOut = null) =>
        new(new RtpSessionOptions { Cname = "mcu", TransportCcExtensionId = transportCc, VideoNack = true, Remb = true })
        {
            VideoIn = videoIn,
            VideoOut = videoOut,
        };

    private static void Arrive(RtpSession session, ushort transportSequence, long nowMicros, bool audio = false, ushort sequence = 1)
    {
        var header = new RtpHeader { PayloadType = 96, SequenceNumber = sequence, Timestamp = 1, Ssrc = 0xAB };
        Assert.True(header.TryAddExtension(TransportCcId, [(byte)(transportSequence >> 8), (byte)transportSequence]));
        var packet = new byte[header.SerializedLength + 4];
        header.WriteTo(packet);
        Assert.True(RtpPacket.TryParse(packet, out var rtp));
        session.OnRtp(rtp, audio, nowMicros);
    }

    /// <summary>Every packet one poll at <paramref name="nowMs"/> gives, as (type, bytes).</summary>
    private static List<(byte Type, int Format, byte[] Bytes)> Poll(RtpSession session, long nowMs, ulong ntp = 0x1_0000_0000UL, long mediaMicros = 0)
    {
        var list = new List<(byte, int, byte[])>();
        var buffer = new byte[1300];
        int length;
        while ((length = session.PollRtcp(nowMs, ntp, mediaMicros, buffer)) > 0)
        {
            var reader = new RtcpCompoundReader(buffer.AsSpan(0, length));
            Assert.True(reader.TryReadNext(out var header, out _));
            list.Add((header.PacketType, header.Count, buffer[..length]));
        }
        return list;
    }

    private sealed class FakeVideoIn : IReceiveStreamFeedback
    {
        public uint Ssrc { get; set; } = 0xBEEF;

        public long PacketsLost => 0;

        public ushort[] Nacks { get; set; } = [];

        public bool Keyframe { get; set; }

        public int CollectFeedback(long nowMs, int roundTripMs, Span<ushort> nacks, out bool requestKeyframe)
        {
            Nacks.CopyTo(nacks);
            requestKeyframe = Keyframe;
            int count = Nacks.Length;
            Nacks = [];
            Keyframe = false;
            return count;
        }

        public ReportBlock? TakeReportBlock(uint lastSenderReport, uint delaySinceLastSenderReport) =>
            new ReportBlock(Ssrc, 12, 3, 1000, 5, lastSenderReport, delaySinceLastSenderReport);
    }

    [Fact]
    public void Transport_feedback_lists_the_arrivals_in_sequence_order_across_the_wrap_every_interval()
    {
        var session = NewSession(TransportCcId, new FakeVideoIn { Ssrc = 0xAB });
        Poll(session, 0);                           // the first reports
        Arrive(session, 1, 1_000_000);
        Arrive(session, 65535, 1_001_000);     // reordered, and before the wrap
        Arrive(session, 0, 1_002_000);

        var feedbackPacket = Assert.Single(Poll(session, 100), p => p.Type == RtcpPacketType.TransportFeedback);

        Assert.True(TransportCcFeedback.TryParse(feedbackPacket.Bytes, out var feedback));
        Assert.Equal(0xABu, feedback.MediaSsrc);
        var statuses = new List<TransportCcPacketStatus>();
        foreach (var status in feedback.GetPacketStatuses())
        {
            statuses.Add(status);
        }
        Assert.Equal([(ushort)65535, 0, 1], statuses.Select(s => s.SequenceNumber));
        Assert.All(statuses, s => Assert.True(s.IsReceived));

        Arrive(session, 2, 1_040_000);
        Assert.DoesNotContain(Poll(session, 100 + RtpSession.TransportFeedbackIntervalMs - 1), p => p.Type == RtcpPacketType.TransportFeedback);
        var next = Assert.Single(Poll(session, 100 + RtpSession.TransportFeedbackIntervalMs), p => p.Type == RtcpPacketType.TransportFeedback);
        Assert.True(TransportCcFeedback.TryParse(next.Bytes, out var second));
        Assert.Equal(2, second.BaseSequenceNumber);
        Assert.Equal(1, second.FeedbackPacketCount);
    }

    [Fact]
    public void Without_the_extension_negotiated_no_feedback_goes_out()
    {
        var session = NewSession();
        Arrive(session, 1, 0);
        Assert.False(session.TransportCc);
        Assert.DoesNotContain(Poll(session, 1000), p => p.Type == RtcpPacketType.TransportFeedback);
    }

    [Fact]
    public void The_video_streams_nacks_and_keyframe_request_go_out_on_the_next_poll_once()
    {
        var video = new FakeVideoIn { Nacks = [7, 8, 20], Keyframe = true };
        var session = NewSession(videoIn: video);

        var packets = Poll(session, 5000);

        var nack = Assert.Single(packets, p => p.Type == RtcpPacketType.TransportFeedback && p.Format == RtcpPacketType.GenericNackFormat);
        Assert.True(GenericNack.TryParse(nack.Bytes, out var parsed));
        Assert.Equal(0xBEEFu, parsed.MediaSsrc);
        var lost = new List<ushort>();
        foreach (ushort seq in parsed.GetLostSequenceNumbers())
        {
            lost.Add(seq);
        }
        Assert.Equal([(ushort)7, 8, 20], lost);
        Assert.Single(packets, p => p.Type == RtcpPacketType.PayloadSpecificFeedback && p.Format == RtcpPacketType.PictureLossIndicationFormat);
        Assert.Equal(3, session.NacksSent);
        Assert.Equal(1, session.KeyframeRequestsSent);
        // The reports go out once a second; nothing else is due.
        Assert.Single(packets, p => p.Type == RtcpPacketType.ReceiverReport);
        Assert.Empty(Poll(session, 5020));
    }

    [Fact]
    public void Once_we_have_sent_a_sender_report_leads_with_our_timestamps_and_the_blocks_of_what_we_receive()
    {
        var sender = new RtpSendStream(0x5E4D, 96, 90_000, keepHistory: false);
        Assert.True(sender.TryWritePacket(new byte[100], mediaMicros: 0, marker: true, new byte[1300], out _));
        var session = NewSession(videoIn: new FakeVideoIn(), videoOut: sender);
        Arrive(session, 1, 0, audio: true, sequence: 10);
        Arrive(session, 1, 20_000, audio: true, sequence: 12);    // one lost

        var report = Assert.Single(Poll(session, 2000, ntp: 0x1234_5678_0000_0000UL, mediaMicros: 1_000_000));

        Assert.Equal(RtcpPacketType.SenderReport, report.Type);
        var reader = new RtcpCompoundReader(report.Bytes);
        Assert.True(reader.TryReadNext(out _, out var first));
        Assert.True(SenderReport.TryParse(first, out var sr));
        Assert.Equal(0x5E4Du, sr.Ssrc);
        Assert.Equal(sender.TimestampFor(1_000_000), sr.RtpTimestamp);
        Assert.Equal(1u, sr.PacketCount);
        Assert.Equal(2, sr.ReportCount);
        Assert.Equal(0xABu, sr.GetReportBlock(0).Ssrc);          // the audio we receive, one packet lost
        Assert.Equal(1, sr.GetReportBlock(0).CumulativeLost);
        Assert.Equal(0xBEEFu, sr.GetReportBlock(1).Ssrc);
        var rest = new List<byte>();
        while (reader.TryReadNext(out var header, out _))
        {
            rest.Add(header.PacketType);
        }
        Assert.Equal([RtcpPacketType.SourceDescription, RtcpPacketType.PayloadSpecificFeedback], rest);   // SDES, REMB
    }

    [Fact]
    public void A_report_block_echoing_our_sender_report_measures_the_round_trip_and_reports_our_videos_loss()
    {
        var sender = new RtpSendStream(0x5E4D, 96, 90_000, keepHistory: false);
        var session = NewSession(videoOut: sender);
        Assert.False(session.RoundTripMeasured);
        ulong sentAt = 0x0000_1234_0000_0000UL;                  // NTP of our SR: middle 32 bits 0x12340000
        ulong now = sentAt + (300UL << 32) / 1000;               // 300 ms later
        uint delay = 100 * 65536 / 1000;                         // the peer held it 100 ms
        var buffer = new byte[200];
        int length = new ReceiverReport(0x77, [new ReportBlock(0x5E4D, 64, 0, 4242, 0, (uint)(sentAt >> 16), delay)]).WriteTo(buffer);

        var feedback = session.OnRtcp(null, buffer.AsSpan(0, length), nowMs: 1000, ntpNow: now);

        Assert.True(session.RoundTripMeasured);
        Assert.InRange(session.RoundTripMs, 199, 201);
        Assert.Equal((0.25, 4242u), feedback.VideoLoss);
        Assert.Null(feedback.AudioFractionLost);
        Assert.Equal(0, feedback.KeyframeRequests);
    }

    [Fact]
    public void A_report_block_about_our_audio_reports_its_loss()
    {
        var session = new RtpSession(new RtpSessionOptions { Cname = "mcu" }) { AudioOut = new RtpSendStream(0xA0D1, 111, 48_000, keepHistory: false) };
        var buffer = new byte[200];
        int length = new ReceiverReport(0x77, [new ReportBlock(0xA0D1, 32, 3, 100, 0, 0, 0)]).WriteTo(buffer);

        var feedback = session.OnRtcp(null, buffer.AsSpan(0, length), nowMs: 1000, ntpNow: 0);

        Assert.Equal(0.125, feedback.AudioFractionLost);
        Assert.Null(feedback.VideoLoss);
    }

    [Fact]
    public void Our_report_blocks_echo_the_peers_last_sender_report_and_how_long_we_held_it()
    {
        var session = NewSession(videoIn: new FakeVideoIn());
        var buffer = new byte[200];
        int length = new SenderReport(0x77, 0xAAAA_BBBB_CCCC_DDDDUL, 0, 0, 0, default).WriteTo(buffer);
        length += new PictureLossIndication(0x77, 0x5E4D).WriteTo(buffer.AsSpan(length));

        var feedback = session.OnRtcp(null, buffer.AsSpan(0, length), nowMs: 1000, ntpNow: 0);

        Assert.Equal(1, feedback.KeyframeRequests);
        Assert.Equal(1, session.KeyframeRequestsReceived);
        var report = Assert.Single(Poll(session, 1500));
        var reader = new RtcpCompoundReader(report.Bytes);
        Assert.True(reader.TryReadNext(out _, out var first));
        Assert.True(ReceiverReport.TryParse(first, out var rr));
        var block = rr.GetReportBlock(0);
        Assert.Equal(0xBBBB_CCCCu, block.LastSenderReport);
        Assert.Equal(32768u, block.DelaySinceLastSenderReport);  // half a second in 1/65536 s
    }
}
