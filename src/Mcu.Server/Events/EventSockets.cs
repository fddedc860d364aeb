using System.Collections.Concurrent;
using Mcu.Conference.Rooms;
using Microsoft.Extensions.Options;

namespace Mcu.Server.Events;

/// <summary>Counts the open event WebSockets, per room, per room token and in all, against <c>Mcu:Limits</c>.</summary>
public sealed class EventSockets
{
    private readonly ConcurrentDictionary<Room, int> _perRoom = new();
    private readonly Dictionary<string, int> _perToken = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();
    private readonly int _maxPerRoom;
    private readonly int _maxPerToken;
    private readonly int _max;
    private int _total;

    public EventSockets(IOptions<McuOptions> options)
    {
        _maxPerRoom = options.Value.Limits.MaxEventSocketsPerRoom;
        _maxPerToken = options.Value.Limits.MaxEventSocketsPerToken;
        _max = options.Value.Limits.MaxEventSockets;
    }

    /// <summary>
    /// Holds a place for one more socket on <paramref name="room"/> for the room token <paramref name="token"/>
    /// (null: the admin key or an open read, not counted per token), or returns the refusal to send.
    /// </summary>
    public IResult? TryOpen(Room room, string? token)
    {
        lock (_lock)
        {
            if (_total >= _max)
            {
                return Results.Problem($"This node has its maximum of {_max} event sockets open (Mcu:Limits:MaxEventSockets).",
                    title: "Too many event sockets", statusCode: StatusCodes.Status503ServiceUnavailable);
            }
            int open = _perRoom.GetValueOrDefault(room);
            if (open >= _maxPerRoom)
            {
                return Results.Problem($"Room {room.Name} has its maximum of {_maxPerRoom} event sockets open (Mcu:Limits:MaxEventSocketsPerRoom).",
                    title: "Too many event sockets", statusCode: StatusCodes.Status429TooManyRequests);
            }
            if (token is not null && _perToken.GetValueOrDefault(token) >= _maxPerToken)
            {
                return Results.Problem($"This token holds its maximum of {_maxPerToken} event sockets (Mcu:Limits:MaxEventSocketsPerToken).",
                    title: "Too many event sockets", statusCode: StatusCodes.Status429TooManyRequests);
            }
            _perRoom[room] = open + 1;
            if (token is not null)
            {
                _perToken[token] = _perToken.GetValueOrDefault(token) + 1;
            }
            _total++;
            return null;
        }
    }

    public void Close(Room room, string? token)
    {
        lock (_lock)
        {
            if (token is not null && _perToken.TryGetValue(token, out int held))
            {
                if (held <= 1)
                {
                    _perToken.Remove(token);
                }
                else
                {
                    _perToken[token] = held - 1;
                }
            }
            int open = _perRoom.GetValueOrDefault(room);
            if (open <= 1)
            {
                _perRoom.TryRemove(room, out _);
            }
            else
            {
                _perRoom[room] = open - 1;
            }
            _total--;
        }
    }
}
