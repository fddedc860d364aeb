using Mcu.Conference.Send;
using Mcu.Rtc.Packetization;

namespace Mcu.Conference.Tests.Send;

public class FramePacerTests
{
    /// <summary>A clock that moves only when the pacer waits: timing without the machine's load in it.</summary>
    private sealed class SteppedClock : TimeProvider
    {
        public long Ms;

        public override long TimestampFrequency => 1000;

        public override long GetTimestamp() => Ms;
    }

    private static (List<(int Subscriber, int Length, bool Marker, double AtMs)> Sent, byte[] Frame, long Paced) Pace(int frameBytes, int subscribers)
    {
        var frame = new byte[frameBytes];
        new Random(5).NextBytes(frame);
        frame[0] = 0x10; // a VP8 frame tag; the packetizer does not care about the rest
        var packetizer = new Vp8Packetizer(1100);
        packetizer.Begin(frame);
        var sent = new List<(int, int, bool, double)>();
        var clock = new SteppedClock();
        var pacer = new FramePacer(1100, clock, () => clock.Ms++);
        pacer.Send(packetizer, subscribers, (s, payload, marker) => sent.Add((s, payload.Length, marker, clock.Ms)));
        return (sent, frame, pacer.PacedFrames);
    }

    [Fact]
    public void A_small_frame_goes_at_once_to_every_subscriber()
    {
        var (sent, _, paced) = Pace(3000, subscribers: 3);
        Assert.Equal(3 * 3, sent.Count);
        Assert.Equal(3, sent.Count(p => p.Marker));
        Assert.Equal(0, paced);
    }

    [Fact]
    public void A_large_frame_is_spread_over_several_milliseconds_and_every_packet_reaches_every_subscriber()
    {
        var (sent, frame, paced) = Pace(60_000, subscribers: 2);
        Assert.Equal(1, paced);
        int packets = sent.Count / 2;
        Assert.True(packets > 50);
        Assert.Equal(sent.Count(p => p.Subscriber == 0), sent.Count(p => p.Subscriber == 1));
        // Each subscriber gets the whole frame (plus a 4-byte descriptor per packet), ending with the marker.
        Assert.Equal(frame.Length + 4 * packets, sent.Where(p => p.Subscriber == 0).Sum(p => p.Length));
        Assert.True(sent.Where(p => p.Subscriber == 1).Last().Marker);
        // Bursts of 8 packets a millisecond apart, each burst to every subscriber, within 10 ms.
        var perMs = sent.Where(p => p.Subscriber == 0).GroupBy(p => p.AtMs).ToList();
        Assert.Equal(Enumerable.Range(0, perMs.Count).Select(ms => (double)ms), perMs.Select(g => g.Key));
        Assert.All(perMs.SkipLast(1), g => Assert.Equal(8, g.Count()));
        Assert.InRange(perMs.Count, 3, FramePacer.MaxSpreadMs);
    }
}
