using System.Net;
using System.Net.WebSockets;
using Mcu.Rtc.Client;
using Mcu.Rtc.Sdp;

namespace Mcu.EndToEnd.Tests.Attacks;

/// <summary>A server with small limits, so each can be reached by a test.</summary>
public sealed class SmallLimitsServer : ServerFixture
{
    protected override string[] Settings =>
    [
        "--Mcu:Limits:MaxRooms=3",
        "--Mcu:Limits:MaxViewersPerRoom=1",
        "--Mcu:Limits:MaxSessionsPerToken=2",
        "--Mcu:Limits:MaxEventSocketsPerRoom=2",
        "--Mcu:Limits:MaxEventSockets=3",
    ];
}

/// <summary>
/// Each Mcu:Limits ceiling refuses the one request past it, with a problem document that
/// names the setting, and harms nobody already in: rooms per node (503), viewers per room
/// (409), sessions per token (429), event sockets per room (429) and per node (503).
/// </summary>
public sealed class LimitAttackTests : IClassFixture<SmallLimitsServer>
{
    private readonly SmallLimitsServer _server;

    public LimitAttackTests(SmallLimitsServer server) => _server = server;

    [Fact]
    public async Task Rooms_past_max_rooms_are_refused_by_the_api_and_by_joins()
    {
        using var http = _server.CreateClient();
        try
        {
            await Attack.CreateRoomAsync(_server, """{"name":"lim-rooms"}""");
            await using var bystanders = await Bystanders.JoinAsync(http, _server.BaseAddress, "lim-rooms", ServerFixture.AdminKey);
            await Attack.CreateRoomAsync(_server, """{"name":"lim-b"}""");
            await Attack.CreateRoomAsync(_server, """{"name":"lim-c"}""");
            using (var admin = Attack.Admin(_server))
            using (var fourth = await admin.PostAsync("/api/rooms", Attack.Json("""{"name":"lim-d"}""")))
            {
                await Attack.AssertRefusedAsync(fourth, HttpStatusCode.ServiceUnavailable, "Mcu:Limits:MaxRooms");
            }
            var e = await Assert.ThrowsAsync<WhipException>(() => ParticipantBot.JoinAsync(http, new Uri(_server.BaseAddress, "/api/rooms/lim-e/whip"),
                new BotOptions { BearerToken = ServerFixture.AdminKey, DecodeVideo = false }));
            Attack.AssertRefused(e, HttpStatusCode.ServiceUnavailable, "Mcu:Limits:MaxRooms");
            Assert.Equal(HttpStatusCode.NotFound, await Attack.RoomStatusAsync(_server, "lim-e"));
            await bystanders.AssertUnharmedAsync();
        }
        finally
        {
            foreach (string room in new[] { "lim-rooms", "lim-b", "lim-c" })
            {
                await Attack.DeleteRoomAsync(_server, room);
            }
        }
    }

    [Fact]
    public async Task Viewers_past_max_viewers_and_sessions_past_the_per_token_limit_are_refused()
    {
        using var http = _server.CreateClient();
        try
        {
            await Attack.CreateRoomAsync(_server, """{"name":"lim-people"}""");
            string token = await Attack.TokenAsync(_server, "lim-people");
            await using var bystanders = await Bystanders.JoinAsync(http, _server.BaseAddress, "lim-people", token);

            // The bystanders' token holds its two sessions: a third is refused, another token's is not.
            var e = await Assert.ThrowsAsync<WhipException>(() => ParticipantBot.JoinAsync(http, new Uri(_server.BaseAddress, "/api/rooms/lim-people/whip?name=third"),
                new BotOptions { Name = "third", BearerToken = token, DecodeVideo = false }));
            Attack.AssertRefused(e, HttpStatusCode.TooManyRequests, "Mcu:Limits:MaxSessionsPerToken");

            string viewer = await Attack.TokenAsync(_server, "lim-people", "viewer");
            var watch = new BotOptions { Name = "watcher", BearerToken = viewer, Colour = null, ToneHz = null, DecodeVideo = false, Direction = SdpDirection.RecvOnly };
            await using var first = await ParticipantBot.JoinAsync(http, new Uri(_server.BaseAddress, "/api/rooms/lim-people/whep?name=watcher"), watch);
            string secondViewer = await Attack.TokenAsync(_server, "lim-people", "viewer");
            e = await Assert.ThrowsAsync<WhipException>(() => ParticipantBot.JoinAsync(http, new Uri(_server.BaseAddress, "/api/rooms/lim-people/whep?name=second"),
                watch with { Name = "second", BearerToken = secondViewer }));
            Attack.AssertRefused(e, HttpStatusCode.Conflict, "1 viewers");
            Assert.Equal(3, (await Attack.ParticipantsAsync(_server, "lim-people")).GetArrayLength());
            await bystanders.AssertUnharmedAsync();
        }
        finally
        {
            await Attack.DeleteRoomAsync(_server, "lim-people");
        }
    }

