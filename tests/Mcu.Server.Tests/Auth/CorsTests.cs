using System.Net;

namespace Mcu.Server.Tests.Auth;

/// <summary>A server whose CORS lets one site's page call the whole API.</summary>
public sealed class CorsOriginServer : ServerFixture
{
    public const string Origin = "https://app.example";

    protected override string[] Settings => [$"--Mcu:Cors:Origins:0={Origin}/"];
}

/// <summary>CORS per route: WHIP/WHEP (and their sessions, and the echo test) for every origin; the rest for the configured origins only.</summary>
public sealed class CorsTests : IClassFixture<ServerFixture>, IClassFixture<CorsOriginServer>
{
    private readonly ServerFixture _default;
    private readonly CorsOriginServer _configured;

    public CorsTests(ServerFixture server, CorsOriginServer configured)
    {
        _default = server;
        _configured = configured;
    }

    [Theory]
    [InlineData("/api/rooms/x/whip", "POST", true)]
    [InlineData("/api/rooms/x/whep", "POST", true)]
    [InlineData("/api/rooms/x/sessions/abc", "DELETE", true)]
    [InlineData("/api/echo/whip", "POST", true)]
    [InlineData("/api/echo/whip/abc", "DELETE", true)]
    [InlineData("/api/rooms", "GET", false)]
    [InlineData("/api/rooms", "POST", false)]
    [InlineData("/api/rooms/x/participants", "GET", false)]
    [InlineData("/api/rooms/x/tokens", "POST", false)]
    [InlineData("/api/rooms/x/whip/extra", "POST", false)]
    public async Task Only_whip_and_whep_answer_any_origin_by_default(string path, string method, bool allowed)
    {
        using var http = _default.CreateClient();
        using var response = await http.SendAsync(Preflight(path, method, "https://evil.example"));
        Assert.Equal(allowed, response.Headers.Contains("Access-Control-Allow-Origin"));
        if (allowed)
        {
            Assert.Equal("*", response.Headers.GetValues("Access-Control-Allow-Origin").Single());
            Assert.Contains("authorization", response.Headers.GetValues("Access-Control-Allow-Headers").Single(), StringComparison.OrdinalIgnoreCase);
        }
    }

    [Fact]
    public async Task A_configured_origin_may_call_everything_and_others_only_whip()
    {
        using var http = _configured.CreateClient();
        using var friend = await http.SendAsync(Preflight("/api/rooms", "POST", CorsOriginServer.Origin));
        Assert.Equal(CorsOriginServer.Origin, friend.Headers.GetValues("Access-Control-Allow-Origin").Single());
        using var stranger = await http.SendAsync(Preflight("/api/rooms", "POST", "https://evil.example"));
        Assert.False(stranger.Headers.Contains("Access-Control-Allow-Origin"));

        using var read = new HttpRequestMessage(HttpMethod.Get, "/api/rooms");
        read.Headers.Add("Origin", CorsOriginServer.Origin);
        read.Headers.Authorization = new("Bearer", ServerFixture.AdminKey);
        using var answer = await http.SendAsync(read);
        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        Assert.Equal(CorsOriginServer.Origin, answer.Headers.GetValues("Access-Control-Allow-Origin").Single());
        using var whip = await http.SendAsync(Preflight("/api/rooms/x/whip", "POST", "https://evil.example"));
        Assert.Equal("*", whip.Headers.GetValues("Access-Control-Allow-Origin").Single());
    }

    private static HttpRequestMessage Preflight(string path, string method, string origin)
    {
        var request = new HttpRequestMessage(HttpMethod.Options, path);
        request.Headers.Add("Origin", origin);
        request.Headers.Add("Access-Control-Request-Method", method);
        request.Headers.Add("Access-Control-Request-Headers", "authorization,content-type");
        return request;
    }
}
