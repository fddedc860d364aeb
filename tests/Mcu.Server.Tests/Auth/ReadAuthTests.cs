using System.Net;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text.Json;
using Mcu.Testing;

namespace Mcu.Server.Tests.Auth;

/// <summary>A server with its reads opened for a demo, and /metrics closed.</summary>
public sealed class PublicReadsServer : ServerFixture
{
    protected override string[] Settings => ["--Mcu:PublicReads=true", "--Mcu:MetricsNeedAdminKey=true"];
}

/// <summary>
/// Reads need a token: the admin key for the room list, the admin key or any token of the
/// room for its details, participants, stats and events; /healthz stays open.
/// </summary>
public sealed class ReadAuthTests : IClassFixture<ServerFixture>
{
    private readonly ServerFixture _server;

    public ReadAuthTests(ServerFixture server) => _server = server;

    [Fact]
    public async Task Each_read_takes_the_admin_key_or_a_token_of_its_room()
    {
        using var admin = _server.CreateAdminClient();
        using var created = await admin.PostAsync("/api/rooms", ServerFixture.Json("""{"name":"reads"}"""));
        string viewer = await _server.IssueTokenAsync("reads", "viewer");
        string other = await _server.IssueTokenAsync("reads-other", "participant");
        using var anonymous = _server.CreateClient();
        using var own = _server.CreateClient(viewer);
        using var foreign = _server.CreateClient(other);
        foreach (string path in new[] { "/api/rooms/reads", "/api/rooms/reads/participants", "/api/rooms/reads/stats" })
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync(path)).StatusCode);
            Assert.Equal(HttpStatusCode.Forbidden, (await foreign.GetAsync(path)).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await own.GetAsync(path)).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync(path)).StatusCode);
        }
        using var list = await own.GetAsync("/api/rooms");
        Assert.Equal(HttpStatusCode.Forbidden, list.StatusCode);
        Assert.Equal("application/problem+json", list.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/rooms")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync("/api/rooms")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/healthz")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/metrics")).StatusCode);
    }

    [Fact]
    public async Task The_events_socket_takes_a_token_as_a_subprotocol_and_never_logs_it()
    {
        using var admin = _server.CreateAdminClient();
        using var created = await admin.PostAsync("/api/rooms", ServerFixture.Json("""{"name":"reads-ws"}"""));
        string viewer = await _server.IssueTokenAsync("reads-ws", "viewer");
        var uri = new UriBuilder(new Uri(_server.BaseAddress, "/api/rooms/reads-ws/events")) { Scheme = "ws" }.Uri;

        using (var anonymous = new ClientWebSocket())
        {
            anonymous.Options.CollectHttpResponseDetails = true;
            anonymous.Options.AddSubProtocol("mcu-events");
            await Assert.ThrowsAsync<WebSocketException>(() => anonymous.ConnectAsync(uri, CancellationToken.None));
            Assert.Equal(HttpStatusCode.Unauthorized, anonymous.HttpStatusCode);
        }
        using (var socket = new ClientWebSocket())
        {
            socket.Options.AddSubProtocol("mcu-events");
            socket.Options.AddSubProtocol("bearer." + viewer);
            await socket.ConnectAsync(uri, CancellationToken.None);
            Assert.Equal("mcu-events", socket.SubProtocol);
            var buffer = new byte[4096];
            var first = await socket.ReceiveAsync(buffer, CancellationToken.None);
            Assert.Equal("subscribed", JsonDocument.Parse(buffer.AsMemory(0, first.Count)).RootElement.GetProperty("type").GetString());
            await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
        }
        Assert.DoesNotContain(_server.LogLines, line => line.Contains(viewer));
    }

    [Fact]
    public async Task Tokens_die_with_their_room_incarnation()
    {
        using var admin = _server.CreateAdminClient();
        string before = await _server.IssueTokenAsync("reads-inc", "viewer");   // no room yet
        using (await admin.PostAsync("/api/rooms", ServerFixture.Json("""{"name":"reads-inc"}""")))
        {
        }
        string during = await _server.IssueTokenAsync("reads-inc", "viewer");
        foreach (string token in new[] { before, during })
        {
            using var reader = _server.CreateClient(token);
            Assert.Equal(HttpStatusCode.OK, (await reader.GetAsync("/api/rooms/reads-inc")).StatusCode);
        }
        using (await admin.DeleteAsync("/api/rooms/reads-inc"))
        {
        }
        using (await admin.PostAsync("/api/rooms", ServerFixture.Json("""{"name":"reads-inc"}""")))
        {
        }
        string after = await _server.IssueTokenAsync("reads-inc", "viewer");
        foreach (string token in new[] { before, during })
        {
            using var reader = _server.CreateClient(token);
            using var refused = await reader.GetAsync("/api/rooms/reads-inc");
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
            Assert.Contains("invalid_token", refused.Headers.WwwAuthenticate.ToString());
            var problem = await refused.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Contains("reads-inc", problem.GetProperty("detail").GetString());
        }
        using var fresh = _server.CreateClient(after);
        Assert.Equal(HttpStatusCode.OK, (await fresh.GetAsync("/api/rooms/reads-inc")).StatusCode);
    }

    [Fact]
    public async Task Names_follow_one_rule_in_patch()
    {
        using var admin = _server.CreateAdminClient();
        using var created = await admin.PostAsync("/api/rooms", ServerFixture.Json("""{"name":"reads-names"}"""));
        await using var bot = await ParticipantBot.JoinAsync(admin, new Uri(_server.BaseAddress, "/api/rooms/reads-names/whip?name=ok"),
            new BotOptions { Name = "ok", BearerToken = ServerFixture.AdminKey, DecodeVideo = false, ToneHz = null });
        var people = await admin.GetFromJsonAsync<JsonElement>("/api/rooms/reads-names/participants");
        string id = people[0].GetProperty("id").GetString()!;
        foreach (var (name, said) in new[] { (new string('n', 65), "1 to 64"), ("   ", "1 to 64"), ("tab\there", "control") })
        {
            using var patch = await admin.PatchAsync($"/api/rooms/reads-names/participants/{id}",
                ServerFixture.Json(JsonSerializer.Serialize(new { displayName = name })));
            Assert.Equal(HttpStatusCode.BadRequest, patch.StatusCode);
            Assert.Contains(said, await patch.Content.ReadAsStringAsync());
        }
        using var fine = await admin.PatchAsync($"/api/rooms/reads-names/participants/{id}", ServerFixture.Json($$"""{"displayName":"{{new string('n', 64)}}"}"""));
        Assert.Equal(HttpStatusCode.OK, fine.StatusCode);
    }
}

/// <summary>Mcu:PublicReads opens the reads for demos; Mcu:MetricsNeedAdminKey closes /metrics.</summary>
public sealed class PublicReadsTests : IClassFixture<PublicReadsServer>
{
    private readonly PublicReadsServer _server;

    public PublicReadsTests(PublicReadsServer server) => _server = server;

    [Fact]
    public async Task Reads_are_open_and_metrics_need_the_admin_key()
    {
        using var admin = _server.CreateAdminClient();
        using var created = await admin.PostAsync("/api/rooms", ServerFixture.Json("""{"name":"open"}"""));
        using var anonymous = _server.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/api/rooms")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/api/rooms/open/participants")).StatusCode);
        using var metrics = await anonymous.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.Unauthorized, metrics.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync("/metrics")).StatusCode);
        // Writes are not reads: still the admin key.
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.DeleteAsync("/api/rooms/open")).StatusCode);
    }
}