    [Fact]
    public async Task Event_sockets_past_the_per_room_and_per_node_limits_are_refused()
    {
        using var http = _server.CreateClient();
        var sockets = new List<ClientWebSocket>();
        try
        {
            await Attack.CreateRoomAsync(_server, """{"name":"lim-events"}""");
            await Attack.CreateRoomAsync(_server, """{"name":"lim-other"}""");
            await using var bystanders = await Bystanders.JoinAsync(http, _server.BaseAddress, "lim-events", ServerFixture.AdminKey);
            for (int i = 0; i < 2; i++)
            {
                var (socket, status) = await ConnectAsync("lim-events");
                sockets.Add(socket);
                Assert.Equal(HttpStatusCode.SwitchingProtocols, status);
            }
            var (refused, perRoom) = await ConnectAsync("lim-events");
            refused.Dispose();
            Assert.Equal(HttpStatusCode.TooManyRequests, perRoom);
            await AssertProblemAsync("lim-events", HttpStatusCode.TooManyRequests, "Mcu:Limits:MaxEventSocketsPerRoom");

            var (third, other) = await ConnectAsync("lim-other");
            sockets.Add(third);
            Assert.Equal(HttpStatusCode.SwitchingProtocols, other);
            var (over, node) = await ConnectAsync("lim-other");
            over.Dispose();
            Assert.Equal(HttpStatusCode.ServiceUnavailable, node);
            await AssertProblemAsync("lim-other", HttpStatusCode.ServiceUnavailable, "Mcu:Limits:MaxEventSockets");

            // Closing one frees its place.
            await sockets[0].CloseAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
            sockets[0].Dispose();
            sockets.RemoveAt(0);
            var again = await Eventually.Get(async () => await ConnectAsync("lim-events"), r =>
            {
                if (r.Status != HttpStatusCode.SwitchingProtocols)
                {
                    r.Socket.Dispose();
                    return false;
                }
                return true;
            }, TimeSpan.FromSeconds(5), "a place freed by a closed socket");
            sockets.Add(again.Socket);
            await bystanders.AssertUnharmedAsync();
        }
        finally
        {
            foreach (var socket in sockets)
            {
                socket.Dispose();
            }
            await Attack.DeleteRoomAsync(_server, "lim-events");
            await Attack.DeleteRoomAsync(_server, "lim-other");
        }
    }

    private async Task<(ClientWebSocket Socket, HttpStatusCode Status)> ConnectAsync(string room)
    {
        var socket = new ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;
        socket.Options.SetRequestHeader("Authorization", "Bearer " + ServerFixture.AdminKey);
        try
        {
            await socket.ConnectAsync(new UriBuilder(new Uri(_server.BaseAddress, $"/api/rooms/{room}/events")) { Scheme = "ws" }.Uri, CancellationToken.None);
        }
        catch (WebSocketException)
        {
        }
        return (socket, socket.HttpStatusCode);
    }

    /// <summary>The refusal's body, seen through a plain upgrade request (a WebSocket client does not keep it).</summary>
    private async Task AssertProblemAsync(string room, HttpStatusCode status, string detail)
    {
        using var http = Attack.Admin(_server);
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/rooms/{room}/events");
        request.Headers.Add("Connection", "Upgrade");
        request.Headers.Add("Upgrade", "websocket");
        request.Headers.Add("Sec-WebSocket-Version", "13");
        request.Headers.Add("Sec-WebSocket-Key", Convert.ToBase64String(Guid.NewGuid().ToByteArray()));
        using var response = await http.SendAsync(request);
        await Attack.AssertRefusedAsync(response, status, detail);
    }
}
