using System.Net;
using Mcu.Rtc.Client;
using Mcu.Rtc.Sdp;

namespace Mcu.EndToEnd.Tests.Attacks;

/// <summary>Display names follow one rule wherever they come in: 1-64 characters, no control characters.</summary>
public sealed class LongNameAttackTests : IClassFixture<ServerFixture>
{
    private const string Room = "names";
    private readonly ServerFixture _server;

    public LongNameAttackTests(ServerFixture server) => _server = server;

    [Fact]
    public async Task Long_or_control_character_names_are_refused_on_whip_whep_and_patch()
    {
        await Attack.CreateRoomAsync(_server, """{"name":"names"}""");
        string participant = await Attack.TokenAsync(_server, Room);
        string viewer = await Attack.TokenAsync(_server, Room, "viewer");
        using var http = _server.CreateClient();
        await using var bystanders = await Bystanders.JoinAsync(http, _server.BaseAddress, Room, participant);

        var bad = new (string Name, string Said)[] { (new string('x', 7000), "1 to 64 characters"), (new string('y', 65), "1 to 64 characters"), ("two\nlines", "control characters") };
        foreach (var (name, said) in bad)
        {
            string query = Uri.EscapeDataString(name);
            var e = await Assert.ThrowsAsync<WhipException>(() => ParticipantBot.JoinAsync(http, new Uri(_server.BaseAddress, $"/api/rooms/{Room}/whip?name={query}"),
                new BotOptions { Name = "long", BearerToken = participant, DecodeVideo = false }));
            Attack.AssertRefused(e, HttpStatusCode.BadRequest, said);
            e = await Assert.ThrowsAsync<WhipException>(() => ParticipantBot.JoinAsync(http, new Uri(_server.BaseAddress, $"/api/rooms/{Room}/whep?name={query}"),
                new BotOptions { Name = "long", BearerToken = viewer, Colour = null, ToneHz = null, DecodeVideo = false, Direction = SdpDirection.RecvOnly }));
            Attack.AssertRefused(e, HttpStatusCode.BadRequest, said);
        }
        var people = await Attack.ParticipantsAsync(_server, Room);
        string redId = people.EnumerateArray().First(p => p.GetProperty("displayName").GetString() == "red").GetProperty("id").GetString()!;
        using (var admin = Attack.Admin(_server))
        {
            foreach (var (name, said) in bad)
            {
                using var patch = await admin.PatchAsync($"/api/rooms/{Room}/participants/{redId}",
                    Attack.Json(System.Text.Json.JsonSerializer.Serialize(new { displayName = name })));
                await Attack.AssertRefusedAsync(patch, HttpStatusCode.BadRequest, said);
            }
        }
        people = await Attack.ParticipantsAsync(_server, Room);
        Assert.Equal(["blue", "red"], people.EnumerateArray().Select(p => p.GetProperty("displayName").GetString()).Order());
        await bystanders.AssertUnharmedAsync();
        await Attack.DeleteRoomAsync(_server, Room);
    }
}
