using Mcu.Conference.Rooms;
using Npgsql;

namespace Mcu.Server.Cluster;

/// <summary>The directory's side of <see cref="NodeHeartbeat"/>: the tables, registering, beating, reconciling and sweeping.</summary>
public sealed partial class PostgresDirectory
{
    private const string Schema = """
        SELECT pg_advisory_xact_lock(7301013);
        CREATE SCHEMA IF NOT EXISTS mcu;
        CREATE TABLE IF NOT EXISTS mcu.nodes (
            name text PRIMARY KEY,
            url text NOT NULL,
            instance uuid NOT NULL,
            started_at timestamptz NOT NULL,
            heartbeat_at timestamptz NOT NULL,
            stopped boolean NOT NULL DEFAULT false,
            participants integer NOT NULL DEFAULT 0,
            rooms integer NOT NULL DEFAULT 0,
            cpu_percent real NOT NULL DEFAULT 0);
        CREATE TABLE IF NOT EXISTS mcu.rooms (
            name text PRIMARY KEY,
            node text NOT NULL,
            instance uuid NOT NULL,
            state text NOT NULL,
            created_at timestamptz NOT NULL,
            claimed_at timestamptz NOT NULL,
            ended_at timestamptz,
            reason text,
            participants integer NOT NULL DEFAULT 0,
            layout text,
            recording boolean NOT NULL DEFAULT false);
        CREATE INDEX IF NOT EXISTS rooms_node ON mcu.rooms (node);
        CREATE TABLE IF NOT EXISTS mcu.deleted_rooms (
            name text PRIMARY KEY,
            deleted_at timestamptz NOT NULL);
        """;

    /// <summary>Ended rooms stay listed this long (they say where a room went), then leave the directory.</summary>
    private const string EndedKept = "1 hour";

    /// <summary>A claimed name without its room here yet is left alone this long (the room is being made).</summary>
    private const string ClaimGrace = "10 seconds";

    /// <summary>Creates the tables if missing (once, under an advisory lock: nodes may start together).</summary>
    public async Task CreateSchemaAsync(CancellationToken ct)
    {
        await using var connection = await _db.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        await using (var command = new NpgsqlCommand(Schema, connection, transaction))
        {
            await command.ExecuteNonQueryAsync(ct);
        }
        await transaction.CommitAsync(ct);
    }

    /// <summary>
    /// Puts this node (this process) in the directory under its name and ends the rooms an earlier
    /// process of the name left; true when the name was alive moments ago (a quick restart, or a duplicate).
    /// </summary>
    public async Task<bool> RegisterAsync(CancellationToken ct)
    {
        bool wasAlive;
        await using (var command = Command($"""
            WITH previous AS (SELECT {Live} AS live FROM mcu.nodes n WHERE n.name = @node)
            INSERT INTO mcu.nodes (name, url, instance, started_at, heartbeat_at) VALUES (@node, @url, @instance, now(), now())
            ON CONFLICT (name) DO UPDATE SET url = excluded.url, instance = excluded.instance, started_at = now(), heartbeat_at = now(),
                stopped = false, participants = 0, rooms = 0, cpu_percent = 0
            RETURNING coalesce((SELECT live FROM previous), false)
            """, ("url", NodeUrl?.ToString().TrimEnd('/') ?? "")))
        {
            wasAlive = await command.ExecuteScalarAsync(ct) is true;
        }
        await using (var command = Command("""
            UPDATE mcu.rooms SET state = 'ended', ended_at = now(), reason = 'node ' || node || ' restarted'
            WHERE node = @node AND instance <> @instance AND state = 'live'
            """))
        {
            await command.ExecuteNonQueryAsync(ct);
        }
        return wasAlive;
    }

    /// <summary>Sets the URL once the server knows the port it listens on.</summary>
    public void SetUrl(Uri url) => NodeUrl = url;

