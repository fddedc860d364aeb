using Mcu.Conference.Rooms;
using Npgsql;

namespace Mcu.Server.Cluster;

/// <summary>
/// The directory of nodes and rooms in PostgreSQL (schema <c>mcu</c>, beside Hangfire's own):
/// two small tables and the SQL on them. A room's name is the primary key of <c>mcu.rooms</c>, so
/// placing a room is one <c>INSERT … ON CONFLICT</c>: of two nodes taking a name at once, one gets
/// the row. Liveness is judged by the database's clock (<c>now()</c>) on both sides, so nodes'
/// clocks need not agree. Rows carry the process instance that made them, so a node restarting
/// under its name ends what its previous process left and nothing of its own.
/// </summary>
public sealed partial class PostgresDirectory : IClusterDirectory, IDisposable
{
    // A node is live while its heartbeat is younger than the timeout, by the database's clock.
    private const string Live = "NOT n.stopped AND n.heartbeat_at > now() - make_interval(secs => @timeout)";

    private readonly NpgsqlDataSource _db;
    private readonly RoomDirectory _rooms;
    private readonly double _timeout;
    private readonly ILogger<PostgresDirectory> _logger;
    private volatile bool _stopped;

    public PostgresDirectory(string connectionString, string node, Uri? url, double timeoutSeconds, RoomDirectory rooms, ILogger<PostgresDirectory> logger)
    {
        _db = NpgsqlDataSource.Create(connectionString);
        Node = node;
        NodeUrl = url;
        _timeout = timeoutSeconds;
        _rooms = rooms;
        _logger = logger;
        // Whichever way a room ends here (the API, idle, a failed join, the stop), its name is freed.
        rooms.Created += room => room.Changed += e =>
        {
            if (e.Type == RoomEventType.RoomClosed)
            {
                _ = Task.Run(() => ReleaseQuietlyAsync(room.Name));
            }
        };
    }

    public string Node { get; }

    public bool IsShared => true;

    public Uri? NodeUrl { get; private set; }

    /// <summary>This process, as opposed to an earlier one under the same name.</summary>
    public Guid Instance { get; } = Guid.NewGuid();

    public void Dispose() => _db.Dispose();

    // ---- What endpoints ask ----

    public async Task<RoomHost> HostOfAsync(string room, CancellationToken ct)
    {
        await using var command = Command($"""
            SELECT r.node, r.node = @node AND r.instance = @instance, coalesce(n.url, ''), coalesce({Live}, false)
            FROM mcu.rooms r LEFT JOIN mcu.nodes n ON n.name = r.node
            WHERE r.name = @room AND r.state = 'live'
            """, ("room", room));
        await using var reader = await command.ExecuteReaderAsync(ct);
        if (!await reader.ReadAsync(ct))
        {
            return RoomHost.Nowhere;
        }
        if (reader.GetBoolean(1))
        {
            return RoomHost.Here;
        }
        // A dead node's room is nobody's: the next sweep ends it, and a claim may take it now.
        return reader.GetBoolean(3) && Uri.TryCreate(reader.GetString(2), UriKind.Absolute, out var url)
            ? RoomHost.Elsewhere(reader.GetString(0), url)
            : RoomHost.Nowhere;
    }

    public async Task<Placement> ChooseNodeAsync(string? name, CancellationToken ct)
    {
        if (name == Node)
        {
            return new Placement(Node, NodeUrl, IsHere: true);
        }
        await using var command = name is null
            ? Command($"SELECT n.name, n.url, true FROM mcu.nodes n WHERE {Live} AND n.url <> '' ORDER BY n.participants, n.rooms, n.cpu_percent, n.name LIMIT 1")
            : Command($"SELECT n.name, n.url, {Live} FROM mcu.nodes n WHERE n.name = @name", ("name", name));
        await using var reader = await command.ExecuteReaderAsync(ct);
        if (!await reader.ReadAsync(ct))
        {
            return name is null
                ? new Placement(Node, NodeUrl, IsHere: true) // not even this node's heartbeat is in yet
                : new Placement(null, null, false, $"no node '{name}' (GET /api/nodes lists them)", StatusCodes.Status400BadRequest);
        }
        string chosen = reader.GetString(0);
        if (!reader.GetBoolean(2) || !Uri.TryCreate(reader.GetString(1), UriKind.Absolute, out var url))
        {
            return new Placement(null, null, false, $"node '{chosen}' is not live (GET /api/nodes)", StatusCodes.Status503ServiceUnavailable);
        }
        return new Placement(chosen, url, chosen == Node);
    }

    public async Task<RoomHost> ClaimAsync(string room, CancellationToken ct)
    {
        // Taken: a fresh name, an ended room's, a dead node's, or our own again. A live node's stays its own.
        await using (var command = Command($"""
            INSERT INTO mcu.rooms AS r (name, node, instance, state, created_at, claimed_at)
            VALUES (@room, @node, @instance, 'live', now(), now())
            ON CONFLICT (name) DO UPDATE SET
                created_at = CASE WHEN r.state = 'live' AND r.node = excluded.node AND r.instance = excluded.instance THEN r.created_at ELSE now() END,
                node = excluded.node, instance = excluded.instance, state = 'live', claimed_at = now(), ended_at = NULL, reason = NULL
            WHERE r.state = 'ended' OR (r.node = excluded.node AND r.instance = excluded.instance)
               OR NOT EXISTS (SELECT 1 FROM mcu.nodes n WHERE n.name = r.node AND {Live})
            RETURNING r.node
            """, ("room", room)))
        {
            if (await command.ExecuteScalarAsync(ct) is string)
            {
                return RoomHost.Here;
            }
        }
        return await HostOfAsync(room, ct);
    }

