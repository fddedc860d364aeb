using Mcu.Rtc.Rtp;

namespace Mcu.Rtc.Tests.Rtp;

public class ReceiveStatisticsTests
{
    [Fact]
    public void Counts_loss_across_a_sequence_wrap_and_reports_the_fraction_since_last_time()
    {
        var stats = new ReceiveStatistics(90_000);
        ushort seq = 65530;
        for (int i = 0; i < 20; i++, seq++)
        {
            if (i is 5 or 6)
            {
                continue; // two lost, right at the wrap
            }
            stats.OnPacket(0xABCD, seq, (uint)(i * 3000), i * 33_333);
        }
        Assert.Equal(65530u + 19, stats.ExtendedHighestSequence);
        Assert.Equal(20, stats.Expected);
        Assert.Equal(2, stats.CumulativeLost);
        Assert.Equal((2 << 8) / 20, stats.TakeFractionLost());
        Assert.Equal(0, stats.TakeFractionLost()); // nothing new since
    }

    [Fact]
    public void Jitter_is_zero_for_a_perfectly_paced_stream_and_grows_with_irregular_arrivals()
    {
        var paced = new ReceiveStatistics(90_000);
        var irregular = new ReceiveStatistics(90_000);
        for (int i = 0; i < 100; i++)
        {
            paced.OnPacket(1, (ushort)i, (uint)(i * 3000), i * 33_333L + 1);
            irregular.OnPacket(1, (ushort)i, (uint)(i * 3000), i * 33_333L + (i % 2 == 0 ? 0 : 10_000));
        }
        Assert.InRange(paced.Jitter, 0u, 2u);
        Assert.InRange(irregular.Jitter, 700u, 1000u); // ~10 ms of swing at 90 kHz is 900 units
    }
}
