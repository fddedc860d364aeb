using System.Net;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;

namespace Mcu.EndToEnd.Tests.Attacks;

/// <summary>
/// Another site's page (Origin: http://evil.example) reads nothing: reads need the admin
/// key or a token of the room, and CORS answers only configured origins (none by default),
/// except WHIP/WHEP, which RFC 9725 clients call cross-origin with a bearer token.
/// </summary>
public sealed class CrossOriginReadAttackTests : IClassFixture<ServerFixture>
{
    private const string Room = "private";
    private const string Evil = "http://evil.example";
    private readonly ServerFixture _server;

    public CrossOriginReadAttackTests(ServerFixture server) => _server = server;

    [Fact]
    public async Task Another_site_reads_no_rooms_names_or_events_but_whip_stays_open_cross_origin()
    {
        await Attack.CreateRoomAsync(_server, """{"name":"private"}""");
        string participant = await Attack.TokenAsync(_server, Room);
        using var http = _server.CreateClient();
        await using var bystanders = await Bystanders.JoinAsync(http, _server.BaseAddress, Room, participant);

        using var evil = Attack.Client(_server, origin: Evil);
        foreach (string path in new[] { "/api/rooms", $"/api/rooms/{Room}", $"/api/rooms/{Room}/participants", $"/api/rooms/{Room}/stats" })
        {
            using var read = await evil.GetAsync(path);
            var problem = await Attack.AssertRefusedAsync(read, HttpStatusCode.Unauthorized, "Authorization: Bearer");
            Assert.False(read.Headers.Contains("Access-Control-Allow-Origin"), path);
            Assert.DoesNotContain("red", problem.ToString());
            using var preflight = Preflight(path, "GET", "authorization");
            using var answer = await http.SendAsync(preflight);
            Assert.False(answer.Headers.Contains("Access-Control-Allow-Origin"), "preflight " + path);
        }
        // Even a browser that holds the admin key gets no CORS grant for another site's page.
        using (var keyed = Attack.Client(_server, ServerFixture.AdminKey, Evil))
        using (var read = await keyed.GetAsync("/api/rooms"))
        {
            Assert.Equal(HttpStatusCode.OK, read.StatusCode);
            Assert.False(read.Headers.Contains("Access-Control-Allow-Origin"));
        }
        // A token of another room reads nothing here.
        string elsewhere = await Attack.TokenAsync(_server, "elsewhere", "viewer");
        using (var other = Attack.Client(_server, elsewhere))
        using (var read = await other.GetAsync($"/api/rooms/{Room}/participants"))
        {
            await Attack.AssertRefusedAsync(read, HttpStatusCode.Forbidden, "another room");
        }
        Assert.Equal(HttpStatusCode.Unauthorized, await EventsStatusAsync(null));

        // The room's own (viewer) token reads it, events included, through the subprotocol a browser can send.
        string viewer = await Attack.TokenAsync(_server, Room, "viewer");
        using (var reader = Attack.Client(_server, viewer))
        {
            var people = await reader.GetFromJsonAsync<JsonElement>($"/api/rooms/{Room}/participants");
            Assert.Equal(2, people.GetArrayLength());
        }
        using (var socket = await ConnectEventsAsync(viewer))
        {
            Assert.Equal("mcu-events", socket.SubProtocol);
            var buffer = new byte[4096];
            var first = await socket.ReceiveAsync(buffer, CancellationToken.None);
            Assert.Contains("\"subscribed\"", Encoding.UTF8.GetString(buffer, 0, first.Count));
        }

        // WHIP/WHEP and the session resource answer any origin, as RFC 9725 clients need.
        foreach (var (path, method) in new[] { ($"/api/rooms/{Room}/whip", "POST"), ($"/api/rooms/{Room}/whep", "POST"), ($"/api/rooms/{Room}/sessions/abc", "DELETE") })
        {
            using var preflight = Preflight(path, method, "authorization,content-type");
            using var answer = await http.SendAsync(preflight);
            Assert.Equal("*", answer.Headers.GetValues("Access-Control-Allow-Origin").Single());
            Assert.Contains(method, answer.Headers.GetValues("Access-Control-Allow-Methods").Single());
        }
        using (var cross = Attack.Client(_server, participant, Evil))
        using (var whip = await cross.PostAsync($"/api/rooms/{Room}/whip", Attack.Sdp("v=0")))
        {
            await Attack.AssertRefusedAsync(whip, HttpStatusCode.BadRequest, "Malformed SDP offer");
            Assert.Equal("*", whip.Headers.GetValues("Access-Control-Allow-Origin").Single());
        }
        using (var health = await evil.GetAsync("/healthz"))
        {
            Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        }
        Assert.Equal(2, (await Attack.ParticipantsAsync(_server, Room)).GetArrayLength());
        await bystanders.AssertUnharmedAsync();
        await Attack.DeleteRoomAsync(_server, Room);
    }

    private static HttpRequestMessage Preflight(string path, string method, string headers)
    {
        var request = new HttpRequestMessage(HttpMethod.Options, path);
        request.Headers.Add("Origin", Evil);
        request.Headers.Add("Access-Control-Request-Method", method);
        request.Headers.Add("Access-Control-Request-Headers", headers);
        return request;
    }

    private async Task<ClientWebSocket> ConnectEventsAsync(string? token)
    {
        var socket = new ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;
        socket.Options.SetRequestHeader("Origin", Evil);
        socket.Options.AddSubProtocol("mcu-events");
        if (token is not null)
        {
            socket.Options.AddSubProtocol("bearer." + token);
        }
        try
        {
            await socket.ConnectAsync(new UriBuilder(new Uri(_server.BaseAddress, $"/api/rooms/{Room}/events")) { Scheme = "ws" }.Uri, CancellationToken.None);
        }
        catch (WebSocketException)
        {
        }
        return socket;
    }

    private async Task<HttpStatusCode> EventsStatusAsync(string? token)
    {
        using var socket = await ConnectEventsAsync(token);
        return socket.HttpStatusCode;
    }
}
