using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Mcu.Rtc.Client;
using Mcu.Rtc.Sdp;

namespace Mcu.EndToEnd.Tests.Attacks;

/// <summary>A room's maxTier holds for every way in: WHIP and WHEP ?tier=, and PATCH.</summary>
public sealed class TierLimitAttackTests : IClassFixture<ServerFixture>
{
    private const string Room = "lowroom";
    private readonly ServerFixture _server;

    public TierLimitAttackTests(ServerFixture server) => _server = server;

    [Fact]
    public async Task No_join_or_change_gets_above_the_rooms_max_tier()
    {
        using (var admin = Attack.Admin(_server))
        using (var inverted = await admin.PostAsync("/api/rooms", Attack.Json("""{"name":"upside","defaultTier":"high","maxTier":"low"}""")))
        {
            await Attack.AssertRefusedAsync(inverted, HttpStatusCode.BadRequest, "above maxTier");
        }
        await Attack.CreateRoomAsync(_server, """{"name":"lowroom","maxTier":"low"}""");
        string participant = await Attack.TokenAsync(_server, Room);
        string viewer = await Attack.TokenAsync(_server, Room, "viewer");
        using var http = _server.CreateClient();
        await using var bystanders = await Bystanders.JoinAsync(http, _server.BaseAddress, Room, participant);

        foreach (string tier in new[] { "high", "medium" })
        {
            var e = await Assert.ThrowsAsync<WhipException>(() => ParticipantBot.JoinAsync(http, new Uri(_server.BaseAddress, $"/api/rooms/{Room}/whip?name=greedy&tier={tier}"),
                new BotOptions { Name = "greedy", BearerToken = participant, DecodeVideo = false }));
            Attack.AssertRefused(e, HttpStatusCode.BadRequest, $"tier '{tier}' is above");
            e = await Assert.ThrowsAsync<WhipException>(() => ParticipantBot.JoinAsync(http, new Uri(_server.BaseAddress, $"/api/rooms/{Room}/whep?name=greedy&tier={tier}"),
                new BotOptions { Name = "greedy", BearerToken = viewer, Colour = null, ToneHz = null, DecodeVideo = false, Direction = SdpDirection.RecvOnly }));
            Attack.AssertRefused(e, HttpStatusCode.BadRequest, $"tier '{tier}' is above");
        }
        var people = await Attack.ParticipantsAsync(_server, Room);
        string redId = people.EnumerateArray().First(p => p.GetProperty("displayName").GetString() == "red").GetProperty("id").GetString()!;
        using (var admin = Attack.Admin(_server))
        using (var patch = await admin.PatchAsync($"/api/rooms/{Room}/participants/{redId}", Attack.Json("""{"tier":"high"}""")))
        {
            await Attack.AssertRefusedAsync(patch, HttpStatusCode.BadRequest, "above");
        }

        // Joined without a tier, everyone starts at the room's ceiling rather than the default medium.
        using (var admin = Attack.Admin(_server))
        {
            var settings = (await admin.GetFromJsonAsync<JsonElement>($"/api/rooms/{Room}")).GetProperty("settings");
            Assert.Equal(("low", "low"), (settings.GetProperty("defaultTier").GetString(), settings.GetProperty("maxTier").GetString()));
        }
        people = await Attack.ParticipantsAsync(_server, Room);
        Assert.Equal(2, people.GetArrayLength());
        Assert.All(people.EnumerateArray(), p => Assert.Equal("low", p.GetProperty("tier").GetString()));
        await bystanders.AssertUnharmedAsync();
        await Attack.DeleteRoomAsync(_server, Room);
    }
}
