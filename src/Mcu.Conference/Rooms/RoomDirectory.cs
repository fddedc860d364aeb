using System.Collections.Concurrent;
using Mcu.Conference.Layouts;
using Microsoft.Extensions.Logging;

namespace Mcu.Conference.Rooms;

/// <summary>The rooms this node hosts, by name.</summary>
public sealed class RoomDirectory : IDisposable
{
    private readonly ConcurrentDictionary<string, Room> _rooms = new(StringComparer.Ordinal);
    private readonly LayoutTemplateStore _layouts;
    private readonly ILoggerFactory _loggers;
    private readonly Lock _createLock = new();

    public RoomDirectory(LayoutTemplateStore layouts, ILoggerFactory loggers)
    {
        _layouts = layouts;
        _loggers = loggers;
    }

    public LayoutTemplateStore Layouts => _layouts;

    public IReadOnlyCollection<Room> Rooms => _rooms.Values.OrderBy(r => r.Name, StringComparer.Ordinal).ToList();

    /// <summary>Raised when a room is created; subscribe to its <see cref="Room.Changed"/> from here.</summary>
    public event Action<Room>? Created;

    public bool TryGet(string name, out Room room) => _rooms.TryGetValue(name, out room!);

    /// <summary>Creates a room; false (and the existing room) when the name is taken.</summary>
    public bool TryCreate(string name, RoomOptions options, out Room room)
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
            room = new Room(name, options, _layouts, _loggers.CreateLogger("Mcu.Room"));
            _rooms[name] = room;
        }
        Created?.Invoke(room);
        return true;
    }

    /// <summary>The room, created with default options if it does not exist (a WHIP client joining by URL).</summary>
    public Room GetOrCreate(string name)
    {
        if (_rooms.TryGetValue(name, out var room))
        {
            return room;
        }
        TryCreate(name, new RoomOptions(), out room);
        return room;
    }

    public bool Close(string name)
    {
        if (!_rooms.TryRemove(name, out var room))
        {
            return false;
        }
        room.Dispose();
        return true;
    }

    public void Dispose()
    {
        foreach (var name in _rooms.Keys.ToList())
        {
            Close(name);
        }
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
