using System.Collections.Concurrent;
using Mcu.Conference.Rooms;

namespace Mcu.Server.Auth;

/// <summary>
/// Ties room tokens to one incarnation of their room, so that deleting a room voids its
/// tokens. A token issued while the room exists carries the room's incarnation (its
/// creation time in ticks) and is good only while that very room lives. A token issued
/// before its room existed may make the room by joining (default settings) or join the
/// room the API creates later, unless the room was deleted through the API after the token
/// was issued. Deletions are remembered in memory for the longest token lifetime: a
/// restart forgets them (it also ends every room, so incarnation-bound tokens stay void).
/// </summary>
public sealed class RoomIncarnations
{
    private static readonly TimeSpan Remembered = TimeSpan.FromSeconds(Api.TokenEndpoints.MaxTtlSeconds);
    private readonly ConcurrentDictionary<string, DateTimeOffset> _deleted = new(StringComparer.Ordinal);
    private readonly RoomDirectory _rooms;
    private readonly TimeProvider _time;

    public RoomIncarnations(RoomDirectory rooms, TimeProvider time)
    {
        _rooms = rooms;
        _time = time;
    }

    public static long Of(Room room) => room.CreatedAt.UtcTicks;

    /// <summary>The incarnation a token issued now for <paramref name="room"/> belongs to; null if there is no such room yet.</summary>
    public long? Current(string room) => _rooms.TryGet(room, out var r) ? Of(r) : null;

    /// <summary>The API deleted <paramref name="room"/>: tokens issued before now are void.</summary>
    public void Deleted(string room)
    {
        var now = _time.GetUtcNow();
        _deleted[room] = now;
        foreach (var (name, at) in _deleted)
        {
            if (now - at > Remembered)
            {
                _deleted.TryRemove(name, out _);
            }
        }
    }

    /// <summary>Why <paramref name="token"/> no longer holds, or null when it does.</summary>
    public string? VoidReason(RoomToken token)
    {
        if (token.Incarnation is { } incarnation)
        {
            return _rooms.TryGet(token.Room, out var live) && Of(live) == incarnation
                ? null
                : $"The token was for room '{token.Room}' as it was when the token was issued; that room has ended.";
        }
        return _deleted.TryGetValue(token.Room, out var deleted) && deleted >= token.IssuedAt
            ? $"Room '{token.Room}' was deleted after the token was issued."
            : null;
    }
}
