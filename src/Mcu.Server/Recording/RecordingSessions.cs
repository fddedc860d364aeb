using System.Collections.Concurrent;
using Mcu.Conference.Recording;

namespace Mcu.Server.Recording;

/// <summary>The recordings this process is writing now, with the signal that stops each.</summary>
public sealed class RecordingSessions
{
    private readonly ConcurrentDictionary<string, Session> _live = new(StringComparer.Ordinal);

    public sealed class Session
    {
        public CancellationTokenSource Stop { get; } = new();

        public Mp4RoomRecorder? Recorder { get; set; }
    }

    /// <summary>Registers a job for <paramref name="id"/>; false when one is already running here (a duplicate fetch).</summary>
    public bool TryBegin(string id, out Session session)
    {
        session = new Session();
        return _live.TryAdd(id, session);
    }

    public void End(string id) => _live.TryRemove(id, out _);

    public bool IsLive(string id) => _live.ContainsKey(id);

    public Mp4RoomRecorder? RecorderOf(string id) => _live.TryGetValue(id, out var s) ? s.Recorder : null;

    /// <summary>Signals the job writing <paramref name="id"/> to stop; false when none runs here.</summary>
    public bool Stop(string id)
    {
        if (!_live.TryGetValue(id, out var session))
        {
            return false;
        }
        session.Stop.Cancel();
        return true;
    }
}
