using System.Collections.Concurrent;
using Mcu.Conference.Recording;

namespace Mcu.Server.Recording;

/// <summary>
/// The recordings this process is writing now, with the signal that stops each, and the
/// server's shutdown: at SIGTERM every session is stopped at once (not when Hangfire gets to
/// its server, which stops after others), and <see cref="ShutdownDeadline"/> tells recordings
/// and post-processing how long they have left before the process exits.
/// </summary>
public sealed class RecordingSessions
{
    private readonly ConcurrentDictionary<string, Session> _live = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _deadline = new();
    private volatile bool _shuttingDown;

    public RecordingSessions(IHostApplicationLifetime lifetime, RecordingSettings settings)
    {
        lifetime.ApplicationStopping.Register(() =>
        {
            _shuttingDown = true;
            _deadline.CancelAfter(settings.ShutdownBudget);
            foreach (var session in _live.Values)
            {
                session.Stop.Cancel();
            }
        });
    }

    public sealed class Session
    {
        public CancellationTokenSource Stop { get; } = new();

        public Mp4RoomRecorder? Recorder { get; set; }
    }

    /// <summary>True from SIGTERM (or any stop of the host) on.</summary>
    public bool ShuttingDown => _shuttingDown;

    /// <summary>Cancelled when the shutdown budget (Mcu:ShutdownSeconds less a margin) has run out: what is unfinished then is left to the next start.</summary>
    public CancellationToken ShutdownDeadline => _deadline.Token;

    /// <summary>Registers a job for <paramref name="id"/>; false when one is already running here (a duplicate fetch).</summary>
    public bool TryBegin(string id, out Session session)
    {
        session = new Session();
        if (!_live.TryAdd(id, session))
        {
            return false;
        }
        if (_shuttingDown)
        {
            session.Stop.Cancel(); // began as the host stopped: the stopping callback may have missed it
        }
        return true;
    }

    public void End(string id) => _live.TryRemove(id, out _);

    public bool IsLive(string id) => _live.ContainsKey(id);

    /// <summary>How many recordings this process is writing.</summary>
    public int Count => _live.Count;

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
