using Mcu.Rtc.Rtp;

namespace Mcu.Rtc.Tests.Rtp;

public class JitterBufferTests
{
    private static byte[] Packet(ushort seq) => [(byte)(seq >> 8), (byte)seq, 0xAB];

    private static List<(ushort Seq, bool AfterGap)> Drain(JitterBuffer buffer, long now)
    {
        var result = new List<(ushort, bool)>();
        while (buffer.TryDequeue(now, out var p))
        {
            Assert.Equal(Packet(p.SequenceNumber), p.Data.ToArray());
            result.Add((p.SequenceNumber, p.AfterGap));
        }
        return result;
    }

    [Fact]
    public void Reordered_packets_come_out_in_sequence_order()
    {
        var buffer = new JitterBuffer();
        foreach (ushort seq in new ushort[] { 10, 12, 11, 14, 13 })
        {
            buffer.Insert(Packet(seq), seq, nowMs: 0);
        }
        Assert.Equal([(10, false), (11, false), (12, false), (13, false), (14, false)],
            Drain(buffer, 0).Select(p => ((int)p.Seq, p.AfterGap)));
    }

    [Fact]
    public void Sequence_numbers_wrap_around()
    {
        var buffer = new JitterBuffer();
        foreach (ushort seq in new ushort[] { 65534, 0, 65535, 1 })
        {
            buffer.Insert(Packet(seq), seq, 0);
        }
        Assert.Equal(new ushort[] { 65534, 65535, 0, 1 }, Drain(buffer, 0).Select(p => p.Seq));
    }

    [Fact]
    public void A_missing_packet_is_nacked_after_the_reorder_delay_then_every_rtt_then_given_up()
    {
        var buffer = new JitterBuffer { NackDelayMs = 10, RoundTripMs = 40, MaxNackRetries = 3, MaxWaitMs = 1000 };
        buffer.Insert(Packet(1), 1, 0);
        buffer.Insert(Packet(3), 3, 0);
        Span<ushort> nacks = stackalloc ushort[8];
        Assert.Equal(0, buffer.CollectNacks(5, nacks));
        Assert.Equal(1, buffer.CollectNacks(10, nacks));
        Assert.Equal(2, nacks[0]);
        Assert.Equal(0, buffer.CollectNacks(30, nacks));
        Assert.Equal(1, buffer.CollectNacks(50, nacks));
        Assert.Equal(1, buffer.CollectNacks(90, nacks));
        Assert.Equal(0, buffer.CollectNacks(500, nacks)); // retries spent

        // Packet 1 is out at once; 3 waits for 2 until the last retry's round trip has passed.
        Assert.Equal(new ushort[] { 1 }, Drain(buffer, 100).Select(p => p.Seq));
        var rest = Drain(buffer, 131);
        Assert.Equal([(3, true)], rest.Select(p => ((int)p.Seq, p.AfterGap)));
        Assert.Equal(1, buffer.PacketsLost);
    }

    [Fact]
    public void A_retransmission_fills_the_hole_and_nothing_is_lost()
    {
        var buffer = new JitterBuffer();
        buffer.Insert(Packet(7), 7, 0);
        buffer.Insert(Packet(9), 9, 0);
        Assert.Equal(new ushort[] { 7 }, Drain(buffer, 20).Select(p => p.Seq));
        buffer.Insert(Packet(8), 8, 60);
        Assert.Equal([(8, false), (9, false)], Drain(buffer, 60).Select(p => ((int)p.Seq, p.AfterGap)));
        Assert.Equal(0, buffer.PacketsLost);
    }

    [Fact]
    public void Duplicates_and_late_packets_are_refused()
    {
        var buffer = new JitterBuffer();
        Assert.True(buffer.Insert(Packet(5), 5, 0));
        Assert.False(buffer.Insert(Packet(5), 5, 0));
        Drain(buffer, 0);
        Assert.False(buffer.Insert(Packet(4), 4, 0));
        Assert.Equal(2, buffer.DuplicatesOrLate);
    }

    [Fact]
    public void A_huge_jump_restarts_the_buffer()
    {
        var buffer = new JitterBuffer();
        buffer.Insert(Packet(100), 100, 0);
        Drain(buffer, 0);
        buffer.Insert(Packet(30000), 30000, 0);
        var packets = Drain(buffer, 0);
        Assert.Equal([(30000, true)], packets.Select(p => ((int)p.Seq, p.AfterGap)));
    }
}
