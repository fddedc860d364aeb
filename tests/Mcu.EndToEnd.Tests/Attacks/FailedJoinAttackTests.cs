using System.Net;

namespace Mcu.EndToEnd.Tests.Attacks;

/// <summary>A server whose join-made rooms end after 2 s with nobody in them.</summary>
public sealed class IdleRoomsServer : ServerFixture
{
    protected override string[] Settings => ["--Mcu:IdleRoomSeconds=2"];
}

/// <summary>
/// A join that fails leaves no room behind, and a room that only a join made (not the API)
/// ends once nobody has been in it for Mcu:IdleRoomSeconds; rooms in use, and rooms the
/// API created, stay.
/// </summary>
public sealed class FailedJoinAttackTests : IClassFixture<IdleRoomsServer>
{
    private readonly IdleRoomsServer _server;

    public FailedJoinAttackTests(IdleRoomsServer server) => _server = server;

    [Fact]
    public async Task Malformed_offers_to_a_missing_room_leave_nothing_and_idle_join_made_rooms_end()
    {
        using var http = _server.CreateClient();
        // The bystanders' room is made by their join, and lives as long as they are in it.
        await using var bystanders = await Bystanders.JoinAsync(http, _server.BaseAddress, "busy", ServerFixture.AdminKey);
        await Attack.CreateRoomAsync(_server, """{"name":"kept"}""");

        string token = await Attack.TokenAsync(_server, "ghost");
        using var attacker = Attack.Client(_server, token);
        for (int i = 0; i < 20; i++)
        {
            using var whip = await attacker.PostAsync("/api/rooms/ghost/whip", Attack.Sdp("v=0\r\nthis is no offer " + i + "\r\n"));
            await Attack.AssertRefusedAsync(whip, HttpStatusCode.BadRequest, "Malformed SDP offer");
            using var whep = await attacker.PostAsync("/api/rooms/ghost/whep", Attack.Sdp("m=video 9 UDP/TLS/RTP/SAVPF 96\r\n"));
            await Attack.AssertRefusedAsync(whep, HttpStatusCode.BadRequest, "Malformed SDP offer");
            Assert.Equal(HttpStatusCode.NotFound, await Attack.RoomStatusAsync(_server, "ghost"));
        }

        // A well-formed join makes the room; once it is empty it ends within the idle time.
        await using (var drifter = await ParticipantBot.JoinAsync(http, new Uri(_server.BaseAddress, "/api/rooms/drifter/whip?name=drifter"),
                         new BotOptions { Name = "drifter", BearerToken = ServerFixture.AdminKey, ToneHz = null, DecodeVideo = false }))
        {
            Assert.Equal(HttpStatusCode.OK, await Attack.RoomStatusAsync(_server, "drifter"));
        }
        await Eventually.Get(() => Attack.RoomStatusAsync(_server, "drifter"), s => s == HttpStatusCode.NotFound,
            TimeSpan.FromSeconds(10), "the empty join-made room ending");
        await Task.Delay(TimeSpan.FromSeconds(5));
        Assert.Equal(HttpStatusCode.OK, await Attack.RoomStatusAsync(_server, "busy"));
        Assert.Equal(HttpStatusCode.OK, await Attack.RoomStatusAsync(_server, "kept")); // the API's rooms stay until deleted
        await bystanders.AssertUnharmedAsync();
    }
}
