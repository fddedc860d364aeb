using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Mcu.EndToEnd.Tests.Recording;
using Xunit.Abstractions;
using static Mcu.EndToEnd.Tests.Cluster.ClusterFixture;

namespace Mcu.EndToEnd.Tests.Cluster;

/// <summary>
/// Two nodes on one PostgreSQL: rooms are placed atomically (two nodes creating one name at once
/// make one room), where asked or on the least-loaded node, and any node answers for any room:
/// REST calls are forwarded with the caller's credentials, WHIP/WHEP and the events socket are
/// redirected (307) to the node that hosts the room, and nobody without a credential for the room
/// learns where it is.
/// </summary>
public sealed class ClusterRoutingTests(ClusterFixture cluster, ITestOutputHelper output) : IClassFixture<ClusterFixture>
{
    [Fact]
    public async Task Two_nodes_racing_to_create_one_name_make_one_room_fifty_times_over()
    {
        using var a = cluster.A.CreateClient();
        using var b = cluster.B.CreateClient();
        var started = System.Diagnostics.Stopwatch.StartNew();
        for (int round = 0; round < 50; round++)
        {
            string name = $"race-{round}";
            // Each claim made by a different node, so only the directory can tell them apart: each on
            // itself in even rounds, each for the other (through forwarding) in odd ones.
            var (forA, forB) = round % 2 == 0 ? ("a", "b") : ("b", "a");
            var fromA = a.PostAsync("/api/rooms", Body($$"""{"name":"{{name}}","node":"{{forA}}"}"""));
            var fromB = b.PostAsync("/api/rooms", Body($$"""{"name":"{{name}}","node":"{{forB}}"}"""));
            using var first = await fromA;
            using var second = await fromB;
            var statuses = new[] { first.StatusCode, second.StatusCode }.Order().ToArray();
            Assert.True(statuses is [HttpStatusCode.Created, HttpStatusCode.Conflict],
                $"round {round}: {first.StatusCode} {await first.Content.ReadAsStringAsync()} / {second.StatusCode} {await second.Content.ReadAsStringAsync()}");
            using var deleted = await a.DeleteAsync($"/api/rooms/{name}");
            Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        }
        output.WriteLine($"50 races in {started.Elapsed.TotalSeconds:F1} s");
        var left = (await GetJsonAsync(a, "/api/rooms")).EnumerateArray().Select(r => r.GetProperty("name").GetString()).ToList();
        Assert.DoesNotContain(left, n => n!.StartsWith("race-", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Any_node_answers_for_any_room_by_forwarding_or_redirecting_with_the_same_credentials()
    {
        using var a = cluster.A.CreateClient();
        using var b = cluster.B.CreateClient();
        using (var created = await a.PostAsync("/api/rooms", Body("""{"name":"routed","node":"b","layout":"grid-4"}""")))
        {
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }
        // Both nodes list it, on b.
        Assert.Equal("b", (await ListedAsync(a, "routed"))!.Value.GetProperty("node").GetString());
        Assert.Equal("b", (await ListedAsync(b, "routed"))!.Value.GetProperty("node").GetString());

        // REST through a is b's answer: the layout changed through a is b's room's layout.
        using (var layout = await a.PutAsync("/api/rooms/routed/layout", Body("""{"layout":"side-by-side"}""")))
        {
            Assert.Equal(HttpStatusCode.OK, layout.StatusCode);
        }
        Assert.Equal("side-by-side", (await GetJsonAsync(b, "/api/rooms/routed")).GetProperty("layout").GetString());
        Assert.Equal("side-by-side", (await GetJsonAsync(a, "/api/rooms/routed")).GetProperty("layout").GetString());

        // A token minted through a is bound to b's room: a viewer joins through a, is redirected and views on b.
        string viewerToken = await TokenAsync(a, "routed", "viewer");
        await using (var sender = await ParticipantBot.JoinAsync(b, cluster.B.Whip("routed", "sender"),
                         new BotOptions { Name = "sender", Colour = (40, 40, 220), Width = 320, Height = 180, FramesPerSecond = 15, DecodeVideo = false }))
        {
            using var plain = new HttpClient();
            await using var viewer = await ParticipantBot.JoinAsync(plain, new Uri(cluster.A.BaseAddress, "/api/rooms/routed/whep?name=viewer"),
                new BotOptions { Name = "viewer", Colour = null, ToneHz = null, Direction = Mcu.Rtc.Sdp.SdpDirection.RecvOnly, BearerToken = viewerToken });
            Assert.Equal(cluster.B.BaseAddress.Authority, viewer.Client.Resource.Authority);
            await Eventually.Get(() => Task.FromResult(viewer.VideoFramesDecoded), n => n > 10, TimeSpan.FromSeconds(20), "the viewer decoding b's mix");
            var participants = await GetJsonAsync(a, "/api/rooms/routed/participants");
            Assert.Equal(["sender", "viewer"], participants.EnumerateArray().Select(p => p.GetProperty("displayName").GetString()).Order());
        }

        using var noRedirects = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = cluster.A.BaseAddress };
        // WHIP on a: 307 to the same path and query on b (RFC 9725 §4.5), before any SDP is read.
        using (var whip = new HttpRequestMessage(HttpMethod.Post, "/api/rooms/routed/whip?name=x%20y") { Content = new StringContent("v=0") })
        {
            whip.Content.Headers.ContentType = new MediaTypeHeaderValue("application/sdp");
            whip.Headers.Authorization = new AuthenticationHeaderValue("Bearer", RecordingServer.AdminKey);
            using var redirected = await noRedirects.SendAsync(whip);
            Assert.Equal(HttpStatusCode.TemporaryRedirect, redirected.StatusCode);
            Assert.Equal(new Uri(cluster.B.BaseAddress, "/api/rooms/routed/whip?name=x%20y"), redirected.Headers.Location);
        }
        // The events socket: redirected too (a WebSocket client reconnects there).
        using (var events = new HttpRequestMessage(HttpMethod.Get, "/api/rooms/routed/events"))
        {
            events.Headers.Authorization = new AuthenticationHeaderValue("Bearer", viewerToken);
            using var redirected = await noRedirects.SendAsync(events);
            Assert.Equal(HttpStatusCode.TemporaryRedirect, redirected.StatusCode);
            Assert.Equal(new Uri(cluster.B.BaseAddress, "/api/rooms/routed/events"), redirected.Headers.Location);
        }
        // Without a credential for the room, a says nothing of where it is: 401, or 403 with another room's token.
        using (var anonymous = await noRedirects.GetAsync("/api/rooms/routed/events"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
            Assert.Null(anonymous.Headers.Location);
        }
        string otherToken = await TokenAsync(a, "elsewhere");
        using (var other = new HttpRequestMessage(HttpMethod.Get, "/api/rooms/routed"))
        {
            other.Headers.Authorization = new AuthenticationHeaderValue("Bearer", otherToken);
            using var refused = await noRedirects.SendAsync(other);
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        }
        using (var deleted = await a.DeleteAsync("/api/rooms/routed"))
        {
            Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        }
        Assert.Null(await ListedAsync(b, "routed"));
    }

    [Fact]
    public async Task A_room_without_a_node_goes_to_the_least_loaded_live_node_and_nodes_are_listed()
    {
        using var a = cluster.A.CreateClient();
        using var b = cluster.B.CreateClient();
        var nodes = await GetJsonAsync(a, "/api/nodes");
        Assert.Equal(["a", "b"], nodes.EnumerateArray().Select(n => n.GetProperty("name").GetString()).Order());
        Assert.All(nodes.EnumerateArray(), n => Assert.Equal("live", n.GetProperty("state").GetString()));
        Assert.True(nodes.EnumerateArray().Single(n => n.GetProperty("name").GetString() == "a").GetProperty("self").GetBoolean());
        using (var anonymous = await new HttpClient { BaseAddress = cluster.A.BaseAddress }.GetAsync("/api/nodes"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        }

        // b carries someone; once its heartbeat says so, a new room asked of b goes to a.
        using (var busy = await a.PostAsync("/api/rooms", Body("""{"name":"busy","node":"b"}""")))
        {
            Assert.Equal(HttpStatusCode.Created, busy.StatusCode);
        }
        await using (var bot = await ParticipantBot.JoinAsync(b, cluster.B.Whip("busy", "someone"),
                         new BotOptions { Name = "someone", Width = 320, Height = 180, FramesPerSecond = 15, DecodeVideo = false }))
        {
            await Eventually.Get(() => GetJsonAsync(a, "/api/nodes"),
                list => list.EnumerateArray().Any(n => n.GetProperty("name").GetString() == "b" && n.GetProperty("participants").GetInt32() == 1),
                TimeSpan.FromSeconds(10), "b's heartbeat carrying its participant");
            using (var placed = await b.PostAsync("/api/rooms", Body("""{"name":"light"}""")))
            {
                Assert.Equal(HttpStatusCode.Created, placed.StatusCode);
            }
            Assert.Equal("a", (await ListedAsync(b, "light"))!.Value.GetProperty("node").GetString());
        }
        // A node that is not there, or not one: refused with what to look at.
        using (var nowhere = await a.PostAsync("/api/rooms", Body("""{"name":"ghostly","node":"z"}""")))
        {
            Assert.Equal(HttpStatusCode.BadRequest, nowhere.StatusCode);
            Assert.Contains("/api/nodes", await nowhere.Content.ReadAsStringAsync());
        }
        foreach (string room in new[] { "busy", "light" })
        {
            using var deleted = await b.DeleteAsync($"/api/rooms/{room}");
            Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        }
    }

    [Fact]
    public async Task A_join_to_a_new_room_makes_it_on_the_node_joined_and_the_other_node_redirects_to_it()
    {
        using var a = cluster.A.CreateClient();
        using var b = cluster.B.CreateClient();
        // Nobody made "joined": the first join makes it where it lands (a), and a join through b is sent to a.
        await using var first = await ParticipantBot.JoinAsync(a, cluster.A.Whip("joined", "first"),
            new BotOptions { Name = "first", Width = 320, Height = 180, FramesPerSecond = 15, DecodeVideo = false });
        Assert.Equal("a", (await ListedAsync(b, "joined"))!.Value.GetProperty("node").GetString());
        string token = await TokenAsync(b, "joined");
        using var plain = new HttpClient();
        await using var second = await ParticipantBot.JoinAsync(plain, cluster.B.Whip("joined", "second"),
            new BotOptions { Name = "second", Width = 320, Height = 180, FramesPerSecond = 15, DecodeVideo = false, BearerToken = token });
        Assert.Equal(cluster.A.BaseAddress.Authority, second.Client.Resource.Authority);
        var room = await GetJsonAsync(b, "/api/rooms/joined");
        Assert.Equal(2, room.GetProperty("participants").GetArrayLength());
        using var deleted = await b.DeleteAsync("/api/rooms/joined");
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
    }

    [Fact]
    public async Task A_token_from_before_a_room_deleted_on_one_node_cannot_make_it_again_through_another()
    {
        using var a = cluster.A.CreateClient();
        using var b = cluster.B.CreateClient();
        string early = await TokenAsync(a, "voided"); // issued before the room existed: bound to no incarnation
        using (var created = await a.PostAsync("/api/rooms", Body("""{"name":"voided","node":"a","maxTier":"low"}""")))
        {
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }
        using (var deleted = await a.DeleteAsync("/api/rooms/voided"))
        {
            Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        }
        // b never saw the room, yet refuses the token: the deletion is in the directory, not in a's memory.
        using var plain = new HttpClient();
        var refused = await Assert.ThrowsAsync<Mcu.Rtc.Client.WhipException>(() => ParticipantBot.JoinAsync(plain, cluster.B.Whip("voided", "ghost"),
            new BotOptions { Name = "ghost", BearerToken = early, DecodeVideo = false }));
        Assert.Equal(401, refused.Status);
        Assert.Contains("deleted after the token was issued", refused.Body);
        Assert.Null(await ListedAsync(a, "voided"));
        Assert.Null(await ListedAsync(b, "voided"));

        // A token issued after the deletion makes the room by joining, as before.
        string fresh = await TokenAsync(a, "voided");
        await using (var joined = await ParticipantBot.JoinAsync(plain, cluster.B.Whip("voided", "fresh"),
                         new BotOptions { Name = "fresh", BearerToken = fresh, Width = 320, Height = 180, FramesPerSecond = 15, DecodeVideo = false }))
        {
            Assert.Equal("b", (await ListedAsync(a, "voided"))!.Value.GetProperty("node").GetString());
        }
        using var cleanup = await b.DeleteAsync("/api/rooms/voided");
    }
}
