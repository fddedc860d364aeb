using Mcu.Rtc.Packetization;
using Mcu.Rtc.Rtp;
using Mcu.Rtc.Session;

namespace Mcu.Rtc.Tests.Session;

/// <summary>One inbound video SSRC: RTP packets in, whole frames, NACKs, keyframe requests and report blocks out.</summary>
public class RtpReceiveStreamTests
{
    private const int PayloadType = 96;
    private const uint Ssrc = 0x1234;

    // VP8 payloads: descriptor byte (S=1 on a frame's first packet), then the frame's bytes.
    private static readonly byte[] Keyframe = [0x10, 0x00, 0, 0, 0x9D, 0x01, 0x2A, 160, 0, 96, 0];
    private static readonly byte[] Delta = [0x10, 0x01, 2, 3];

    private static RtpReceiveStream NewStream() => new(PayloadType, 90_000, Vp8Depacketizer.CreateAssembler());

    private static void Send(RtpReceiveStream stream, ushort seq, uint timestamp, byte[] payload, long nowMs)
    {
        var packet = new byte[12 + payload.Length];
        int header = new RtpHeader { PayloadType = PayloadType, SequenceNumber = seq, Timestamp = timestamp, Ssrc = Ssrc, Marker = true }.WriteTo(packet);
        payload.CopyTo(packet.AsSpan(header));
        Assert.True(RtpPacket.TryParse(packet, out var rtp));
        stream.OnPacket(rtp, nowMs);
    }

    private static List<(bool Keyframe, uint Timestamp, byte[] Data)> Take(RtpReceiveStream stream, long nowMs)
    {
        var frames = new List<(bool, uint, byte[])>();
        while (stream.TryTakeFrame(nowMs, out var frame))
        {
            frames.Add((frame.IsKeyframe, frame.Timestamp, frame.Data.ToArray()));
        }
        return frames;
    }

    [Fact]
    public void Deltas_before_the_first_keyframe_are_skipped_and_a_keyframe_is_asked_for()
    {
        var stream = NewStream();
        Send(stream, 10, 1000, Delta, 0);

        Assert.Empty(Take(stream, 0));
        Assert.True(stream.TakeKeyframeRequest(0));

        Send(stream, 11, 4000, Keyframe, 5);
        Send(stream, 12, 7000, Delta, 10);

        var frames = Take(stream, 10);
        Assert.Equal([(true, 4000u), (false, 7000u)], frames.Select(f => (f.Keyframe, f.Timestamp)));
        Assert.Equal(Keyframe[1..], frames[0].Data);
        Assert.Equal(Ssrc, stream.Ssrc);
        Assert.False(stream.TakeKeyframeRequest(1000));   // the keyframe came
    }

    [Fact]
    public void Keyframe_requests_are_rate_limited()
    {
        var stream = NewStream();
        Assert.True(stream.TakeKeyframeRequest(0));
        Assert.False(stream.TakeKeyframeRequest(RtpReceiveStream.KeyframeRequestIntervalMs - 1));
        Assert.True(stream.TakeKeyframeRequest(RtpReceiveStream.KeyframeRequestIntervalMs));
        Assert.Equal(2, stream.KeyframeRequests);
    }

    [Fact]
    public void A_reordered_packet_completes_in_order_and_a_missing_one_is_nacked_after_a_round_trip()
    {
        var stream = NewStream();
        Send(stream, 1, 1000, Keyframe, 0);
        Send(stream, 3, 7000, Delta, 0);              // 2 is missing
        Assert.Single(Take(stream, 0));               // the keyframe; 3 waits for 2

        var nacks = new ushort[8];
        stream.RoundTripMs = 40;
        Assert.Equal([(ushort)2], nacks.AsSpan(0, stream.CollectNacks(20, nacks)).ToArray());
        Assert.Equal(0, stream.CollectNacks(30, nacks));                 // within a round trip: not again
        Assert.Equal(1, stream.CollectNacks(61, nacks));                 // after one

        Send(stream, 2, 4000, Delta, 62);
        Assert.Equal([4000u, 7000u], Take(stream, 62).Select(f => f.Timestamp));
    }

    [Fact]
    public void A_frame_lost_for_good_skips_to_the_next_keyframe()
    {
        var stream = NewStream();
        Send(stream, 1, 1000, Keyframe, 0);
        Assert.Single(Take(stream, 0));
        Assert.False(stream.TakeKeyframeRequest(0));

        Send(stream, 3, 7000, Delta, 0);              // 2 never comes
        Send(stream, 4, 10000, Delta, 0);
        var late = Take(stream, 10_000);              // long after every wait ran out
        Assert.Empty(late);                           // the deltas after the hole are of no use
        Assert.True(stream.TakeKeyframeRequest(10_000));
        Assert.Equal(1, stream.PacketsLost);

        Send(stream, 5, 13000, Keyframe, 10_001);
        Assert.Equal([(true, 13000u)], Take(stream, 10_001).Select(f => (f.Keyframe, f.Timestamp)));
    }

    [Fact]
    public void The_report_block_counts_what_was_lost_since_the_last_one()
    {
        var stream = NewStream();
        Send(stream, 1, 1000, Keyframe, 0);
        Send(stream, 2, 4000, Delta, 33);
        Send(stream, 4, 10000, Delta, 99);            // 3 lost

        var block = stream.TakeReportBlock(lastSenderReport: 0xABCD, delaySinceLastSenderReport: 7);

        Assert.Equal(Ssrc, block.Ssrc);
        Assert.Equal(4u, block.ExtendedHighestSequence);
        Assert.Equal(1, block.CumulativeLost);
        Assert.Equal((byte)64, block.FractionLost);         // 1 of 4, in 1/256
        Assert.Equal(0xABCDu, block.LastSenderReport);
        Assert.Equal((byte)0, stream.TakeReportBlock(0, 0).FractionLost);   // nothing new lost since
    }
}
