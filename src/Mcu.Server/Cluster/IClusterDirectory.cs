namespace Mcu.Server.Cluster;

/// <summary>
/// Which node hosts which room, and which nodes are alive: what endpoints ask before they act
/// on a room. <see cref="SingleNodeDirectory"/> answers for one node in memory (no connection
/// string); <see cref="PostgresDirectory"/> for several nodes sharing one PostgreSQL.
/// </summary>
public interface IClusterDirectory
{
    /// <summary>This node's name (<c>Mcu:NodeName</c>).</summary>
    string Node { get; }

    /// <summary>False for the single node in memory: there is nobody else to ask, and nothing changes from before.</summary>
    bool IsShared { get; }

    /// <summary>This node's base URL as others reach it; null until known (in memory: never needed).</summary>
    Uri? NodeUrl { get; }

    /// <summary>Where <paramref name="room"/> lives now: here, on another live node, or nowhere.</summary>
    Task<RoomHost> HostOfAsync(string room, CancellationToken ct);

    /// <summary>The node a new room goes to: <paramref name="node"/> if given (it must be live), else the least-loaded live node.</summary>
    Task<Placement> ChooseNodeAsync(string? node, CancellationToken ct);

    /// <summary>
    /// Takes <paramref name="room"/>'s name for this node, atomically across the cluster: <see cref="RoomHost.Here"/>
    /// when it is now ours (or was already), else who holds it (<see cref="RoomHostKind.Nowhere"/> if it was let go meanwhile).
    /// </summary>
    Task<RoomHost> ClaimAsync(string room, CancellationToken ct);

    /// <summary>This node's room <paramref name="room"/> ended: its name is free for any node.</summary>
    Task ReleaseAsync(string room, CancellationToken ct);

    /// <summary>
    /// The API deleted <paramref name="room"/> at <paramref name="at"/>: every node then refuses the tokens issued
    /// before it that were not bound to one incarnation (those die with their room anyway).
    /// </summary>
    Task RecordDeletionAsync(string room, DateTimeOffset at, CancellationToken ct);

    /// <summary>When <paramref name="room"/> was last deleted through the API on any node (within the longest token lifetime); null if not.</summary>
    Task<DateTimeOffset?> DeletedAtAsync(string room, CancellationToken ct);

    /// <summary>The rooms the directory knows that this node does not host (live elsewhere, or ended), for the cluster-wide list.</summary>
    Task<IReadOnlyList<DirectoryRoom>> OtherRoomsAsync(CancellationToken ct);

    /// <summary>Every node the directory knows, with its state and load.</summary>
    Task<IReadOnlyList<NodeView>> NodesAsync(CancellationToken ct);

    /// <summary>The names of the nodes alive now (recording recovery asks, on its own thread).</summary>
    IReadOnlySet<string> LiveNodes();
}

public enum RoomHostKind
{
    Nowhere,
    Here,
    Elsewhere,
}

/// <summary>The answer to "who hosts this room?": here, nowhere, or a live node at <see cref="Url"/>.</summary>
public readonly record struct RoomHost(RoomHostKind Kind, string? Node = null, Uri? Url = null)
{
    public static readonly RoomHost Here = new(RoomHostKind.Here);
    public static readonly RoomHost Nowhere = new(RoomHostKind.Nowhere);

    public static RoomHost Elsewhere(string node, Uri url) => new(RoomHostKind.Elsewhere, node, url);

    public bool IsElsewhere => Kind == RoomHostKind.Elsewhere;
}

/// <summary>Where a new room goes, or why it cannot go there (<see cref="Problem"/>, with its status).</summary>
public readonly record struct Placement(string? Node, Uri? Url, bool IsHere, string? Problem = null, int Status = 0);

/// <summary>A room as the directory lists it.</summary>
public sealed record DirectoryRoom(string Name, string Node, string State, DateTimeOffset CreatedAt, DateTimeOffset? EndedAt, string? Reason,
    int Participants, string? Layout, bool Recording);

/// <summary>GET /api/nodes: one node, its state (live, dead, stopped) and load as of its last heartbeat.</summary>
public sealed record NodeView(string Name, string? Url, string State, bool Self, DateTimeOffset StartedAt, DateTimeOffset LastHeartbeat,
    double SecondsSinceHeartbeat, int Participants, int Rooms, double CpuPercent);
