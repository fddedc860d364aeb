using Mcu.Rtc.Session;

namespace Mcu.Rtc.Tests.Session;

/// <summary>Retransmissions within a budget of the stream's own rate, each packet at most once per round trip.</summary>
public class RtpSendStreamBudgetTests
{
    private sealed class ManualTime : TimeProvider
    {
        public long Ms { get; set; } = 10_000;

        public override long TimestampFrequency => 1000;

        public override long GetTimestamp() => Ms;
    }

    private const int PayloadBytes = 1000;

    private static readonly byte[] Packet = new byte[1500];

    /// <summary>Sends at 30 packets a second for <paramref name="seconds"/>; returns the first sequence number.</summary>
    private static ushort SendFor(RtpSendStream sender, ManualTime time, int seconds)
    {
        ushort first = sender.NextSequenceNumber;
        var payload = new byte[PayloadBytes];
        for (int i = 0; i < seconds * 30; i++)
        {
            Assert.True(sender.TryWritePacket(payload, time.Ms * 1000, marker: true, Packet, out _));
            time.Ms += 33;
        }
        return first;
    }

    [Fact]
    public void A_nack_for_the_whole_history_gets_a_quarter_second_of_the_send_rate()
    {
        var time = new ManualTime();
        var sender = new RtpSendStream(1, 96, 90_000, keepHistory: true, time);
        SendFor(sender, time, 2);
        ushort newest = (ushort)(sender.NextSequenceNumber - 1);
        var buffer = new byte[1500];

        // ~30 kB/s sent: a quarter second of that is 7 packets of ~1 kB.
        int taken = Enumerable.Range(0, 60).Count(i => sender.TryTakeRetransmission((ushort)(newest - i), 100, buffer, out _));

        Assert.InRange(taken, 5, 8);
        Assert.Equal(60 - taken, sender.RetransmissionsRefused);
    }

    [Fact]
    public void Over_time_retransmissions_stay_within_the_streams_own_rate()
    {
        var time = new ManualTime();
        var sender = new RtpSendStream(1, 96, 90_000, keepHistory: true, time);
        SendFor(sender, time, 2);
        var buffer = new byte[1500];
        long resentBytes = 0;
        var payload = new byte[PayloadBytes];
        // Three seconds of sending on, and of NACKing the last 300 packets every 100 ms.
        for (int tick = 0; tick < 30; tick++)
        {
            for (int i = 0; i < 3; i++)
            {
                sender.TryWritePacket(payload, time.Ms * 1000, true, Packet, out _);
                time.Ms += 33;
            }
            time.Ms += 1;
            ushort newest = (ushort)(sender.NextSequenceNumber - 1);
            for (int i = 0; i < 300; i++)
            {
                if (sender.TryTakeRetransmission((ushort)(newest - i), 100, buffer, out int length))
                {
                    resentBytes += length;
                }
            }
        }

        long sentBytes = 3 * 30 * (PayloadBytes + 12);
        Assert.InRange(resentBytes, sentBytes / 2, sentBytes + sentBytes / 10);
    }

    [Fact]
    public void A_packet_is_resent_at_most_once_per_round_trip()
    {
        var time = new ManualTime();
        var sender = new RtpSendStream(1, 96, 90_000, keepHistory: true, time);
        SendFor(sender, time, 2);
        ushort seq = (ushort)(sender.NextSequenceNumber - 1);
        var buffer = new byte[1500];

        Assert.True(sender.TryTakeRetransmission(seq, 80, buffer, out int length));
        Assert.True(length > PayloadBytes);
        time.Ms += 79;
        Assert.False(sender.TryTakeRetransmission(seq, 80, buffer, out _));
        time.Ms += 1;
        Assert.True(sender.TryTakeRetransmission(seq, 80, buffer, out _));
        Assert.Equal(2, sender.Retransmissions);
    }

    [Fact]
    public void A_packet_gone_from_the_history_is_not_resent_nor_counted_as_refused()
    {
        var time = new ManualTime();
        var sender = new RtpSendStream(1, 96, 90_000, keepHistory: true, time);
        ushort first = SendFor(sender, time, 20);   // 600 packets: the first ones are overwritten

        Assert.False(sender.TryTakeRetransmission(first, 100, new byte[1500], out _));
        Assert.Equal(0, sender.RetransmissionsRefused);
    }
}
