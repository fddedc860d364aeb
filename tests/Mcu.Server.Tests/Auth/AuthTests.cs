using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Mcu.Conference.Rooms;
using Mcu.Server.Auth;
using Mcu.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Mcu.Server.Tests.Auth;

/// <summary>Nothing mutates without a valid token; room tokens open one room in one role; tokens stay out of the log.</summary>
public sealed class AuthTests : IClassFixture<ServerFixture>
{
    private readonly ServerFixture _server;

    public AuthTests(ServerFixture server) => _server = server;

    [Theory]
    [InlineData(null)]
    [InlineData("not-the-key")]
    public async Task Admin_endpoints_answer_401_with_a_bearer_challenge_without_the_admin_key(string? token)
    {
        using var http = _server.CreateClient(token);
        using var create = await http.PostAsync("/api/rooms", ServerFixture.Json("""{"name":"nope"}"""));
        Assert.Equal(HttpStatusCode.Unauthorized, create.StatusCode);
        Assert.StartsWith("Bearer", create.Headers.WwwAuthenticate.ToString());
        Assert.Equal("application/problem+json", create.Content.Headers.ContentType?.MediaType);
        using var put = await http.PutAsync("/api/layouts/x", ServerFixture.Json("{}"));
        Assert.Equal(HttpStatusCode.Unauthorized, put.StatusCode);
        using var whip = await http.PostAsync("/api/rooms/nope/whip", new StringContent("v=0", Encoding.UTF8, "application/sdp"));
        Assert.Equal(HttpStatusCode.Unauthorized, whip.StatusCode);
        Assert.False(_server.Services.GetRequiredService<RoomDirectory>().TryGet("nope", out _));
    }

