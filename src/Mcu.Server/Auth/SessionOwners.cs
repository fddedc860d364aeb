using System.Collections.Concurrent;
using Mcu.Conference.Rooms;
using Microsoft.Extensions.Options;

namespace Mcu.Server.Auth;

/// <summary>
/// Which credential made each WHIP/WHEP session, so that only that credential (or the admin
/// key) ends it: participant ids are shown to every reader and are not secrets. Also counts
/// the sessions each room token holds (<c>Mcu:Limits:MaxSessionsPerToken</c>). A credential is
/// named by <see cref="Caller.Id"/> (a token's random nonce), never by the token itself.
/// </summary>
public sealed class SessionOwners
{
    private readonly ConcurrentDictionary<(string Room, string Session), string> _owners = new();
    private readonly ConcurrentDictionary<string, int> _perToken = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<Room, bool> _watched = new();
    private readonly Lock _countLock = new();
    private readonly int _maxPerToken;

    public SessionOwners(IOptions<McuOptions> options) => _maxPerToken = options.Value.Limits.MaxSessionsPerToken;

    /// <summary>Holds one session's place for <paramref name="caller"/>; false when a room token already holds its most.</summary>
    public bool TryReserve(Caller caller)
    {
        if (caller.IsAdmin)
        {
            return true;
        }
        lock (_countLock)
        {
            int held = _perToken.GetValueOrDefault(caller.Id);
            if (held >= _maxPerToken)
            {
                return false;
            }
            _perToken[caller.Id] = held + 1;
            return true;
        }
    }

    public int MaxPerToken => _maxPerToken;

    /// <summary>Gives back a place <see cref="TryReserve"/> held (the join failed, or the session ended).</summary>
    public void Release(string callerId)
    {
        if (callerId == Caller.Admin.Id)
        {
            return;
        }
        lock (_countLock)
        {
            int held = _perToken.GetValueOrDefault(callerId);
            if (held <= 1)
            {
                _perToken.TryRemove(callerId, out _);
            }
            else
            {
                _perToken[callerId] = held - 1;
            }
        }
    }

    /// <summary>Records that <paramref name="callerId"/> made session <paramref name="session"/>; called before the room adds it.</summary>
    public void Register(Room room, string session, string callerId)
    {
        _owners[(room.Name, session)] = callerId;
        if (_watched.TryAdd(room, true))
        {
            room.Changed += e => OnRoomChanged(room, e);
        }
    }

    /// <summary>The session left (or its join failed): forget its owner and free its place.</summary>
    public void Forget(string room, string session)
    {
        if (_owners.TryRemove((room, session), out string? owner))
        {
            Release(owner);
        }
    }

    /// <summary>May <paramref name="caller"/> end the session? The admin key, or the very credential that made it.</summary>
    public bool MayEnd(Caller caller, string room, string session) =>
        caller.IsAdmin || (_owners.TryGetValue((room, session), out string? owner) && owner == caller.Id && caller.Id.Length > 0);

    private void OnRoomChanged(Room room, RoomEvent e)
    {
        if (e.Type == RoomEventType.ParticipantLeft && e.ParticipantId is { } id)
        {
            Forget(room.Name, id);
        }
        else if (e.Type == RoomEventType.RoomClosed)
        {
            _watched.TryRemove(room, out _);
        }
    }
}
