using Mcu.Conference.Send;
using Mcu.Rtc.Packetization;

namespace Mcu.Conference.Tests.Send;

/// <summary>
/// The pacer on a clock of the test's own, without its thread: what a room's video tick hands
/// over, and when each packet leaves for which subscriber.
/// </summary>
public class VideoPacerTests
{
    private sealed class ManualClock : TimeProvider
    {
        public long Ms;

        public override long TimestampFrequency => 1000;

        public override long GetTimestamp() => Ms;
    }

    private sealed record Sent(int Subscriber, int Length, bool Marker, long AtMs, long MediaMicros);

    /// <summary>A pacer without its thread, and <paramref name="subscribers"/> queues that note what they send.</summary>
    private sealed class Bench
    {
        private readonly PacedFramePool _frames = new();
        private readonly Vp8Packetizer _packetizer = new(1100);

        public Bench(int subscribers)
        {
            Pacer = new VideoPacer(Clock, startThread: false);
            Queues = Enumerable.Range(0, subscribers)
                .Select(s => new SendQueue(Pacer, (payload, micros, marker) => Sent.Add(new Sent(s, payload.Length, marker, Clock.Ms, micros))))
                .ToArray();
        }

        public ManualClock Clock { get; } = new();

        public VideoPacer Pacer { get; }

        public SendQueue[] Queues { get; }

        public List<Sent> Sent { get; } = [];

        /// <summary>What a video tick does: one frame cut into packets once, handed to every queue.</summary>
        public bool[] Hand(byte[] encoded, long mediaMicros = 0)
        {
            var frame = _frames.Rent();
            frame.Fill(_packetizer, encoded, mediaMicros);
            var taken = Queues.Select(q => q.TryEnqueue(frame)).ToArray();
            frame.Release();
            return taken;
        }

        /// <summary>Runs the pacer as its thread would, each round at the time it asks for.</summary>
        public void RunUntilIdle()
        {
            long next = Pacer.Drain(Clock.Ms);
            while (next != long.MaxValue)
            {
                Clock.Ms = Math.Max(Clock.Ms, next);
                next = Pacer.Drain(Clock.Ms);
            }
        }
    }

    private static byte[] Frame(int bytes)
    {
        var frame = new byte[bytes];
        new Random(bytes).NextBytes(frame);
        frame[0] = 0x10; // a VP8 frame tag; the packetizer does not care about the rest
        return frame;
    }

    [Fact]
    public void A_small_frame_goes_at_once_to_every_subscriber_from_the_pacer_not_the_tick()
    {
        var bench = new Bench(subscribers: 3);
        bench.Hand(Frame(3000), mediaMicros: 4_000_000);
        Assert.Empty(bench.Sent); // the tick only queued it

        bench.Pacer.Drain(bench.Clock.Ms);

        Assert.Equal(3 * 3, bench.Sent.Count);
        Assert.All(bench.Sent, p => Assert.Equal(0, p.AtMs));
        Assert.All(bench.Sent, p => Assert.Equal(4_000_000, p.MediaMicros));
        Assert.Equal(3, bench.Sent.Count(p => p.Marker));
        Assert.Equal(long.MaxValue, bench.Pacer.Drain(bench.Clock.Ms)); // nothing left
    }

    [Fact]
    public void A_large_frame_is_spread_over_several_milliseconds_and_every_packet_reaches_every_subscriber()
    {
        var bench = new Bench(subscribers: 2);
        var frame = Frame(60_000);
        bench.Hand(frame);
        bench.RunUntilIdle();

        int packets = bench.Sent.Count / 2;
        Assert.True(packets > 50);
        Assert.Equal(bench.Sent.Count(p => p.Subscriber == 0), bench.Sent.Count(p => p.Subscriber == 1));
        // Each subscriber gets the whole frame (plus a 4-byte descriptor per packet), ending with the marker.
        Assert.Equal(frame.Length + 4 * packets, bench.Sent.Where(p => p.Subscriber == 0).Sum(p => p.Length));
        Assert.True(bench.Sent.Where(p => p.Subscriber == 1).Last().Marker);
        Assert.Equal(2, bench.Sent.Count(p => p.Marker));
        // Bursts of 8 packets a millisecond apart, each burst to every subscriber, within 10 ms.
        foreach (int subscriber in new[] { 0, 1 })
        {
            var perMs = bench.Sent.Where(p => p.Subscriber == subscriber).GroupBy(p => p.AtMs).ToList();
            Assert.Equal(Enumerable.Range(0, perMs.Count).Select(ms => (long)ms), perMs.Select(g => g.Key));
            Assert.All(perMs.SkipLast(1), g => Assert.Equal(8, g.Count()));
            Assert.InRange(perMs.Count, 3, PacedFrame.MaxRounds);
        }
    }

