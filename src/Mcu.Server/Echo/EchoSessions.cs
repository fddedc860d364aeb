using Mcu.Rtc.Echo;
using System.Collections.Concurrent;
using Mcu.Rtc.Peer;
using Mcu.Rtc.Transport;
using Microsoft.Extensions.Options;

namespace Mcu.Server.Echo;

/// <summary>
/// The echo sessions alive now. A session leaves when its connection fails, times out or
/// closes, so offers that never connect cost nothing after the set-up timeout; the number
/// alive at once is capped (the endpoint is open to anyone).
/// </summary>
public sealed class EchoSessions
{
    private readonly ConcurrentDictionary<string, (EchoSession Session, RtcConnection Connection)> _sessions = new();
    private readonly EchoOptions _options;
    private int _reserved;

    public EchoSessions(IOptions<McuOptions> options) => _options = options.Value.Echo;

    public bool Enabled => _options.Enabled;

    public int MaxSessions => _options.MaxSessions;

    public int Count => _sessions.Count;

    /// <summary>Claims a place for one more session; false when the cap is reached. Undo with <see cref="Release"/>.</summary>
    public bool TryReserve()
    {
        if (Interlocked.Increment(ref _reserved) > _options.MaxSessions)
        {
            Interlocked.Decrement(ref _reserved);
            return false;
        }
        return true;
    }

    public void Release() => Interlocked.Decrement(ref _reserved);

    /// <summary>Adds a session made under a reservation; it is removed when its connection ends.</summary>
    public void Add(EchoSession session, RtcConnection connection)
    {
        _sessions[session.Id] = (session, connection);
        session.Ended += () => Forget(session.Id);
        // It may have ended while we were adding it.
        if (session.State is PeerState.Failed or PeerState.Closed)
        {
            Forget(session.Id);
        }
    }

    public bool TryGet(string id, out EchoSession session)
    {
        bool found = _sessions.TryGetValue(id, out var entry);
        session = entry.Session;
        return found;
    }

    /// <summary>Ends a session at the client's request; false when there is none.</summary>
    public bool TryClose(string id)
    {
        if (!_sessions.TryGetValue(id, out var entry))
        {
            return false;
        }
        entry.Connection.Close();
        Forget(id);
        return true;
    }

    private void Forget(string id)
    {
        if (_sessions.TryRemove(id, out _))
        {
            Release();
        }
    }
}
