using Mcu.Conference.Layouts;
using Mcu.Conference.Rooms;
using Mcu.EndToEnd.Tests.Recording;
using Mcu.Server.Cluster;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Mcu.EndToEnd.Tests.Cluster;

/// <summary>
/// The directory's SQL on a real PostgreSQL, two nodes' directories side by side in one process:
/// who may take a room's name (a fresh name, an ended room's, a dead node's: yes; a live node's: no),
/// what a sweep ends, and what a node restarting under its name ends of its previous process.
/// </summary>
public sealed class PostgresDirectoryTests(PostgresCluster postgres) : IClassFixture<PostgresCluster>
{
    [Fact]
    public async Task A_name_goes_to_one_node_until_its_node_dies_or_restarts()
    {
        postgres.EnsureAvailable();
        using var one = await RegisterAsync("one", "http://127.0.0.1:1001");
        using var two = await RegisterAsync("two", "http://127.0.0.1:1002");

        Assert.Equal(RoomHost.Here, await one.ClaimAsync("hall", default));
        Assert.Equal(RoomHost.Here, await one.ClaimAsync("hall", default)); // its own again: still its own
        var taken = await two.ClaimAsync("hall", default);
        Assert.Equal(RoomHost.Elsewhere("one", new Uri("http://127.0.0.1:1001")), taken);
        Assert.Equal(taken, await two.HostOfAsync("hall", default));
        Assert.Equal(["one", "two"], one.LiveNodes().Order());

        // Released, the name is anyone's.
        await one.ReleaseAsync("hall", default);
        Assert.Equal(RoomHost.Nowhere, await two.HostOfAsync("hall", default));
        Assert.Equal(RoomHost.Here, await two.ClaimAsync("hall", default));

        // "two" falls silent: it is dead at once for a claim, and a sweep ends its rooms.
        await SqlAsync("UPDATE mcu.nodes SET heartbeat_at = now() - interval '1 minute' WHERE name = 'two'");
        Assert.Equal(["one"], one.LiveNodes());
        Assert.Equal(RoomHost.Nowhere, await one.HostOfAsync("hall", default));
        Assert.Equal(RoomHost.Here, await one.ClaimAsync("hall", default));
        Assert.Equal(RoomHost.Here, await two.ClaimAsync("porch", default)); // a dead node may still write; a sweep ends it
        var (ended, dead) = await one.SweepAsync(default);
        Assert.Equal([("porch", "two")], ended);
        Assert.Contains("two", dead);
        var listed = (await one.OtherRoomsAsync(default)).Single(r => r.Name == "porch");
        Assert.Equal(("two", "ended", "node two stopped answering"), (listed.Node, listed.State, listed.Reason));
        Assert.Equal("dead", (await one.NodesAsync(default)).Single(n => n.Name == "two").State);

        // "one" restarts under its name: a new process, whose first act ends what the old one held.
        using var again = await RegisterAsync("one", "http://127.0.0.1:1003");
        Assert.Equal(RoomHost.Nowhere, await two.HostOfAsync("hall", default));
        Assert.Equal("ended", (await again.OtherRoomsAsync(default)).Single(r => r.Name == "hall").State);
        Assert.Equal(RoomHost.Here, await again.ClaimAsync("hall", default));
        Assert.Equal("http://127.0.0.1:1003", (await two.NodesAsync(default)).Single(n => n.Name == "one").Url);

        // A clean stop: its rooms leave the directory, and it is stopped, not dead.
        await again.StopAsync(default);
        Assert.Equal(RoomHost.Nowhere, await two.HostOfAsync("hall", default));
        Assert.DoesNotContain(await two.OtherRoomsAsync(default), r => r.Name == "hall");
        Assert.Equal("stopped", (await two.NodesAsync(default)).Single(n => n.Name == "one").State);
    }

    private async Task<PostgresDirectory> RegisterAsync(string node, string url)
    {
        var rooms = new RoomDirectory(new LayoutTemplateStore(Path.Combine(AppContext.BaseDirectory, "layouts")), NullLoggerFactory.Instance);
        var directory = new PostgresDirectory(postgres.ConnectionString, node, new Uri(url), 15, rooms, NullLogger<PostgresDirectory>.Instance);
        await directory.CreateSchemaAsync(default);
        await directory.RegisterAsync(default);
        return directory;
    }

    private async Task SqlAsync(string sql)
    {
        await using var db = NpgsqlDataSource.Create(postgres.ConnectionString);
        await using var command = db.CreateCommand(sql);
        await command.ExecuteNonQueryAsync();
    }
}
