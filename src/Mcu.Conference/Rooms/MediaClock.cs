namespace Mcu.Conference.Rooms;

/// <summary>
/// One of a room's media clocks as a schedule, with no thread: <see cref="RunDue"/> runs the
/// tick if its nominal time has come and says when the next is due. Late ticks catch up rather
/// than drift; after a long stall the clock jumps ahead instead of firing a burst. Whoever
/// drives it (the room's clock threads, or a test on a simulated clock) calls it; one caller at a time.
/// </summary>
internal sealed class MediaClock(long periodMicros, Action<long, long> tick, ClockStats stats, Func<long> clock)
{
    private long _next = long.MinValue;

    public long PeriodMicros => periodMicros;

    /// <summary>Starts over at <paramref name="nowMicros"/> (the room was empty, and waited).</summary>
    public void Restart(long nowMicros) => _next = nowMicros;

    /// <summary>
    /// Runs the tick when it is due at <paramref name="nowMicros"/> (as tick(now in ms, nominal
    /// time in µs)); returns when the next one is due, in µs on the same clock, which is read again
    /// after the tick for the stall check.
    /// </summary>
    public long RunDue(long nowMicros)
    {
        if (_next == long.MinValue)
        {
            _next = nowMicros;
        }
        if (nowMicros < _next)
        {
            return _next;
        }
        long allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        tick(nowMicros / 1000, _next);
        stats.OnTick(GC.GetAllocatedBytesForCurrentThread() - allocatedBefore, lateMicros: nowMicros - _next, periodMicros);
        _next += periodMicros;
        long after = clock();
        if (after - _next > 10 * periodMicros)
        {
            _next = after;
        }
        return _next;
    }
}