    public async Task ReleaseAsync(string room, CancellationToken ct)
    {
        if (_rooms.TryGet(room, out var live) && !live.IsClosed)
        {
            return; // the name came back to this node meanwhile: the row is the new room's
        }
        await using var command = Command("DELETE FROM mcu.rooms WHERE name = @room AND node = @node AND instance = @instance AND state = 'live'", ("room", room));
        await command.ExecuteNonQueryAsync(ct);
    }

    public async Task RecordDeletionAsync(string room, DateTimeOffset at, CancellationToken ct)
    {
        // The deleting node's clock, like the tokens' iat it is compared with; older entries can void no live token.
        await using var command = Command("""
            INSERT INTO mcu.deleted_rooms (name, deleted_at) VALUES (@room, @at)
            ON CONFLICT (name) DO UPDATE SET deleted_at = GREATEST(mcu.deleted_rooms.deleted_at, excluded.deleted_at);
            DELETE FROM mcu.deleted_rooms WHERE deleted_at < @at - make_interval(secs => @kept);
            """, ("room", room), ("at", at), ("kept", (double)Api.TokenEndpoints.MaxTtlSeconds));
        await command.ExecuteNonQueryAsync(ct);
    }

    public async Task<DateTimeOffset?> DeletedAtAsync(string room, CancellationToken ct)
    {
        await using var command = Command("SELECT deleted_at FROM mcu.deleted_rooms WHERE name = @room", ("room", room));
        return await command.ExecuteScalarAsync(ct) is DateTime at ? new DateTimeOffset(DateTime.SpecifyKind(at, DateTimeKind.Utc)) : null;
    }

    public async Task<IReadOnlyList<DirectoryRoom>> OtherRoomsAsync(CancellationToken ct)
    {
        await using var command = Command("""
            SELECT name, node, state, created_at, ended_at, reason, participants, layout, recording FROM mcu.rooms
            WHERE NOT (node = @node AND instance = @instance AND state = 'live') ORDER BY name
            """);
        await using var reader = await command.ExecuteReaderAsync(ct);
        var rooms = new List<DirectoryRoom>();
        while (await reader.ReadAsync(ct))
        {
            rooms.Add(new DirectoryRoom(reader.GetString(0), reader.GetString(1), reader.GetString(2),
                reader.GetFieldValue<DateTimeOffset>(3), reader.IsDBNull(4) ? null : reader.GetFieldValue<DateTimeOffset>(4),
                reader.IsDBNull(5) ? null : reader.GetString(5), reader.GetInt32(6), reader.IsDBNull(7) ? null : reader.GetString(7), reader.GetBoolean(8)));
        }
        return rooms;
    }

    public async Task<IReadOnlyList<NodeView>> NodesAsync(CancellationToken ct)
    {
        await using var command = Command($"""
            SELECT n.name, n.url, n.stopped, {Live}, n.started_at, n.heartbeat_at, extract(epoch FROM now() - n.heartbeat_at)::float8,
                   n.participants, n.rooms, n.cpu_percent
            FROM mcu.nodes n ORDER BY n.name
            """);
        await using var reader = await command.ExecuteReaderAsync(ct);
        var nodes = new List<NodeView>();
        while (await reader.ReadAsync(ct))
        {
            string state = reader.GetBoolean(2) ? "stopped" : reader.GetBoolean(3) ? "live" : "dead";
            nodes.Add(new NodeView(reader.GetString(0), reader.GetString(1) is { Length: > 0 } url ? url : null, state, reader.GetString(0) == Node,
                reader.GetFieldValue<DateTimeOffset>(4), reader.GetFieldValue<DateTimeOffset>(5), Math.Round(reader.GetDouble(6), 1),
                reader.GetInt32(7), reader.GetInt32(8), Math.Round(reader.GetFloat(9), 1)));
        }
        return nodes;
    }

    public IReadOnlySet<string> LiveNodes()
    {
        using var command = Command($"SELECT n.name FROM mcu.nodes n WHERE {Live}");
        using var reader = command.ExecuteReader();
        var live = new HashSet<string>(StringComparer.Ordinal);
        while (reader.Read())
        {
            live.Add(reader.GetString(0));
        }
        return live;
    }

    private async Task ReleaseQuietlyAsync(string room)
    {
        if (_stopped)
        {
            return;
        }
        try
        {
            await ReleaseAsync(room, CancellationToken.None);
        }
        catch (Exception e) when (e is NpgsqlException or InvalidOperationException or TimeoutException)
        {
            if (!_stopped)
            {
                Log.ReleaseFailed(_logger, room, e.Message);
            }
        }
    }

    /// <summary>A command with this node's name, instance and timeout bound, plus <paramref name="parameters"/>.</summary>
    private NpgsqlCommand Command(string sql, params (string Name, object Value)[] parameters)
    {
        var command = _db.CreateCommand(sql);
        command.Parameters.AddWithValue("node", Node);
        command.Parameters.AddWithValue("instance", Instance);
        command.Parameters.AddWithValue("timeout", _timeout);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }
        return command;
    }
}
