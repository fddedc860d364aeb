namespace Mcu.Conference.Rooms;

/// <summary>What one of a room's media clocks did: ticks, ticks that started late, bytes allocated per tick.</summary>
public sealed class ClockStats
{
    private long _ticks;
    private long _lateTicks;
    private long _lastAllocatedBytes;
    private double _averageAllocatedBytes;

    public long Ticks => Volatile.Read(ref _ticks);

    /// <summary>Ticks that began more than half a period after their nominal time (the room was behind).</summary>
    public long LateTicks => Volatile.Read(ref _lateTicks);

    /// <summary>Bytes the last tick allocated on the clock's thread.</summary>
    public long LastAllocatedBytes => Volatile.Read(ref _lastAllocatedBytes);

    /// <summary>Bytes allocated per tick, averaged over the last ~100 ticks.</summary>
    public double AverageAllocatedBytes => Volatile.Read(ref _averageAllocatedBytes);

    internal void OnTick(long allocatedBytes, long lateMicros, long periodMicros)
    {
        Volatile.Write(ref _ticks, _ticks + 1);
        if (lateMicros > periodMicros / 2)
        {
            Volatile.Write(ref _lateTicks, _lateTicks + 1);
        }
        Volatile.Write(ref _lastAllocatedBytes, allocatedBytes);
        Volatile.Write(ref _averageAllocatedBytes, _averageAllocatedBytes + (allocatedBytes - _averageAllocatedBytes) / 100);
    }
}
