using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.Options;

namespace Mcu.Server.Tests.Cluster;

/// <summary>
/// Without a connection string the server is one node in memory, as before: it lists itself as
/// the one node, takes rooms only for itself, and its room list says nothing of nodes. With one,
/// settings a node of a cluster cannot do without stop it at start, each saying what to set.
/// </summary>
public sealed class SingleNodeTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    [Fact]
    public async Task One_node_in_memory_lists_itself_and_takes_rooms_only_for_itself()
    {
        using var admin = server.CreateAdminClient();
        var nodes = await admin.GetFromJsonAsync<JsonElement>("/api/nodes");
        var node = Assert.Single(nodes.EnumerateArray());
        Assert.Equal(("local", "live", true), (node.GetProperty("name").GetString(), node.GetProperty("state").GetString(), node.GetProperty("self").GetBoolean()));
        using (var anonymous = await server.CreateClient().GetAsync("/api/nodes"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        }

        using (var here = await admin.PostAsync("/api/rooms", ServerFixture.Json("""{"name":"single-here","node":"local"}""")))
        {
            Assert.Equal(HttpStatusCode.Created, here.StatusCode);
        }
        using (var elsewhere = await admin.PostAsync("/api/rooms", ServerFixture.Json("""{"name":"single-there","node":"other"}""")))
        {
            Assert.Equal(HttpStatusCode.BadRequest, elsewhere.StatusCode);
            Assert.Contains("Mcu:StorageConnectionString", await elsewhere.Content.ReadAsStringAsync());
        }
        var listed = (await admin.GetFromJsonAsync<JsonElement>("/api/rooms")).EnumerateArray().Single(r => r.GetProperty("name").GetString() == "single-here");
        Assert.False(listed.TryGetProperty("node", out _));
        Assert.False(listed.TryGetProperty("state", out _));
        using var closed = await admin.DeleteAsync("/api/rooms/single-here");
        Assert.Equal(HttpStatusCode.NoContent, closed.StatusCode);
    }

    [Theory]
    [InlineData("--Mcu:NodeName=", "--Mcu:AdminKey=k", "--urls=http://127.0.0.1:0", "Mcu:NodeName is required")]
    [InlineData("--Mcu:NodeName=has space", "--Mcu:AdminKey=k", "--urls=http://127.0.0.1:0", "Mcu:NodeName is required")]
    [InlineData("--Mcu:NodeName=n1", "--Mcu:AdminKey=", "--urls=http://127.0.0.1:0", "Mcu:AdminKey is required")]
    [InlineData("--Mcu:NodeName=n1", "--Mcu:AdminKey=k", "--urls=http://0.0.0.0:0", "Mcu:NodeUrl is required")]
    [InlineData("--Mcu:NodeName=n1", "--Mcu:AdminKey=k", "--Mcu:NodeUrl=http://10.0.0.5:8080/mcu", "Mcu:NodeUrl 'http://10.0.0.5:8080/mcu'")]
    [InlineData("--Mcu:NodeName=n1", "--Mcu:AdminKey=k", "--Mcu:Cluster:NodeTimeoutSeconds=3", "Mcu:Cluster")]
    public async Task A_node_of_a_cluster_without_what_it_needs_refuses_to_start_and_says_what(string name, string key, string other, string said)
    {
        var refused = await Assert.ThrowsAsync<OptionsValidationException>(async () =>
        {
            await using var app = McuApp.Build(["--urls=http://127.0.0.1:0", "--Mcu:UdpBind=127.0.0.1", "--Mcu:UdpPort=0",
                "--Mcu:StorageConnectionString=Host=127.0.0.1;Port=1;Username=nobody;Database=none", "--Logging:LogLevel:Default=Warning", name, key, other]);
            await app.StartAsync();
        });
        Assert.Contains(said, refused.Message);
    }
}