    [Fact]
    public async Task A_room_token_is_forbidden_on_the_admin_api_and_in_other_rooms()
    {
        string token = await _server.IssueTokenAsync("auth-a");
        using var http = _server.CreateClient(token);
        using var create = await http.PostAsync("/api/rooms", ServerFixture.Json("""{"name":"auth-a"}"""));
        Assert.Equal(HttpStatusCode.Forbidden, create.StatusCode);
        using var otherRoom = await http.PostAsync("/api/rooms/auth-b/whip", new StringContent("v=0", Encoding.UTF8, "application/sdp"));
        Assert.Equal(HttpStatusCode.Forbidden, otherRoom.StatusCode);
        Assert.Contains("another room", await otherRoom.Content.ReadAsStringAsync());
        // Its own room: past auth, so the next check (the body) answers.
        using var ownRoom = await http.PostAsync("/api/rooms/auth-a/whip", new StringContent("v=0", Encoding.UTF8, "text/plain"));
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, ownRoom.StatusCode);
    }

    [Fact]
    public async Task A_viewer_token_may_watch_but_not_send()
    {
        string token = await _server.IssueTokenAsync("auth-view", "viewer");
        using var http = _server.CreateClient(token);
        using var whip = await http.PostAsync("/api/rooms/auth-view/whip", new StringContent("v=0", Encoding.UTF8, "application/sdp"));
        Assert.Equal(HttpStatusCode.Forbidden, whip.StatusCode);
        using var whep = await http.PostAsync("/api/rooms/auth-view/whep", new StringContent("v=0", Encoding.UTF8, "text/plain"));
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, whep.StatusCode);
    }

    [Fact]
    public async Task A_viewer_joins_over_whep_with_a_viewer_token_and_receives_the_mix()
    {
        using var admin = _server.CreateAdminClient();
        await using var sender = await ParticipantBot.JoinAsync(admin, new Uri(_server.BaseAddress, "/api/rooms/auth-whep/whip?name=cam"),
            new BotOptions { Name = "cam", Colour = (40, 40, 220), BearerToken = ServerFixture.AdminKey, DecodeVideo = false });
        string token = await _server.IssueTokenAsync("auth-whep", "viewer");
        using var http = _server.CreateClient();
        await using var viewer = await ParticipantBot.JoinAsync(http, new Uri(_server.BaseAddress, "/api/rooms/auth-whep/whep?name=watcher"),
            new BotOptions { Name = "watcher", Colour = null, ToneHz = null, Direction = Mcu.Rtc.Sdp.SdpDirection.RecvOnly, BearerToken = token });
        await Eventually.Get(() => Task.FromResult(viewer.LatestPicture()),
            p => p is not null && Signals.Near(Signals.AverageColour(p, 0.5, 0.5), (40, 40, 220), 45),
            TimeSpan.FromSeconds(20), "the viewer seeing the sender's blue");
        var people = await admin.GetFromJsonAsync<JsonElement>("/api/rooms/auth-whep/participants");
        Assert.Contains(people.EnumerateArray(), p => p.GetProperty("displayName").GetString() == "watcher" && p.GetProperty("role").GetString() == "viewer");
    }

    [Fact]
    public async Task A_tampered_token_is_401()
    {
        string token = await _server.IssueTokenAsync("auth-t");
        // Re-sign nothing, only swap the room in the claims: the signature no longer matches.
        string payload = Encoding.UTF8.GetString(System.Buffers.Text.Base64Url.DecodeFromChars(token.AsSpan(0, token.IndexOf('.'))));
        string forged = System.Buffers.Text.Base64Url.EncodeToString(Encoding.UTF8.GetBytes(payload.Replace("auth-t", "auth-u"))) + token[token.IndexOf('.')..];
        using var http = _server.CreateClient(forged);
        using var whip = await http.PostAsync("/api/rooms/auth-u/whip", new StringContent("v=0", Encoding.UTF8, "application/sdp"));
        Assert.Equal(HttpStatusCode.Unauthorized, whip.StatusCode);
        Assert.Contains("invalid_token", whip.Headers.WwwAuthenticate.ToString());
    }

    [Fact]
    public void An_expired_token_is_refused_and_a_live_one_accepted()
    {
        var clock = new SettableTime(DateTimeOffset.Parse("2026-01-01T00:00:00Z"));
        var issuer = new RoomTokenIssuer(new AdminKey(Options.Create(new McuOptions { AdminKey = "k" })), clock);
        string token = issuer.Issue(new RoomToken("r", ParticipantRole.Viewer, clock.Now.AddMinutes(5)));
        Assert.True(issuer.TryValidate(token, out var claims));
        Assert.Equal(("r", ParticipantRole.Viewer), (claims.Room, claims.Role));
        clock.Now = clock.Now.AddMinutes(5);
        Assert.False(issuer.TryValidate(token, out _));
        // Another admin key signs differently.
        var other = new RoomTokenIssuer(new AdminKey(Options.Create(new McuOptions { AdminKey = "k2" })), new SettableTime(clock.Now.AddMinutes(-5)));
        Assert.False(other.TryValidate(token, out _));
        Assert.False(issuer.TryValidate("garbage", out _));
        Assert.False(issuer.TryValidate("a.b.c", out _));
    }

    [Fact]
    public async Task A_participant_joins_with_a_room_token_and_no_token_appears_in_the_log()
    {
        string token = await _server.IssueTokenAsync("auth-join");
        using var http = _server.CreateClient();
        await using (var bot = await ParticipantBot.JoinAsync(http, new Uri(_server.BaseAddress, "/api/rooms/auth-join/whip?name=tok"),
                         new BotOptions { Name = "tok", BearerToken = token, DecodeVideo = false }))
        {
            Assert.True(_server.Services.GetRequiredService<RoomDirectory>().TryGet("auth-join", out var room));
            Assert.Single(room.Participants);
        }
        using var anonymous = _server.CreateClient();
        using var echo = await anonymous.PostAsync("/api/echo/whip", new StringContent("v=0", Encoding.UTF8, "text/plain"));
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, echo.StatusCode); // the echo diagnostic stays open

        using var wrongRoom = _server.CreateClient(token);
        using var refused = await wrongRoom.PostAsync("/api/rooms/auth-elsewhere/whip", new StringContent("v=0", Encoding.UTF8, "application/sdp"));
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);

        Assert.Contains(_server.LogLines, line => line.Contains("Refused POST /api/rooms/auth-elsewhere/whip: 403"));
        Assert.Contains(_server.LogLines, line => line.Contains("participant token issued"));
        Assert.DoesNotContain(_server.LogLines, line => line.Contains(ServerFixture.AdminKey) || line.Contains(token));
    }

    [Fact]
    public async Task Token_requests_are_checked()
    {
        using var admin = _server.CreateAdminClient();
        using var badRole = await admin.PostAsync("/api/rooms/x/tokens", ServerFixture.Json("""{"role":"king"}"""));
        Assert.Equal(HttpStatusCode.BadRequest, badRole.StatusCode);
        using var badRoom = await admin.PostAsync("/api/rooms/..x/tokens", ServerFixture.Json("{}"));
        Assert.Equal(HttpStatusCode.BadRequest, badRoom.StatusCode);
        using var ok = await admin.PostAsync("/api/rooms/x/tokens", ServerFixture.Json("""{"role":"viewer","ttlSeconds":60}"""));
        var body = await ok.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("viewer", body.GetProperty("role").GetString());
        Assert.InRange(body.GetProperty("expiresAt").GetDateTimeOffset(), DateTimeOffset.UtcNow.AddSeconds(30), DateTimeOffset.UtcNow.AddSeconds(90));
    }

    [Fact]
    public void Without_a_configured_key_a_random_one_is_generated()
    {
        var first = new AdminKey(Options.Create(new McuOptions()));
        var second = new AdminKey(Options.Create(new McuOptions { AdminKey = " " }));
        Assert.True(first.IsGenerated && second.IsGenerated);
        Assert.True(first.Value.Length >= 32);
        Assert.NotEqual(first.Value, second.Value);
        Assert.True(first.Matches(first.Value));
        Assert.False(first.Matches(second.Value));
        Assert.False(new AdminKey(Options.Create(new McuOptions { AdminKey = "set" })).IsGenerated);
    }

    private sealed class SettableTime(DateTimeOffset now) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = now;

        public override DateTimeOffset GetUtcNow() => Now;
    }
}
