using System.Collections.Concurrent;
using Mcu.Conference.Layouts;
using Mcu.Conference.Send;
using Microsoft.Extensions.Logging;

namespace Mcu.Conference.Rooms;

/// <summary>The rooms this node hosts, by name.</summary>
public sealed class RoomDirectory : IDisposable
{
    private readonly ConcurrentDictionary<string, Room> _rooms = new(StringComparer.Ordinal);
    private readonly LayoutTemplateStore _layouts;
    private readonly ILoggerFactory _loggers;
    private readonly Lock _createLock = new();
    // Rooms a join made (not the API), with when each was last seen empty: these end when idle.
    private readonly ConcurrentDictionary<Room, DateTimeOffset?> _joinMade = new();
    // One pacer, one thread, for the video of every room here.
    private readonly VideoPacer _pacer = new();

    public RoomDirectory(LayoutTemplateStore layouts, ILoggerFactory loggers)
    {
        _layouts = layouts;
        _loggers = loggers;
    }

    public LayoutTemplateStore Layouts => _layouts;

    /// <summary>The most rooms this node hosts at once; creating one more throws <see cref="RoomLimitException"/>.</summary>
    public int MaxRooms { get; init; } = int.MaxValue;

    /// <summary>The options of a room a join creates.</summary>
    public RoomOptions DefaultOptions { get; init; } = new();

    public IReadOnlyCollection<Room> Rooms => _rooms.Values.OrderBy(r => r.Name, StringComparer.Ordinal).ToList();

    /// <summary>Raised when a room is created; subscribe to its <see cref="Room.Changed"/> from here.</summary>
    public event Action<Room>? Created;

    public bool TryGet(string name, out Room room) => _rooms.TryGetValue(name, out room!);

    /// <summary>Creates a room; false (and the existing room) when the name is taken.</summary>
    public bool TryCreate(string name, RoomOptions options, out Room room) => TryCreate(name, options, joinMade: false, out room);

    private bool TryCreate(string name, RoomOptions options, bool joinMade, out Room room)
    {
        ValidateName(name);
        if (options.Layout != LayoutTemplate.Auto && !_layouts.TryGet(options.Layout, out _))
        {
            throw new LayoutTemplateException($"no layout template '{options.Layout}'");
        }
        lock (_createLock)
        {
            if (_rooms.TryGetValue(name, out room!))
            {
                return false;
            }
            if (_rooms.Count >= MaxRooms)
            {
                throw new RoomLimitException(MaxRooms);
            }
            room = new Room(name, options, _layouts, _pacer, _loggers.CreateLogger("Mcu.Room"));
            _rooms[name] = room;
            if (joinMade)
            {
                _joinMade[room] = null;
            }
        }
        Created?.Invoke(room);
        return true;
    }

    /// <summary>
    /// The room, created with <see cref="DefaultOptions"/> if it does not exist (a WHIP client
    /// joining by URL); <paramref name="created"/> says whether this call made it. Such a room
    /// ends once it has been empty for the idle time (<see cref="CloseIdle"/>).
    /// </summary>
    public Room GetOrCreate(string name, out bool created)
    {
        created = false;
        if (_rooms.TryGetValue(name, out var room))
        {
            return room;
        }
        created = TryCreate(name, DefaultOptions, joinMade: true, out room);
        return room;
    }

    public Room GetOrCreate(string name) => GetOrCreate(name, out _);

    public bool Close(string name)
    {
        if (!_rooms.TryRemove(name, out var room))
        {
            return false;
        }
        _joinMade.TryRemove(room, out _);
        room.Dispose();
        return true;
    }

    /// <summary>Closes <paramref name="room"/> if it is still the live room of its name and nobody is in it (a join that failed).</summary>
    public bool CloseIfEmpty(Room room)
    {
        lock (_createLock)
        {
            if (room.Recorders.Count > 0 || !_rooms.TryGetValue(room.Name, out var current) || current != room || !room.CloseIfEmpty())
            {
                return false;
            }
            _rooms.TryRemove(new KeyValuePair<string, Room>(room.Name, room));
        }
        _joinMade.TryRemove(room, out _);
        room.Dispose();
        return true;
    }

    /// <summary>
    /// Ends the rooms a join made that have had nobody in them (and no recording) for
    /// <paramref name="idle"/> as of <paramref name="now"/>; returns their names. Rooms
    /// created through the API stay until deleted.
    /// </summary>
    public IReadOnlyList<string> CloseIdle(TimeSpan idle, DateTimeOffset now)
    {
        var closed = new List<string>();
        foreach (var (room, emptySince) in _joinMade)
        {
            if (room.Participants.Count > 0 || room.Recorders.Count > 0)
            {
                _joinMade.TryUpdate(room, null, emptySince);
            }
            else if (emptySince is null)
            {
                _joinMade.TryUpdate(room, now, null);
            }
            else if (now - emptySince.Value >= idle && CloseIfEmpty(room))
            {
                closed.Add(room.Name);
            }
        }
        return closed;
    }

    public void Dispose()
    {
        foreach (var name in _rooms.Keys.ToList())
        {
            Close(name);
        }
        _pacer.Dispose();
    }

    /// <summary>Room names go into URLs and file names: 1-64 of letters, digits, '-', '_' and '.'.</summary>
    public static void ValidateName(string name)
    {
        if (string.IsNullOrEmpty(name) || name.Length > 64 || name[0] == '.'
            || !name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
        {
            throw new ArgumentException($"room name '{name}' must be 1-64 of letters, digits, '-', '_' and '.', not starting with '.'");
        }
    }
}

/// <summary>The node hosts as many rooms as it may.</summary>
public sealed class RoomLimitException(int max) : Exception($"This node hosts its maximum of {max} rooms.");
