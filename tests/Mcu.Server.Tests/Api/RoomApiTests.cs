using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Mcu.Conference.Rooms;
using Mcu.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Mcu.Server.Tests.Api;

/// <summary>Rooms and participants over the REST API, success and failure paths.</summary>
public sealed class RoomApiTests : IClassFixture<ServerFixture>
{
    private readonly ServerFixture _server;

    public RoomApiTests(ServerFixture server) => _server = server;

    private RoomDirectory Rooms => _server.Services.GetRequiredService<RoomDirectory>();

    [Fact]
    public async Task A_room_is_created_listed_shown_and_closed()
    {
        using var admin = _server.CreateAdminClient();
        using var created = await admin.PostAsync("/api/rooms", ServerFixture.Json(
            """{"name":"r-crud","layout":"grid-9","defaultTier":"low","maxTier":"medium","codecs":["vp8"],"maxParticipants":3,"lossRecovery":false,"noiseSuppression":true}"""));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal("/api/rooms/r-crud", created.Headers.Location?.ToString());

        var room = await admin.GetFromJsonAsync<JsonElement>("/api/rooms/r-crud");
        Assert.Equal("grid-9", room.GetProperty("layout").GetString());
        Assert.False(room.GetProperty("recording").GetBoolean());
        var settings = room.GetProperty("settings");
        Assert.Equal(("low", "medium", 3), (settings.GetProperty("defaultTier").GetString(), settings.GetProperty("maxTier").GetString(), settings.GetProperty("maxParticipants").GetInt32()));
        Assert.Equal(["vp8"], settings.GetProperty("codecs").EnumerateArray().Select(c => c.GetString()));
        Assert.Equal((false, true, false), (settings.GetProperty("lossRecovery").GetBoolean(), settings.GetProperty("noiseSuppression").GetBoolean(), settings.GetProperty("autoGain").GetBoolean()));
        Assert.Equal(0, room.GetProperty("participants").GetArrayLength());

        var list = await admin.GetFromJsonAsync<JsonElement>("/api/rooms");
        Assert.Contains(list.EnumerateArray(), r => r.GetProperty("name").GetString() == "r-crud");

        using var again = await admin.PostAsync("/api/rooms", ServerFixture.Json("""{"name":"r-crud"}"""));
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);

