using Mcu.Conference.Mixing;

namespace Mcu.Conference.Tests.Mixing;

public class TierSelectorTests
{
    /// <summary>A receiver that reports once a second, each report covering 100 more packets.</summary>
    private sealed class Reports(TierSelector tiers)
    {
        private uint _highest = 1000;
        private long _nowMs;

        public bool Next(double fractionLost, int packets = 100, int afterMs = TierSelector.WindowMs)
        {
            _nowMs += afterMs;
            _highest += (uint)packets;
            return tiers.OnLossReport(fractionLost, _highest, _nowMs);
        }

        /// <summary>Reports once a second for <paramref name="seconds"/>; how many of them changed the tier.</summary>
        public int For(int seconds, double fractionLost) => Enumerable.Range(0, seconds).Count(_ => Next(fractionLost));
    }

    [Fact]
    public void Sustained_loss_steps_down_one_tier_at_a_time()
    {
        var tiers = new TierSelector(OutputTier.High, OutputTier.High);
        var reports = new Reports(tiers);
        // A window is judged when the next one starts: three lossy seconds, then the fourth report.
        Assert.False(reports.Next(0.2));
        Assert.False(reports.Next(0.2));
        Assert.False(reports.Next(0.2));
        Assert.True(reports.Next(0.2));
        Assert.Equal(OutputTier.Medium, tiers.Current);
        reports.For(3, 0.3);
        Assert.Equal(OutputTier.Low, tiers.Current);
        reports.For(10, 0.3);
        Assert.Equal(OutputTier.Low, tiers.Current); // nothing below the lowest
    }

    [Fact]
    public void A_single_bad_report_among_good_ones_does_not_flap()
    {
        var tiers = new TierSelector(OutputTier.Medium, OutputTier.Medium);
        var reports = new Reports(tiers);
        for (int i = 0; i < 30; i++)
        {
            Assert.False(reports.Next(i % 3 == 0 ? 0.5 : 0.0));
        }
        Assert.Equal(OutputTier.Medium, tiers.Current);
    }

    [Fact]
    public void A_burst_of_lossy_reports_within_one_window_is_one_sample_and_does_not_step_down()
    {
        var tiers = new TierSelector(OutputTier.High, OutputTier.High);
        var reports = new Reports(tiers);
        reports.For(5, 0.0);
        // 50 reports in 50 ms, each claiming all was lost: per report this stepped down at the third.
        for (int i = 0; i < 50; i++)
        {
            Assert.False(reports.Next(1.0, packets: 2, afterMs: 1));
        }
        reports.For(5, 0.0);
        Assert.Equal(OutputTier.High, tiers.Current);
    }

    [Fact]
    public void Repeats_of_one_report_weigh_nothing()
    {
        var tiers = new TierSelector(OutputTier.High, OutputTier.High);
        long now = 0;
        Assert.False(tiers.OnLossReport(0, 1000, now));
        // The same lossy report replayed every 300 ms for 10 s covers no new packet.
        for (int i = 0; i < 34; i++)
        {
            now += 300;
            Assert.False(tiers.OnLossReport(0.9, 1000, now));
        }
        Assert.Equal(OutputTier.High, tiers.Current);
    }

    [Fact]
    public void Loss_is_weighted_by_the_packets_each_report_covers()
    {
        var tiers = new TierSelector(OutputTier.High, OutputTier.High);
        var reports = new Reports(tiers);
        for (int second = 0; second < 6; second++)
        {
            // In each second: one report of 50 % over 10 packets, one clean over 990: 0.5 % lost.
            reports.Next(0.5, packets: 10, afterMs: 500);
            reports.Next(0.0, packets: 990, afterMs: 500);
        }
        Assert.Equal(OutputTier.High, tiers.Current);
    }

    [Fact]
    public void After_a_long_clean_spell_it_climbs_back_but_never_above_the_ceiling()
    {
        var tiers = new TierSelector(OutputTier.Medium, OutputTier.Medium);
        var reports = new Reports(tiers);
        reports.For(4, 0.2);
        Assert.Equal(OutputTier.Low, tiers.Current);
        // The fourth lossy report opened a lossy window; it is judged by the first clean report.
        Assert.Equal(0, reports.For(10, 0));
        Assert.True(reports.Next(0));
        Assert.Equal(OutputTier.Medium, tiers.Current);
        reports.For(50, 0);
        Assert.Equal(OutputTier.Medium, tiers.Current);
    }

    [Fact]
    public void A_pinned_tier_ignores_loss()
    {
        var tiers = new TierSelector(OutputTier.Medium, OutputTier.Medium);
        tiers.Pin(OutputTier.Low);
        var reports = new Reports(tiers);
        Assert.Equal(0, reports.For(10, 0.9));
        Assert.Equal(OutputTier.Low, tiers.Current);
    }
}
