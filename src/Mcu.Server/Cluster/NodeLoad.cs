using System.Diagnostics;
using Mcu.Conference.Rooms;

namespace Mcu.Server.Cluster;

/// <summary>What this node carries, for placing new rooms: participants, rooms, and the process's CPU since the last look.</summary>
public sealed class NodeLoad(RoomDirectory rooms, TimeProvider time)
{
    private readonly Lock _lock = new();
    private TimeSpan _cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
    private long _before = time.GetTimestamp();

    public int Rooms => rooms.Rooms.Count;

    public int Participants => rooms.Rooms.Sum(r => r.Participants.Count);

    /// <summary>The process's CPU time since the previous call, in % of the whole machine (all cores).</summary>
    public double CpuPercent()
    {
        lock (_lock)
        {
            var cpu = Process.GetCurrentProcess().TotalProcessorTime;
            long now = time.GetTimestamp();
            double wall = time.GetElapsedTime(_before, now).TotalMilliseconds * Environment.ProcessorCount;
            double percent = wall <= 0 ? 0 : (cpu - _cpuBefore).TotalMilliseconds / wall * 100;
            _cpuBefore = cpu;
            _before = now;
            return Math.Round(Math.Clamp(percent, 0, 100), 1);
        }
    }
}