        using var closed = await admin.DeleteAsync("/api/rooms/r-crud");
        Assert.Equal(HttpStatusCode.NoContent, closed.StatusCode);
        Assert.False(Rooms.TryGet("r-crud", out _));
        using var gone = await admin.GetAsync("/api/rooms/r-crud");
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        using var closeAgain = await admin.DeleteAsync("/api/rooms/r-crud");
        Assert.Equal(HttpStatusCode.NotFound, closeAgain.StatusCode);
    }

    [Theory]
    [InlineData("""{"name":"r-bad","layout":"no-such"}""", "no-such")]
    [InlineData("""{"name":"r bad"}""", "room name")]
    [InlineData("""{"name":"r-bad","maxTier":"ultra"}""", "ultra")]
    [InlineData("""{"name":"r-bad","codecs":["av1"]}""", "codecs")]
    [InlineData("""{"name":"r-bad","maxParticipants":0}""", "maxParticipants")]
    [InlineData("""{"name":"r-bad","colour":"red"}""", "colour")]
    [InlineData("""{"name":"r-bad",""", "Malformed")]
    [InlineData("""[1,2]""", "Malformed")]
    [InlineData("""{}""", "name")]
    public async Task A_bad_room_request_is_a_400_problem_saying_what(string body, string mentioned)
    {
        using var admin = _server.CreateAdminClient();
        using var response = await admin.PostAsync("/api/rooms", ServerFixture.Json(body));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(400, problem.GetProperty("status").GetInt32());
        Assert.Contains(mentioned, problem.GetProperty("title").GetString() + " " + problem.GetProperty("detail").GetString());
        Assert.False(Rooms.TryGet("r-bad", out _));
    }

    [Fact]
    public async Task Every_body_is_checked_and_every_missing_thing_is_404()
    {
        using var admin = _server.CreateAdminClient();
        using var created = await admin.PostAsync("/api/rooms", ServerFixture.Json("""{"name":"r-checks"}"""));
        foreach (var (method, path) in new[]
                 {
                     ("PUT", "/api/rooms/r-checks/layout"), ("PUT", "/api/rooms/r-checks/speaker"),
                     ("PATCH", "/api/rooms/r-checks/participants/x"), ("POST", "/api/rooms/r-checks/tokens"),
                 })
        {
            using var request = new HttpRequestMessage(new HttpMethod(method), path) { Content = ServerFixture.Json("""{"layout": """) };
            using var response = await admin.SendAsync(request);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal("Malformed JSON", problem.GetProperty("title").GetString());
        }
        using var layoutNull = await admin.PutAsync("/api/rooms/r-checks/layout", ServerFixture.Json("null"));
        Assert.Equal(HttpStatusCode.BadRequest, layoutNull.StatusCode);

        using var people = await admin.GetAsync("/api/rooms/r-none/participants");
        Assert.Equal(HttpStatusCode.NotFound, people.StatusCode);
        using var person = await admin.GetAsync("/api/rooms/r-checks/participants/nobody");
        Assert.Equal(HttpStatusCode.NotFound, person.StatusCode);
        using var speaker = await admin.PutAsync("/api/rooms/r-none/speaker", ServerFixture.Json("""{"participantId":null}"""));
        Assert.Equal(HttpStatusCode.NotFound, speaker.StatusCode);
        using var session = await admin.DeleteAsync("/api/rooms/r-checks/sessions/nobody");
        Assert.Equal(HttpStatusCode.NotFound, session.StatusCode);
        using var anonymous = _server.CreateClient();
        using var anonymousLeave = await anonymous.DeleteAsync("/api/rooms/r-checks/sessions/nobody");
        Assert.Equal(HttpStatusCode.Unauthorized, anonymousLeave.StatusCode);
        using var notASocket = await admin.GetAsync("/api/rooms/r-checks/events");
        Assert.Equal(HttpStatusCode.UpgradeRequired, notASocket.StatusCode);
        using var noRoute = await anonymous.GetAsync("/api/nothing-here");
        Assert.Equal(HttpStatusCode.NotFound, noRoute.StatusCode);
    }

    [Fact]
    public async Task Json_must_be_sent_as_json()
    {
        using var admin = _server.CreateAdminClient();
        using var response = await admin.PostAsync("/api/rooms", new StringContent("""{"name":"r-type"}"""));
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
    }

    [Fact]
    public async Task Participants_are_listed_muted_renamed_tiered_spotlit_and_removed()
    {
        using var admin = _server.CreateAdminClient();
        await using var bot = await ParticipantBot.JoinAsync(admin, new Uri(_server.BaseAddress, "/api/rooms/r-people/whip?name=ann"),
            new BotOptions { Name = "ann", BearerToken = ServerFixture.AdminKey, DecodeVideo = false });
        var list = await admin.GetFromJsonAsync<JsonElement>("/api/rooms/r-people/participants");
        var ann = Assert.Single(list.EnumerateArray());
        string id = ann.GetProperty("id").GetString()!;
        Assert.Equal("ann", ann.GetProperty("displayName").GetString());
        Assert.Equal("participant", ann.GetProperty("role").GetString());

        var one = await admin.GetFromJsonAsync<JsonElement>($"/api/rooms/r-people/participants/{id}");
        Assert.Equal("ann", one.GetProperty("displayName").GetString());
        Assert.Equal("medium", one.GetProperty("tier").GetString());

        using var patched = await admin.PatchAsync($"/api/rooms/r-people/participants/{id}", ServerFixture.Json(
            """{"displayName":"Ann B","audioMuted":true,"videoMuted":true,"tier":"low"}"""));
        Assert.Equal(HttpStatusCode.OK, patched.StatusCode);
        var participant = Rooms.TryGet("r-people", out var room) ? room.Find(id)! : null!;
        Assert.Equal(("Ann B", true, true, "low"), (participant.DisplayName, participant.AudioMuted, participant.VideoMuted, participant.Tier.Name));
        using var unpin = await admin.PatchAsync($"/api/rooms/r-people/participants/{id}", ServerFixture.Json("""{"audioMuted":false,"tier":"auto"}"""));
        Assert.Equal((false, null), (participant.AudioMuted, participant.Tiers.Pinned));

        // Noise suppression and automatic gain: off by default, on per participant.
        Assert.False(one.GetProperty("noiseSuppression").GetBoolean());
        using (var cleaned = await admin.PatchAsync($"/api/rooms/r-people/participants/{id}", ServerFixture.Json("""{"noiseSuppression":true,"autoGain":true}""")))
        {
            var view = await cleaned.Content.ReadFromJsonAsync<JsonElement>();
            Assert.True(view.GetProperty("noiseSuppression").GetBoolean() && view.GetProperty("autoGain").GetBoolean());
            Assert.True(participant.NoiseSuppression && participant.AutoGain);
        }

        using var badTier = await admin.PatchAsync($"/api/rooms/r-people/participants/{id}", ServerFixture.Json("""{"tier":"ultra"}"""));
        Assert.Equal(HttpStatusCode.BadRequest, badTier.StatusCode);
        using var badName = await admin.PatchAsync($"/api/rooms/r-people/participants/{id}", ServerFixture.Json("""{"displayName":"  "}"""));
        Assert.Equal(HttpStatusCode.BadRequest, badName.StatusCode);
        using var nobody = await admin.PatchAsync("/api/rooms/r-people/participants/nobody", ServerFixture.Json("{}"));
        Assert.Equal(HttpStatusCode.NotFound, nobody.StatusCode);

        using var spotlight = await admin.PutAsync("/api/rooms/r-people/speaker", ServerFixture.Json($$"""{"participantId":"{{id}}"}"""));
        Assert.Equal(HttpStatusCode.OK, spotlight.StatusCode);
        Assert.Equal(id, room.PinnedSpeakerId);
        var shown = await admin.GetFromJsonAsync<JsonElement>("/api/rooms/r-people");
        Assert.Equal(id, shown.GetProperty("speakerId").GetString());
        using var spotlightNobody = await admin.PutAsync("/api/rooms/r-people/speaker", ServerFixture.Json("""{"participantId":"nobody"}"""));
        Assert.Equal(HttpStatusCode.NotFound, spotlightNobody.StatusCode);
        using var release = await admin.PutAsync("/api/rooms/r-people/speaker", ServerFixture.Json("""{"participantId":null}"""));
        Assert.Null(room.PinnedSpeakerId);

        using var removed = await admin.DeleteAsync($"/api/rooms/r-people/participants/{id}");
        Assert.Equal(HttpStatusCode.NoContent, removed.StatusCode);
        Assert.Empty(room.Participants);
        using var removedAgain = await admin.DeleteAsync($"/api/rooms/r-people/participants/{id}");
        Assert.Equal(HttpStatusCode.NotFound, removedAgain.StatusCode);
    }

    [Fact]
    public async Task Closing_a_room_takes_everyone_out()
    {
        using var admin = _server.CreateAdminClient();
        await using var bot = await ParticipantBot.JoinAsync(admin, new Uri(_server.BaseAddress, "/api/rooms/r-close/whip?name=cy"),
            new BotOptions { Name = "cy", BearerToken = ServerFixture.AdminKey, DecodeVideo = false });
        Assert.True(Rooms.TryGet("r-close", out var room));
        var participant = Assert.Single(room.Participants);
        using var closed = await admin.DeleteAsync("/api/rooms/r-close");
        Assert.Equal(HttpStatusCode.NoContent, closed.StatusCode);
        Assert.True(room.IsClosed);
        Assert.Empty(room.Participants);
    }

    [Fact]
    public async Task A_room_refuses_a_codec_it_was_not_created_for()
    {
        using var admin = _server.CreateAdminClient();
        using var created = await admin.PostAsync("/api/rooms", ServerFixture.Json("""{"name":"r-h264","codecs":["h264"]}"""));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var e = await Assert.ThrowsAsync<Mcu.Rtc.Client.WhipException>(() => ParticipantBot.JoinAsync(admin,
            new Uri(_server.BaseAddress, "/api/rooms/r-h264/whip"), new BotOptions { BearerToken = ServerFixture.AdminKey, DecodeVideo = false }));
        Assert.Equal(406, e.Status);
        Assert.Contains("h264", e.Body);
    }

    [Fact]
    public async Task The_openapi_document_describes_the_api()
    {
        using var http = _server.CreateClient();
        var document = await http.GetFromJsonAsync<JsonElement>("/openapi/v1.json");
        var paths = document.GetProperty("paths");
        foreach (var path in new[] { "/api/rooms", "/api/rooms/{room}", "/api/rooms/{room}/participants/{id}", "/api/layouts", "/api/rooms/{room}/tokens" })
        {
            Assert.True(paths.TryGetProperty(path, out _), path);
        }
        var bearer = document.GetProperty("components").GetProperty("securitySchemes").GetProperty("bearer");
        Assert.Equal("bearer", bearer.GetProperty("scheme").GetString());
    }
}
