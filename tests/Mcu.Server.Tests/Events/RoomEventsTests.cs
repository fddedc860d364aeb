using System.Net;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text.Json;
using Mcu.Testing;

namespace Mcu.Server.Tests.Events;

/// <summary>The room's WebSocket carries joined, updated, layout, left and closed, in order, as small JSON messages.</summary>
public sealed class RoomEventsTests : IClassFixture<ServerFixture>
{
    private readonly ServerFixture _server;

    public RoomEventsTests(ServerFixture server) => _server = server;

    [Fact]
    public async Task A_socket_ends_when_its_token_expires_and_one_token_holds_at_most_five()
    {
        using var admin = _server.CreateAdminClient();
        using var created = await admin.PostAsync("/api/rooms", ServerFixture.Json("""{"name":"ev-expiry"}"""));
        using var minted = await admin.PostAsync("/api/rooms/ev-expiry/tokens", ServerFixture.Json("""{"role":"viewer","ttlSeconds":2}"""));
        string token = (await minted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("token").GetString()!;
        var wsUri = new UriBuilder(new Uri(_server.BaseAddress, "/api/rooms/ev-expiry/events")) { Scheme = "ws" }.Uri;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));

        var sockets = new List<ClientWebSocket>();
        for (int i = 0; i < 5; i++)
        {
            var socket = new ClientWebSocket();
            socket.Options.SetRequestHeader("Authorization", "Bearer " + token);
            await socket.ConnectAsync(wsUri, timeout.Token);
            Assert.Equal("subscribed", (await ReceiveAsync(socket, timeout.Token))!.Value.GetProperty("type").GetString());
            sockets.Add(socket);
        }
        using var sixth = new ClientWebSocket();
        sixth.Options.SetRequestHeader("Authorization", "Bearer " + token);
        sixth.Options.CollectHttpResponseDetails = true;
        await Assert.ThrowsAnyAsync<WebSocketException>(() => sixth.ConnectAsync(wsUri, timeout.Token));
        Assert.Equal(HttpStatusCode.TooManyRequests, sixth.HttpStatusCode);

        // The token lives 2 s: its sockets close then, saying why, though the room goes on.
        foreach (var socket in sockets)
        {
            Assert.Null(await ReceiveAsync(socket, timeout.Token));
            Assert.Equal(WebSocketCloseStatus.PolicyViolation, socket.CloseStatus);
            Assert.Equal("token expired", socket.CloseStatusDescription);
            socket.Dispose();
        }
    }

    [Fact]
    public async Task Events_arrive_in_the_order_they_happened()
    {
        using var admin = _server.CreateAdminClient();
        using var created = await admin.PostAsync("/api/rooms", ServerFixture.Json("""{"name":"ev"}"""));
        using var socket = new ClientWebSocket();
        socket.Options.SetRequestHeader("Authorization", "Bearer " + ServerFixture.AdminKey);
        var wsUri = new UriBuilder(new Uri(_server.BaseAddress, "/api/rooms/ev/events")) { Scheme = "ws" }.Uri;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await socket.ConnectAsync(wsUri, timeout.Token);
        var first = await ReceiveAsync(socket, timeout.Token);
        Assert.Equal("subscribed", first!.Value.GetProperty("type").GetString());

        string id;
        await using (var bot = await ParticipantBot.JoinAsync(admin, new Uri(_server.BaseAddress, "/api/rooms/ev/whip?name=eve"),
                         new BotOptions { Name = "eve", BearerToken = ServerFixture.AdminKey, DecodeVideo = false }))
        {
            var people = await admin.GetFromJsonAsync<JsonElement>("/api/rooms/ev/participants");
            id = people[0].GetProperty("id").GetString()!;
            using var mute = await admin.PatchAsync($"/api/rooms/ev/participants/{id}", ServerFixture.Json("""{"audioMuted":true}"""));
            using var layout = await admin.PutAsync("/api/rooms/ev/layout", ServerFixture.Json("""{"layout":"speaker"}"""));
            Assert.Equal(HttpStatusCode.OK, layout.StatusCode);
        }
        using var close = await admin.DeleteAsync("/api/rooms/ev");

        var seen = new List<JsonElement>();
        while (await ReceiveAsync(socket, timeout.Token) is { } message)
        {
            // The active speaker may change at any moment; the rest must come in order.
            if (message.GetProperty("type").GetString() != "speakerChanged")
            {
                seen.Add(message);
            }
        }
        Assert.Equal(["participantJoined", "participantUpdated", "layoutChanged", "participantLeft", "roomClosed"],
            seen.Select(m => m.GetProperty("type").GetString()));
        Assert.Equal(id, seen[0].GetProperty("participantId").GetString());
        Assert.Equal("eve", seen[0].GetProperty("detail").GetString());
        Assert.Equal("audioMuted", seen[1].GetProperty("detail").GetString());
        Assert.Equal("speaker", seen[2].GetProperty("detail").GetString());
        Assert.All(seen, m => Assert.Equal("ev", m.GetProperty("room").GetString()));
        var times = seen.Select(m => m.GetProperty("timestamp").GetDateTimeOffset()).ToList();
        Assert.Equal(times.Order(), times);
        Assert.Equal(WebSocketState.CloseReceived, socket.State);
    }

    [Fact]
    public async Task Events_of_a_room_that_does_not_exist_are_404()
    {
        using var http = _server.CreateAdminClient();
        using var response = await http.GetAsync("/api/rooms/ev-none/events");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    /// <summary>The next message, or null when the server closed the socket.</summary>
    private static async Task<JsonElement?> ReceiveAsync(ClientWebSocket socket, CancellationToken ct)
    {
        var buffer = new byte[8192];
        int total = 0;
        while (true)
        {
            var result = await socket.ReceiveAsync(buffer.AsMemory(total), ct);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return null;
            }
            total += result.Count;
            if (result.EndOfMessage)
            {
                return JsonDocument.Parse(buffer.AsMemory(0, total)).RootElement.Clone();
            }
        }
    }
}
