using System.Net;
using System.Net.WebSockets;
using Mcu.Rtc.Client;

namespace Mcu.EndToEnd.Tests.Attacks;

/// <summary>
/// A token belongs to one incarnation of its room: once the API deletes the room, the
/// room's old tokens neither make it again (with default settings) nor get into the room
/// the admin creates next under the same name.
/// </summary>
public sealed class DeletedRoomTokenAttackTests : IClassFixture<ServerFixture>
{
    private const string Room = "reborn";
    private readonly ServerFixture _server;

    public DeletedRoomTokenAttackTests(ServerFixture server) => _server = server;

    [Fact]
    public async Task Tokens_of_a_deleted_room_are_void_for_every_later_room_of_that_name()
    {
        string early = await Attack.TokenAsync(_server, Room);   // issued before the room existed
        await Attack.CreateRoomAsync(_server, """{"name":"reborn","maxTier":"low"}""");
        string bound = await Attack.TokenAsync(_server, Room);   // issued for this incarnation
        using (var reader = Attack.Client(_server, bound))
        using (var ok = await reader.GetAsync($"/api/rooms/{Room}"))
        {
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        }
        await Attack.DeleteRoomAsync(_server, Room);

        using var http = _server.CreateClient();
        await AssertVoidAsync(http, early, bound);
        Assert.Equal(HttpStatusCode.NotFound, await Attack.RoomStatusAsync(_server, Room)); // not made again

        // The admin makes the room again; its own people join with a fresh token.
        await Attack.CreateRoomAsync(_server, """{"name":"reborn"}""");
        string fresh = await Attack.TokenAsync(_server, Room);
        await using var bystanders = await Bystanders.JoinAsync(http, _server.BaseAddress, Room, fresh);
        await AssertVoidAsync(http, early, bound);
        foreach (string old in new[] { early, bound })
        {
            using var reader = Attack.Client(_server, old);
            using var read = await reader.GetAsync($"/api/rooms/{Room}/participants");
            await Attack.AssertRefusedAsync(read, HttpStatusCode.Unauthorized, Room);
            using var socket = new ClientWebSocket();
            socket.Options.CollectHttpResponseDetails = true;
            socket.Options.AddSubProtocol("mcu-events");
            socket.Options.AddSubProtocol("bearer." + old);
            await Assert.ThrowsAsync<WebSocketException>(() => socket.ConnectAsync(
                new UriBuilder(new Uri(_server.BaseAddress, $"/api/rooms/{Room}/events")) { Scheme = "ws" }.Uri, CancellationToken.None));
            Assert.Equal(HttpStatusCode.Unauthorized, socket.HttpStatusCode);
        }
        Assert.Equal(2, (await Attack.ParticipantsAsync(_server, Room)).GetArrayLength());
        await bystanders.AssertUnharmedAsync();
        await Attack.DeleteRoomAsync(_server, Room);
    }

    private async Task AssertVoidAsync(HttpClient http, string early, string bound)
    {
        var e = await Assert.ThrowsAsync<WhipException>(() => ParticipantBot.JoinAsync(http, new Uri(_server.BaseAddress, $"/api/rooms/{Room}/whip?name=ghost"),
            new BotOptions { Name = "ghost", BearerToken = early, DecodeVideo = false }));
        Attack.AssertRefused(e, HttpStatusCode.Unauthorized, "deleted after the token was issued");
        e = await Assert.ThrowsAsync<WhipException>(() => ParticipantBot.JoinAsync(http, new Uri(_server.BaseAddress, $"/api/rooms/{Room}/whip?name=ghost"),
            new BotOptions { Name = "ghost", BearerToken = bound, DecodeVideo = false }));
        Attack.AssertRefused(e, HttpStatusCode.Unauthorized, "that room has ended");
    }
}
