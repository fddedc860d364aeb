using System.Diagnostics;
using Mcu.Conference.Send;
using Mcu.Rtc.Packetization;

namespace Mcu.Conference.Tests.Send;

public class FramePacerTests
{
    private static (List<(int Subscriber, int Length, bool Marker, double AtMs)> Sent, byte[] Frame, long Paced) Pace(int frameBytes, int subscribers)
    {
        var frame = new byte[frameBytes];
        new Random(5).NextBytes(frame);
        frame[0] = 0x10; // a VP8 frame tag; the packetizer does not care about the rest
        var packetizer = new Vp8Packetizer(1100);
        packetizer.Begin(frame);
        var sent = new List<(int, int, bool, double)>();
        var clock = Stopwatch.StartNew();
        var pacer = new FramePacer(1100);
        pacer.Send(packetizer, subscribers, (s, payload, marker) => sent.Add((s, payload.Length, marker, clock.Elapsed.TotalMilliseconds)));
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
        double spread = sent.Max(p => p.AtMs) - sent.Min(p => p.AtMs);
        Assert.True(spread >= 3, $"spread {spread} ms: several bursts at least 1 ms apart, not one");
        Assert.True(sent.Take(packets / 3).All(p => p.AtMs < sent.Last().AtMs - 1), "the first packets left well before the last");
    }
}
