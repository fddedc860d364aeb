using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Mcu.EndToEnd.Tests.Attacks;

/// <summary>
/// Participant ids are public (any reader of the room sees them), so they cannot be what
/// guards a session: only the token that made a session, or the admin key, may end it.
/// </summary>
public sealed class SessionTheftAttackTests : IClassFixture<ServerFixture>
{
    private readonly ServerFixture _server;

    public SessionTheftAttackTests(ServerFixture server) => _server = server;

    [Fact]
    public async Task Another_token_of_the_room_cannot_end_someone_elses_session()
    {
        const string room = "theft";
        await Attack.CreateRoomAsync(_server, """{"name":"theft"}""");
        string participants = await Attack.TokenAsync(_server, room);
        using var http = _server.CreateClient();
        await using var bystanders = await Bystanders.JoinAsync(http, _server.BaseAddress, room, participants);

        string viewer = await Attack.TokenAsync(_server, room, "viewer");
        string otherParticipant = await Attack.TokenAsync(_server, room);
        using var viewerClient = Attack.Client(_server, viewer);
        var people = await viewerClient.GetFromJsonAsync<JsonElement>($"/api/rooms/{room}/participants");
        Assert.Equal(2, people.GetArrayLength());
        foreach (string thief in new[] { viewer, otherParticipant })
        {
            using var client = Attack.Client(_server, thief);
            foreach (var person in people.EnumerateArray())
            {
                using var response = await client.DeleteAsync($"/api/rooms/{room}/sessions/{person.GetProperty("id").GetString()}");
                await Attack.AssertRefusedAsync(response, HttpStatusCode.Forbidden, "only the token that made this session");
            }
        }
        Assert.Equal(2, (await Attack.ParticipantsAsync(_server, room)).GetArrayLength());
        await bystanders.AssertUnharmedAsync();

        // The rightful enders still can: the session's own token, and the admin key.
        await using var third = await ParticipantBot.JoinAsync(http, new Uri(_server.BaseAddress, $"/api/rooms/{room}/whip?name=third"),
            new BotOptions { Name = "third", BearerToken = otherParticipant, ToneHz = null, DecodeVideo = false });
        using (var owner = Attack.Client(_server, otherParticipant))
        using (var own = await owner.DeleteAsync(third.Client.Resource))
        {
            Assert.Equal(HttpStatusCode.OK, own.StatusCode);
        }
        await using var watcher = await ParticipantBot.JoinAsync(http, new Uri(_server.BaseAddress, $"/api/rooms/{room}/whep?name=watcher"),
            new BotOptions { Name = "watcher", BearerToken = viewer, Colour = null, ToneHz = null, DecodeVideo = false, Direction = Mcu.Rtc.Sdp.SdpDirection.RecvOnly });
        using (var admin = Attack.Admin(_server))
        using (var byAdmin = await admin.DeleteAsync(watcher.Client.Resource))
        {
            Assert.Equal(HttpStatusCode.OK, byAdmin.StatusCode);
        }
        var left = await Attack.ParticipantsAsync(_server, room);
        Assert.Equal(["blue", "red"], left.EnumerateArray().Select(p => p.GetProperty("displayName").GetString()).Order());
        await bystanders.AssertUnharmedAsync();
        await Attack.DeleteRoomAsync(_server, room);
    }
}
