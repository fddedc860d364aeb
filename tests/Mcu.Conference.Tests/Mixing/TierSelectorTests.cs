using Mcu.Conference.Mixing;

namespace Mcu.Conference.Tests.Mixing;

public class TierSelectorTests
{
    [Fact]
    public void Sustained_loss_steps_down_one_tier_at_a_time()
    {
        var tiers = new TierSelector(OutputTier.High, OutputTier.High);
        Assert.False(tiers.OnLossReport(0.2));
        Assert.False(tiers.OnLossReport(0.2));
        Assert.True(tiers.OnLossReport(0.2));
        Assert.Equal(OutputTier.Medium, tiers.Current);
        for (int i = 0; i < 3; i++)
        {
            tiers.OnLossReport(0.3);
        }
        Assert.Equal(OutputTier.Low, tiers.Current);
        for (int i = 0; i < 10; i++)
        {
            tiers.OnLossReport(0.3);
        }
        Assert.Equal(OutputTier.Low, tiers.Current); // nothing below the lowest
    }

    [Fact]
    public void A_single_bad_report_among_good_ones_does_not_flap()
    {
        var tiers = new TierSelector(OutputTier.Medium, OutputTier.Medium);
        for (int i = 0; i < 30; i++)
        {
            Assert.False(tiers.OnLossReport(i % 3 == 0 ? 0.5 : 0.0));
        }
        Assert.Equal(OutputTier.Medium, tiers.Current);
    }

    [Fact]
    public void After_a_long_clean_spell_it_climbs_back_but_never_above_the_ceiling()
    {
        var tiers = new TierSelector(OutputTier.Medium, OutputTier.Medium);
        for (int i = 0; i < 3; i++)
        {
            tiers.OnLossReport(0.2);
        }
        Assert.Equal(OutputTier.Low, tiers.Current);
        for (int i = 0; i < 9; i++)
        {
            Assert.False(tiers.OnLossReport(0));
        }
        Assert.True(tiers.OnLossReport(0));
        Assert.Equal(OutputTier.Medium, tiers.Current);
        for (int i = 0; i < 50; i++)
        {
            tiers.OnLossReport(0);
        }
        Assert.Equal(OutputTier.Medium, tiers.Current);
    }

    [Fact]
    public void A_pinned_tier_ignores_loss()
    {
        var tiers = new TierSelector(OutputTier.Medium, OutputTier.Medium);
        tiers.Pin(OutputTier.Low);
        for (int i = 0; i < 10; i++)
        {
            Assert.False(tiers.OnLossReport(0.9));
        }
        Assert.Equal(OutputTier.Low, tiers.Current);
    }
}
