using Mcu.Conference.Rooms;

namespace Mcu.Server.Cluster;

/// <summary>Without a connection string: one node, in memory, that hosts every room there is.</summary>
public sealed class SingleNodeDirectory(string node, RoomDirectory rooms, NodeLoad load, TimeProvider time) : IClusterDirectory
{
    private readonly DateTimeOffset _started = time.GetUtcNow();

    public string Node => node;

    public bool IsShared => false;

    public Uri? NodeUrl => null;

    public Task<RoomHost> HostOfAsync(string room, CancellationToken ct) =>
        Task.FromResult(rooms.TryGet(room, out _) ? RoomHost.Here : RoomHost.Nowhere);

    public Task<Placement> ChooseNodeAsync(string? name, CancellationToken ct) =>
        Task.FromResult(name is null || name == node
            ? new Placement(node, null, IsHere: true)
            : new Placement(null, null, false, $"no node '{name}': this server runs alone (no Mcu:StorageConnectionString)", StatusCodes.Status400BadRequest));

    public Task<RoomHost> ClaimAsync(string room, CancellationToken ct) => Task.FromResult(RoomHost.Here);

    public Task ReleaseAsync(string room, CancellationToken ct) => Task.CompletedTask;

    // One node: RoomIncarnations remembers deletions in memory, and nobody else needs to know.
    public Task RecordDeletionAsync(string room, DateTimeOffset at, CancellationToken ct) => Task.CompletedTask;

    public Task<DateTimeOffset?> DeletedAtAsync(string room, CancellationToken ct) => Task.FromResult<DateTimeOffset?>(null);

    public Task<IReadOnlyList<DirectoryRoom>> OtherRoomsAsync(CancellationToken ct) => Task.FromResult<IReadOnlyList<DirectoryRoom>>([]);

    public Task<IReadOnlyList<NodeView>> NodesAsync(CancellationToken ct)
    {
        var now = time.GetUtcNow();
        return Task.FromResult<IReadOnlyList<NodeView>>(
            [new NodeView(node, null, "live", true, _started, now, 0, load.Participants, load.Rooms, load.CpuPercent())]);
    }

    public IReadOnlySet<string> LiveNodes() => new HashSet<string>([node], StringComparer.Ordinal);
}
