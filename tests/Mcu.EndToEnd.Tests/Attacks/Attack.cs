using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Mcu.Rtc.Client;

namespace Mcu.EndToEnd.Tests.Attacks;

/// <summary>What the attack tests share: clients with a given credential, tokens, and the shape of a refusal.</summary>
internal static class Attack
{
    public static HttpClient Client(ServerFixture server, string? bearer = null, string? origin = null)
    {
        var http = server.CreateClient();
        if (bearer is not null)
        {
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        }
        if (origin is not null)
        {
            http.DefaultRequestHeaders.Add("Origin", origin);
        }
        return http;
    }

    public static HttpClient Admin(ServerFixture server) => Client(server, ServerFixture.AdminKey);

    public static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    public static StringContent Sdp(string sdp) => new(sdp, Encoding.UTF8, "application/sdp");

    public static async Task CreateRoomAsync(ServerFixture server, string json)
    {
        using var admin = Admin(server);
        using var response = await admin.PostAsync("/api/rooms", Json(json));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    public static async Task DeleteRoomAsync(ServerFixture server, string room)
    {
        using var admin = Admin(server);
        using var _ = await admin.DeleteAsync($"/api/rooms/{room}");
    }

    public static async Task<string> TokenAsync(ServerFixture server, string room, string role = "participant")
    {
        using var admin = Admin(server);
        using var response = await admin.PostAsync($"/api/rooms/{room}/tokens", Json($$"""{"role":"{{role}}"}"""));
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("token").GetString()!;
    }

    /// <summary>Asserts an RFC 9457 problem document with <paramref name="status"/> whose title or detail mentions <paramref name="detail"/>.</summary>
    public static async Task<JsonElement> AssertRefusedAsync(HttpResponseMessage response, HttpStatusCode status, string detail)
    {
        string body = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"expected {(int)status}, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return AssertProblem(body, (int)status, detail);
    }

    /// <summary>The same for a WHIP/WHEP join the bot's client made.</summary>
    public static JsonElement AssertRefused(WhipException e, HttpStatusCode status, string detail)
    {
        Assert.True((int)status == e.Status, $"expected {(int)status}, got {e.Status}: {e.Body}");
        return AssertProblem(e.Body, (int)status, detail);
    }

    private static JsonElement AssertProblem(string body, int status, string detail)
    {
        var problem = JsonDocument.Parse(body).RootElement.Clone();
        Assert.Equal(status, problem.GetProperty("status").GetInt32());
        string said = problem.GetProperty("title").GetString() + ": " + problem.GetProperty("detail").GetString();
        Assert.Contains(detail, said, StringComparison.OrdinalIgnoreCase);
        return problem;
    }

    /// <summary>The room's participants as the admin sees them.</summary>
    public static async Task<JsonElement> ParticipantsAsync(ServerFixture server, string room)
    {
        using var admin = Admin(server);
        return await admin.GetFromJsonAsync<JsonElement>($"/api/rooms/{room}/participants");
    }

    public static async Task<HttpStatusCode> RoomStatusAsync(ServerFixture server, string room)
    {
        using var admin = Admin(server);
        using var response = await admin.GetAsync($"/api/rooms/{room}");
        return response.StatusCode;
    }
}
