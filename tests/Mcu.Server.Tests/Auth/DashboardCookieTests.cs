using System.Net;
using System.Net.Http.Json;

namespace Mcu.Server.Tests.Auth;

/// <summary>
/// A person opens the Hangfire dashboard from the page: the admin key buys a short-lived,
/// HttpOnly, SameSite=Strict cookie for the dashboard's path, which the dashboard accepts;
/// nothing else (no cookie, a forged one, a room token) gets in.
/// </summary>
public sealed class DashboardCookieTests : IClassFixture<ServerFixture>
{
    private readonly ServerFixture _server;

    public DashboardCookieTests(ServerFixture server) => _server = server;

    [Fact]
    public async Task The_admin_key_buys_a_strict_http_only_cookie_that_opens_the_dashboard_and_nothing_else_does()
    {
        using var anonymous = _server.CreateClient();
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PostAsync("/api/dashboard/session", null)).StatusCode);
        using var admin = _server.CreateAdminClient();
        using var minted = await admin.PostAsync("/api/rooms/dash/tokens", ServerFixture.Json("""{"role":"participant"}"""));
        using var room = _server.CreateClient((await minted.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>()).GetProperty("token").GetString());
        Assert.Equal(HttpStatusCode.Forbidden, (await room.PostAsync("/api/dashboard/session", null)).StatusCode);

        using var session = await admin.PostAsync("/api/dashboard/session", null);
        Assert.Equal(HttpStatusCode.NoContent, session.StatusCode);
        string cookie = session.Headers.GetValues("Set-Cookie").Single();
        Assert.StartsWith("mcu-dashboard=", cookie);
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("path=/hangfire", cookie, StringComparison.OrdinalIgnoreCase);
        string value = cookie.Split(';')[0];

        Assert.Equal(HttpStatusCode.OK, (await Dashboard(value)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await Dashboard(null)).StatusCode);
        // The expiry is signed: a later one, or another signature, is refused.
        string[] parts = value["mcu-dashboard=".Length..].Split('.');
        Assert.Equal(HttpStatusCode.Unauthorized, (await Dashboard($"mcu-dashboard={long.Parse(parts[0]) + 86_400}.{parts[1]}")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await Dashboard($"mcu-dashboard={parts[0]}.AAAA")).StatusCode);
    }

    private async Task<HttpResponseMessage> Dashboard(string? cookie)
    {
        using var http = _server.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/hangfire");
        if (cookie is not null)
        {
            request.Headers.Add("Cookie", cookie);
        }
        return await http.SendAsync(request);
    }
}