    /// <summary>This node's heartbeat and load.</summary>
    public async Task BeatAsync(int participants, int rooms, double cpu, CancellationToken ct)
    {
        await using var command = Command("""
            UPDATE mcu.nodes SET url = @url, instance = @instance, heartbeat_at = now(), stopped = false,
                participants = @participants, rooms = @rooms, cpu_percent = @cpu
            WHERE name = @node
            """, ("url", NodeUrl?.ToString().TrimEnd('/') ?? ""), ("participants", participants), ("rooms", rooms), ("cpu", (float)cpu));
        if (await command.ExecuteNonQueryAsync(ct) == 0)
        {
            await RegisterAsync(ct); // the row was deleted by hand: put it back
        }
    }

    /// <summary>
    /// Brings this node's rows in line with its rooms: refreshes each room's figures, drops rows
    /// whose room is gone here, and returns the rooms here that no longer have their row (ended
    /// or placed elsewhere while this node was unreachable), which the caller closes.
    /// </summary>
    public async Task<IReadOnlyList<string>> ReconcileAsync(IReadOnlyCollection<Room> local, CancellationToken ct)
    {
        string[] names = local.Select(r => r.Name).ToArray();
        var kept = new HashSet<string>(StringComparer.Ordinal);
        await using (var command = Command("""
            UPDATE mcu.rooms r SET participants = u.participants, layout = u.layout, recording = u.recording, created_at = u.created_at
            FROM unnest(@names, @participants, @layouts, @recording, @created) AS u(name, participants, layout, recording, created_at)
            WHERE r.name = u.name AND r.node = @node AND r.instance = @instance AND r.state = 'live'
            RETURNING r.name
            """, ("names", names), ("participants", local.Select(r => r.Participants.Count).ToArray()), ("created", local.Select(r => r.CreatedAt).ToArray()),
            ("layouts", local.Select(r => r.Layout).ToArray()), ("recording", local.Select(r => r.Recorders.Count > 0).ToArray())))
        {
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                kept.Add(reader.GetString(0));
            }
        }
        await using (var command = Command($"""
            DELETE FROM mcu.rooms WHERE node = @node AND instance = @instance AND state = 'live'
                AND NOT (name = ANY(@names)) AND claimed_at < now() - interval '{ClaimGrace}'
            """, ("names", names)))
        {
            await command.ExecuteNonQueryAsync(ct);
        }
        return names.Where(n => !kept.Contains(n)).ToList();
    }

    /// <summary>
    /// Ends the rooms of nodes that are not live (by the database's clock) and forgets ended rooms
    /// after a while; returns the rooms it ended and the names of every node that is not live.
    /// </summary>
    public async Task<(IReadOnlyList<(string Room, string Node)> Ended, IReadOnlySet<string> DeadNodes)> SweepAsync(CancellationToken ct)
    {
        var ended = new List<(string, string)>();
        await using (var command = Command($"""
            UPDATE mcu.rooms r SET state = 'ended', ended_at = now(), reason = 'node ' || r.node || ' stopped answering'
            WHERE r.state = 'live' AND NOT EXISTS (SELECT 1 FROM mcu.nodes n WHERE n.name = r.node AND {Live})
            RETURNING r.name, r.node
            """))
        {
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                ended.Add((reader.GetString(0), reader.GetString(1)));
            }
        }
        await using (var command = Command($"DELETE FROM mcu.rooms WHERE state = 'ended' AND ended_at < now() - interval '{EndedKept}'"))
        {
            await command.ExecuteNonQueryAsync(ct);
        }
        var dead = new HashSet<string>(StringComparer.Ordinal);
        await using (var command = Command($"SELECT n.name FROM mcu.nodes n WHERE NOT ({Live})"))
        {
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                dead.Add(reader.GetString(0));
            }
        }
        return (ended, dead);
    }

    /// <summary>A clean stop: this node's rooms end with it, and it is marked stopped (not dead).</summary>
    public async Task StopAsync(CancellationToken ct)
    {
        _stopped = true; // the rooms closing from here on need no release each
        await using var command = Command("""
            DELETE FROM mcu.rooms WHERE node = @node AND instance = @instance;
            UPDATE mcu.nodes SET stopped = true, participants = 0, rooms = 0 WHERE name = @node AND instance = @instance;
            """);
        await command.ExecuteNonQueryAsync(ct);
    }
}
