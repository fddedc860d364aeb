using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Mcu.EndToEnd.Tests;

/// <summary>A server with an ICE server configured, to see it offered as a Link header.</summary>
public sealed class IceServerFixture : ServerFixture
{
    protected override string[] Settings => ["--Mcu:IceServers:0:Url=stun:127.0.0.1:3478"];
}

/// <summary>
/// RFC 9725 beyond POST and DELETE, as a WHIP client library relies on it: OPTIONS with
/// Accept-Post and the ICE servers, the session's ETag, trickle PATCH (204), ICE restart refused
/// (422), a stale If-Match (412), the wrong body type (415), other methods (405 with Allow),
/// and only the session's own token may PATCH it.
/// </summary>
public sealed class WhipConformanceTests : IClassFixture<IceServerFixture>
{
    private readonly IceServerFixture _server;

    public WhipConformanceTests(IceServerFixture server) => _server = server;

    [Theory]
    [InlineData("whip")]
    [InlineData("whep")]
    public async Task Options_on_the_endpoint_says_it_takes_SDP_and_offers_the_ICE_servers_to_the_room_s_callers_only(string kind)
    {
        using var http = _server.CreateClient();
        using var anonymous = await http.SendAsync(new HttpRequestMessage(HttpMethod.Options, $"/api/rooms/conf/{kind}"));
        Assert.Equal(HttpStatusCode.NoContent, anonymous.StatusCode);
        Assert.Equal("application/sdp", anonymous.Headers.GetValues("Accept-Post").Single());
        Assert.Contains("POST", anonymous.Content.Headers.Allow);
        Assert.False(anonymous.Headers.Contains("Link"));

        using var request = new HttpRequestMessage(HttpMethod.Options, $"/api/rooms/conf/{kind}");
        request.Headers.Authorization = new("Bearer", ServerFixture.AdminKey);
        using var caller = await http.SendAsync(request);
        Assert.Equal("<stun:127.0.0.1:3478>; rel=\"ice-server\"", caller.Headers.GetValues("Link").Single());
    }

    [Fact]
    public async Task A_session_has_an_ETag_takes_trickle_PATCH_and_refuses_what_the_RFC_says()
    {
        using var http = _server.CreateClient();
        using var admin = _server.CreateClient();
        admin.DefaultRequestHeaders.Authorization = new("Bearer", ServerFixture.AdminKey);
        using var minted = await admin.PostAsJsonAsync("/api/rooms/conf/tokens", new { role = "participant" });
        string token = (await minted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("token").GetString()!;
        await using var bot = await ParticipantBot.JoinAsync(http, new Uri(_server.BaseAddress, "/api/rooms/conf/whip?name=trickler"),
            new BotOptions { Name = "trickler", BearerToken = token });
        string? etag = bot.Client.ETag;
        Assert.NotNull(etag);
        var session = bot.Client.Resource;
        string ufrag = OfferedUfrag(bot);

        // Trickle: a candidate for the session's own ICE generation → 204, the same ETag.
        using (var ok = await Patch(session, token, $"a=ice-ufrag:{ufrag}\r\na=ice-pwd:whatever\r\nm=audio 9 UDP/TLS/RTP/SAVPF 0\r\na=mid:0\r\na=candidate:1 1 udp 2130706431 127.0.0.1 40000 typ host\r\na=end-of-candidates\r\n", etag))
        {
            Assert.Equal(HttpStatusCode.NoContent, ok.StatusCode);
            Assert.Equal(etag, ok.Headers.ETag?.Tag);
        }
        // An ICE restart (If-Match: *, or new credentials) is not supported → 422.
        using (var restart = await Patch(session, token, "a=ice-ufrag:newfrag\r\na=ice-pwd:newpasswordnewpassword\r\n", "*"))
        {
            Assert.Equal((HttpStatusCode)422, restart.StatusCode);
        }
        using (var restart = await Patch(session, token, "a=ice-ufrag:newfrag\r\na=ice-pwd:newpasswordnewpassword\r\n", etag))
        {
            Assert.Equal((HttpStatusCode)422, restart.StatusCode);
        }
        using (var stale = await Patch(session, token, "a=end-of-candidates\r\n", "\"0000\""))
        {
            Assert.Equal(HttpStatusCode.PreconditionFailed, stale.StatusCode);
        }
        using (var wrongType = await Patch(session, token, "a=end-of-candidates\r\n", etag, "application/sdp"))
        {
            Assert.Equal(HttpStatusCode.UnsupportedMediaType, wrongType.StatusCode);
        }
        // Another token of the room may not change someone's session.
        using var viewerMinted = await admin.PostAsJsonAsync("/api/rooms/conf/tokens", new { role = "viewer" });
        string viewer = (await viewerMinted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("token").GetString()!;
        using (var other = await Patch(session, viewer, "a=end-of-candidates\r\n", etag))
        {
            Assert.Equal(HttpStatusCode.Forbidden, other.StatusCode);
        }
        foreach (var method in new[] { HttpMethod.Get, HttpMethod.Put, HttpMethod.Post })
        {
            using var request = new HttpRequestMessage(method, session);
            request.Headers.Authorization = new("Bearer", token);
            using var refused = await http.SendAsync(request);
            Assert.Equal(HttpStatusCode.MethodNotAllowed, refused.StatusCode);
            Assert.Equal(["DELETE", "PATCH", "OPTIONS"], refused.Content.Headers.Allow);
        }
        // The Location stays valid until the session ends; the media flows through all of it.
        await Eventually.Get(() => Task.FromResult(bot.VideoFramesReceived), n => n > 30, TimeSpan.FromSeconds(10), "the session's video flowing");
        using (var delete = new HttpRequestMessage(HttpMethod.Delete, session))
        {
            delete.Headers.Authorization = new("Bearer", token);
            Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(delete)).StatusCode);
        }
        using (var gone = await Patch(session, token, "a=end-of-candidates\r\n", etag))
        {
            Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        }

        async Task<HttpResponseMessage> Patch(Uri resource, string bearer, string fragment, string? ifMatch, string type = "application/trickle-ice-sdpfrag")
        {
            using var request = new HttpRequestMessage(HttpMethod.Patch, resource) { Content = new StringContent(fragment, Encoding.UTF8) };
            request.Content.Headers.ContentType = new(type);
            request.Headers.Authorization = new("Bearer", bearer);
            if (ifMatch is not null)
            {
                request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
            }
            return await http.SendAsync(request);
        }
    }

    /// <summary>The ufrag the bot offered: the server knows the session by it.</summary>
    private string OfferedUfrag(ParticipantBot bot)
    {
        var rooms = (Mcu.Conference.Rooms.RoomDirectory)_server.Services.GetService(typeof(Mcu.Conference.Rooms.RoomDirectory))!;
        Assert.True(rooms.TryGet("conf", out var room));
        return room.Participants.Single(p => p.DisplayName == bot.Name).RemoteIceUfrag;
    }
}
