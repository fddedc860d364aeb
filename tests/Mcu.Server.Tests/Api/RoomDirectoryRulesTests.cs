using Mcu.Conference.Layouts;
using Mcu.Conference.Rooms;
using Microsoft.Extensions.Logging.Abstractions;

namespace Mcu.Server.Tests.Api;

/// <summary>
/// The directory rules behind the API: join-made rooms end when idle (API-made ones do not),
/// a failed join's room is taken back only while empty, and the node's room limit holds.
/// </summary>
public sealed class RoomDirectoryRulesTests : IDisposable
{
    private static readonly TimeSpan Idle = TimeSpan.FromSeconds(60);
    private readonly RoomDirectory _rooms = new(new LayoutTemplateStore(Path.Combine(AppContext.BaseDirectory, "layouts")), NullLoggerFactory.Instance)
    {
        MaxRooms = 3,
    };

    [Fact]
    public void Join_made_rooms_end_after_the_idle_time_and_api_rooms_stay()
    {
        var start = DateTimeOffset.UnixEpoch;
        _rooms.GetOrCreate("joined", out bool created);
        Assert.True(created);
        Assert.True(_rooms.TryCreate("made", new RoomOptions(), out _));

        Assert.Empty(_rooms.CloseIdle(Idle, start));                          // first seen empty
        Assert.Empty(_rooms.CloseIdle(Idle, start + Idle - TimeSpan.FromSeconds(1)));
        Assert.Equal(["joined"], _rooms.CloseIdle(Idle, start + Idle));
        Assert.False(_rooms.TryGet("joined", out _));
        Assert.Empty(_rooms.CloseIdle(Idle, start + 10 * Idle));
        Assert.True(_rooms.TryGet("made", out _));

        // Made again by a later join, it is a new room with a new idle clock.
        _rooms.GetOrCreate("joined", out created);
        Assert.True(created);
        Assert.Empty(_rooms.CloseIdle(Idle, start + 10 * Idle));
    }

    [Fact]
    public void Close_if_empty_takes_back_only_the_live_room_of_that_name()
    {
        var first = _rooms.GetOrCreate("r", out _);
        Assert.True(_rooms.Close("r"));
        var second = _rooms.GetOrCreate("r", out _);
        Assert.False(_rooms.CloseIfEmpty(first));   // an older room of the same name: not the live one
        Assert.True(_rooms.TryGet("r", out var live) && live == second);
        Assert.True(_rooms.CloseIfEmpty(second));
        Assert.False(_rooms.TryGet("r", out _));
    }

    [Fact]
    public void The_node_hosts_at_most_max_rooms()
    {
        for (int i = 0; i < 3; i++)
        {
            Assert.True(_rooms.TryCreate($"n{i}", new RoomOptions(), out _));
        }
        Assert.Throws<RoomLimitException>(() => _rooms.TryCreate("n3", new RoomOptions(), out _));
        Assert.Throws<RoomLimitException>(() => _rooms.GetOrCreate("n4", out _));
        Assert.False(_rooms.TryCreate("n0", new RoomOptions(), out _)); // an existing name is still just "exists"
        Assert.True(_rooms.Close("n1"));
        Assert.True(_rooms.TryCreate("n3", new RoomOptions(), out _));
    }

    public void Dispose() => _rooms.Dispose();
}
