namespace Mcu.Conference.Mixing;

/// <summary>The last few hundred server-added latencies of a room, for percentiles.</summary>
public sealed class LatencySamples
{
    private readonly long[] _samples = new long[512];
    private readonly Lock _lock = new();
    private int _count;
    private int _next;

    public void Add(long milliseconds)
    {
        lock (_lock)
        {
            _samples[_next] = milliseconds;
            _next = (_next + 1) % _samples.Length;
            _count = Math.Min(_count + 1, _samples.Length);
        }
    }

    /// <summary>The p-th percentile (0..100) of the samples held, or null when there are none.</summary>
    public long? Percentile(double p)
    {
        long[] sorted;
        lock (_lock)
        {
            if (_count == 0)
            {
                return null;
            }
            sorted = _samples.AsSpan(0, _count).ToArray();
        }
        Array.Sort(sorted);
        int index = (int)Math.Clamp(Math.Ceiling(p / 100 * sorted.Length) - 1, 0, sorted.Length - 1);
        return sorted[index];
    }
}
