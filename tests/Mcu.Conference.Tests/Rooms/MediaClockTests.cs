using Mcu.Conference.Rooms;

namespace Mcu.Conference.Tests.Rooms;

/// <summary>A room clock's schedule, on a clock the test moves: on time, late, and after a stall.</summary>
public class MediaClockTests
{
    private long _nowMicros;
    private readonly List<(long NowMs, long Nominal)> _ticks = [];
    private readonly ClockStats _stats = new();

    private MediaClock Clock() => new(20_000, (nowMs, nominal) => _ticks.Add((nowMs, nominal)), _stats, () => _nowMicros);

    [Fact]
    public void Ticks_on_time_run_once_per_period_and_say_when_the_next_is_due()
    {
        var clock = Clock();
        Assert.Equal(20_000, clock.RunDue(0));
        Assert.Equal(20_000, clock.RunDue(_nowMicros = 10_000));   // not due yet: nothing runs
        Assert.Equal(40_000, clock.RunDue(_nowMicros = 20_000));
        Assert.Equal([(0L, 0L), (20L, 20_000L)], _ticks);
        Assert.Equal(2, _stats.Ticks);
        Assert.Equal(0, _stats.LateTicks);
    }

    [Fact]
    public void A_late_tick_is_counted_and_the_next_ones_catch_up_on_the_nominal_grid()
    {
        var clock = Clock();
        clock.RunDue(0);
        Assert.Equal(40_000, clock.RunDue(_nowMicros = 35_000));   // 15 ms late: runs, counted late
        Assert.Equal(60_000, clock.RunDue(_nowMicros = 41_000));   // the next keeps the nominal grid: due 5 ms after the late one
        Assert.Equal([0L, 20_000L, 40_000L], _ticks.Select(t => t.Nominal));
        Assert.Equal(3, _stats.Ticks);
        Assert.Equal(1, _stats.LateTicks);
    }

    [Fact]
    public void After_a_long_stall_the_clock_jumps_ahead_instead_of_firing_a_burst()
    {
        var clock = Clock();
        clock.RunDue(0);
        Assert.Equal(1_000_000, clock.RunDue(_nowMicros = 1_000_000));   // one tick, then the grid starts again from now
        Assert.Equal(1_020_000, clock.RunDue(1_000_000));
        Assert.Equal([0L, 20_000L, 1_000_000L], _ticks.Select(t => t.Nominal));
    }
}