    [Fact]
    public void A_huge_frame_still_goes_within_ten_rounds_in_larger_bursts()
    {
        var bench = new Bench(subscribers: 1);
        bench.Hand(Frame(400_000)); // ~370 packets: more than 10 rounds of 8
        bench.RunUntilIdle();

        var perMs = bench.Sent.GroupBy(p => p.AtMs).ToList();
        Assert.Equal(PacedFrame.MaxRounds, perMs.Count);
        Assert.Equal(400_000 + 4 * bench.Sent.Count, bench.Sent.Sum(p => p.Length));
        Assert.True(bench.Sent.Last().Marker);
    }

    [Fact]
    public void Frames_of_one_queue_go_in_order_the_next_starting_when_the_last_is_done()
    {
        var bench = new Bench(subscribers: 1);
        bench.Hand(Frame(60_000), mediaMicros: 0);
        bench.Hand(Frame(2000), mediaMicros: 33_333);
        bench.RunUntilIdle();

        int firstMarker = bench.Sent.FindIndex(p => p.Marker);
        Assert.All(bench.Sent.Take(firstMarker + 1), p => Assert.Equal(0, p.MediaMicros));
        Assert.All(bench.Sent.Skip(firstMarker + 1), p => Assert.Equal(33_333, p.MediaMicros));
        Assert.Equal(2, bench.Sent.Skip(firstMarker + 1).Count());
        // The small frame goes in the round that ends the large one.
        Assert.Equal(bench.Sent[firstMarker].AtMs, bench.Sent[^1].AtMs);
    }

    [Fact]
    public void A_full_queue_drops_and_counts_the_frame_and_never_blocks_the_tick()
    {
        var bench = new Bench(subscribers: 2);
        // The pacer does not run: subscriber 0's queue fills; so does 1's.
        for (int i = 0; i < SendQueue.Capacity; i++)
        {
            Assert.Equal(new[] { true, true }, bench.Hand(Frame(2000), mediaMicros: i));
        }
        Assert.Equal(new[] { false, false }, bench.Hand(Frame(2000), mediaMicros: 99));
        Assert.Equal(1, bench.Queues[0].FramesDropped);
        Assert.Equal(SendQueue.Capacity, bench.Queues[0].Count);

        bench.RunUntilIdle();
        // What was queued went out whole, in order; the dropped frame never.
        var micros = bench.Sent.Where(p => p.Subscriber == 0 && p.Marker).Select(p => p.MediaMicros);
        Assert.Equal(Enumerable.Range(0, SendQueue.Capacity).Select(i => (long)i), micros);
        Assert.Equal(0, bench.Queues[0].Count);
        Assert.Equal(new[] { true, true }, bench.Hand(Frame(2000), mediaMicros: 100));
    }

    [Fact]
    public void A_cleared_queue_sends_nothing_more_and_leaves_the_pacer()
    {
        var bench = new Bench(subscribers: 2);
        bench.Hand(Frame(60_000));
        bench.Pacer.Drain(0);
        int before = bench.Sent.Count(p => p.Subscriber == 0);
        bench.Queues[0].Clear();
        bench.RunUntilIdle();

        Assert.Equal(before, bench.Sent.Count(p => p.Subscriber == 0));
        Assert.True(bench.Sent.Where(p => p.Subscriber == 1).Last().Marker);
        Assert.Equal(long.MaxValue, bench.Pacer.Drain(bench.Clock.Ms));
    }

    [Fact]
    public async Task The_pacer_thread_sends_what_it_is_handed()
    {
        using var pacer = new VideoPacer();
        int packets = 0, markers = 0;
        var queue = new SendQueue(pacer, (_, _, marker) =>
        {
            Interlocked.Increment(ref packets);
            if (marker)
            {
                Interlocked.Increment(ref markers);
            }
        });
        var pool = new PacedFramePool();
        var packetizer = new Vp8Packetizer(1100);
        int expected = 0;
        for (int i = 0; i < 3; i++)
        {
            var frame = pool.Rent();
            frame.Fill(packetizer, Frame(30_000), i);
            expected += frame.Count;
            Assert.True(queue.TryEnqueue(frame));
            frame.Release();
            await Task.Delay(40);
        }
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (Volatile.Read(ref markers) < 3 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(10);
        }
        Assert.Equal(3, Volatile.Read(ref markers));
        Assert.Equal(expected, Volatile.Read(ref packets));
    }
}
