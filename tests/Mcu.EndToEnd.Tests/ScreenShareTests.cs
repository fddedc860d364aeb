using System.Net.Http.Json;
using System.Text.Json;
using Mcu.Conference.Rooms;
using Mcu.Rtc.Sdp;
using Microsoft.Extensions.DependencyInjection;

namespace Mcu.EndToEnd.Tests;

/// <summary>
/// A participant shares a screen through a second WHIP session (<c>?role=screen</c>, same token):
/// on <c>auto</c> the room switches to the presentation template, every participant decodes the
/// screen whole in the large region (fitted, with bars, never cropped) and the people in the strip;
/// when the screen leaves, the layout goes back.
/// </summary>
public sealed class ScreenShareTests : IClassFixture<ServerFixture>
{
    private static readonly (byte R, byte G, byte B) Red = (220, 40, 40), Blue = (40, 40, 220), Screen = (230, 230, 40);

    private readonly ServerFixture _server;

    public ScreenShareTests(ServerFixture server) => _server = server;

    [Fact]
    public async Task A_shared_screen_is_shown_large_and_whole_to_everyone_and_the_layout_returns_when_it_stops()
    {
        using var http = _server.CreateClient();
        http.DefaultRequestHeaders.Authorization = new("Bearer", ServerFixture.AdminKey);
        using var minted = await http.PostAsJsonAsync("/api/rooms/share/tokens", new { role = "participant" });
        string token = (await minted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("token").GetString()!;
        await using var red = await ParticipantBot.JoinAsync(http, Whip("red"), new BotOptions { BearerToken = token, Name = "red", Colour = Red, ToneHz = 500 });
        await using var blue = await ParticipantBot.JoinAsync(http, Whip("blue"), new BotOptions { BearerToken = token, Name = "blue", Colour = Blue, ToneHz = 900 });
        var room = Room();
        Assert.Equal("side-by-side", room.CurrentTemplate!.Name);

        // Red shares a screen: video only, sending, with the same room token.
        var screen = await ParticipantBot.JoinAsync(http, Whip("red-screen", "&role=screen"), new BotOptions
        {
            BearerToken = token, Name = "red-screen", Colour = Screen, ToneHz = null, Direction = SdpDirection.SendOnly,
        });
        try
        {
            Assert.Equal(SdpDirection.RecvOnly, screen.Client.Answer.Video!.RemoteDirection);
            Assert.Equal("presentation", room.CurrentTemplate!.Name);
            using var participants = await http.GetAsync("/api/rooms/share/participants");
            var roles = (await participants.Content.ReadFromJsonAsync<JsonElement>()).EnumerateArray()
                .ToDictionary(p => p.GetProperty("displayName").GetString()!, p => p.GetProperty("role").GetString());
            Assert.Equal("screen", roles["red-screen"]);

            foreach (var bot in new[] { red, blue })
            {
                // presentation: the screen in the top 80 %, fitted whole (a 16:9 picture in a wider region:
                // bars left and right), red and blue side by side in the strip below, in join order.
                await Eventually.Get(() => Task.FromResult(bot.LatestPicture()),
                    p => p is not null
                         && Signals.Near(Signals.AverageColour(p, 0.5, 0.4), Screen, 45)
                         && Signals.Near(Signals.AverageColour(p, 0.2, 0.4), Screen, 45)
                         && !Signals.Near(Signals.AverageColour(p, 0.03, 0.4), Screen, 80)
                         && Signals.Near(Signals.AverageColour(p, 0.45, 0.9), Red, 45)
                         && Signals.Near(Signals.AverageColour(p, 0.55, 0.9), Blue, 45),
                    TimeSpan.FromSeconds(20), $"{bot.Name} seeing the screen large and whole, and both people in the strip");
            }
            // The screen sends no audio and is sent nothing.
            Assert.Equal(0, screen.VideoFramesReceived);
            Assert.Equal(0, screen.AudioPacketsReceived);
        }
        finally
        {
            await screen.DisposeAsync();
        }

        await Eventually.Get(() => Task.FromResult(room.CurrentTemplate!.Name), name => name == "side-by-side",
            TimeSpan.FromSeconds(5), "the layout going back when the screen stops");
        await Eventually.Get(() => Task.FromResult(blue.LatestPicture()),
            p => p is not null && Signals.Near(Signals.AverageColour(p, 0.25, 0.5), Red, 45) && Signals.Near(Signals.AverageColour(p, 0.75, 0.5), Blue, 45),
            TimeSpan.FromSeconds(20), "blue seeing red and blue side by side again");
    }

    [Fact]
    public async Task A_role_other_than_participant_or_screen_is_refused_with_400()
    {
        using var http = _server.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, Whip("x", "&role=admin"))
        {
            Content = new StringContent("v=0\r\n", System.Text.Encoding.UTF8, "application/sdp"),
        };
        request.Headers.Authorization = new("Bearer", ServerFixture.AdminKey);
        using var response = await http.SendAsync(request);
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("role 'admin'", await response.Content.ReadAsStringAsync());
    }

    private Uri Whip(string name, string extra = "") => new(_server.BaseAddress, $"/api/rooms/share/whip?name={name}{extra}");

    private Room Room()
    {
        Assert.True(_server.Services.GetRequiredService<RoomDirectory>().TryGet("share", out var room));
        return room;
    }
}
