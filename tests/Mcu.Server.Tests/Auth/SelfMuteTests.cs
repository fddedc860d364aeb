using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Mcu.Testing;

namespace Mcu.Server.Tests.Auth;

/// <summary>
/// The page's mute buttons: a room token mutes and unmutes the participant it joined as
/// (PATCH audioMuted/videoMuted), and nothing else: not someone else, not a name or a tier.
/// </summary>
public sealed class SelfMuteTests : IClassFixture<ServerFixture>
{
    private const string Room = "self-mute";

    private readonly ServerFixture _server;

    public SelfMuteTests(ServerFixture server) => _server = server;

    [Fact]
    public async Task A_room_token_mutes_its_own_session_and_nothing_else()
    {
        string mine = await _server.IssueTokenAsync(Room), theirs = await _server.IssueTokenAsync(Room);
        using var http = _server.CreateClient();
        await using var me = await ParticipantBot.JoinAsync(http, Whip("me"), new BotOptions { Name = "me", BearerToken = mine, DecodeVideo = false, ToneHz = null });
        await using var other = await ParticipantBot.JoinAsync(http, Whip("other"), new BotOptions { Name = "other", BearerToken = theirs, DecodeVideo = false, ToneHz = null });
        using var admin = _server.CreateAdminClient();
        var people = (await admin.GetFromJsonAsync<JsonElement>($"/api/rooms/{Room}/participants")).EnumerateArray()
            .ToDictionary(p => p.GetProperty("displayName").GetString()!, p => p.GetProperty("id").GetString()!);

        using var self = _server.CreateClient(mine);
        using (var muted = await self.PatchAsync(Path(people["me"]), ServerFixture.Json("""{"audioMuted":true,"videoMuted":true}""")))
        {
            Assert.Equal(HttpStatusCode.OK, muted.StatusCode);
            var view = await muted.Content.ReadFromJsonAsync<JsonElement>();
            Assert.True(view.GetProperty("audioMuted").GetBoolean());
            Assert.True(view.GetProperty("videoMuted").GetBoolean());
        }
        using (var unmuted = await self.PatchAsync(Path(people["me"]), ServerFixture.Json("""{"videoMuted":false}""")))
        {
            Assert.False((await unmuted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("videoMuted").GetBoolean());
        }

        foreach (var (id, body) in new[] { (people["other"], """{"audioMuted":true}"""), (people["me"], """{"displayName":"boss"}"""), (people["me"], """{"tier":"low"}"""), (people["me"], """{"noiseSuppression":true}"""), (people["me"], """{"pinned":true}""") })
        {
            using var refused = await self.PatchAsync(Path(id), ServerFixture.Json(body));
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
            Assert.Contains("admin key", await refused.Content.ReadAsStringAsync());
        }
        // Nor may a viewer of the room, or a participant of another room, mute anyone here.
        foreach (string stranger in new[] { await _server.IssueTokenAsync(Room, "viewer"), await _server.IssueTokenAsync(Room + "-elsewhere") })
        {
            using var client = _server.CreateClient(stranger);
            using var refused = await client.PatchAsync(Path(people["other"]), ServerFixture.Json("""{"audioMuted":true}"""));
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        }
        var others = await admin.GetFromJsonAsync<JsonElement>(Path(people["other"]));
        Assert.False(others.GetProperty("audioMuted").GetBoolean());
        var mineNow = await admin.GetFromJsonAsync<JsonElement>(Path(people["me"]));
        Assert.Equal("me", mineNow.GetProperty("displayName").GetString());
        Assert.False(mineNow.GetProperty("pinned").GetBoolean());
        // The admin pins (big rooms: always on the canvas).
        using (var pinned = await admin.PatchAsync(Path(people["me"]), ServerFixture.Json("""{"pinned":true}""")))
        {
            pinned.EnsureSuccessStatusCode();
            Assert.True((await pinned.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("pinned").GetBoolean());
        }
        Assert.Equal(HttpStatusCode.Unauthorized, (await _server.CreateClient().PatchAsync(Path(people["me"]), ServerFixture.Json("{}"))).StatusCode);
    }

    private Uri Whip(string name) => new(_server.BaseAddress, $"/api/rooms/{Room}/whip?name={name}");

    private static string Path(string id) => $"/api/rooms/{Room}/participants/{id}";
}
