using Mcu.EndToEnd.Tests.Attacks;

namespace Mcu.EndToEnd.Tests;

/// <summary>
/// The page opened with only a room token (<c>/#room=…&amp;token=…</c>, no admin key) still
/// works now that reads need a token: it joins, and its people list follows the room through
/// the events socket, which takes the token as a subprotocol.
/// </summary>
public sealed class ChromiumPageTokenTests : IClassFixture<ServerFixture>, IClassFixture<BrowserFixture>
{
    private readonly ServerFixture _server;
    private readonly BrowserFixture _browser;

    public ChromiumPageTokenTests(ServerFixture server, BrowserFixture browser)
    {
        _server = server;
        _browser = browser;
    }

    [Fact]
    public async Task The_page_with_a_room_token_reads_the_room_and_follows_its_events()
    {
        await Attack.CreateRoomAsync(_server, """{"name":"tokpage"}""");
        string token = await Attack.TokenAsync(_server, "tokpage");
        var page = await _browser.Browser.NewPageAsync();
        await page.GotoAsync(new Uri(_server.BaseAddress, $"/?source=synthetic&color=%23dc2828#room=tokpage&token={Uri.EscapeDataString(token)}").ToString());
        await page.FillAsync("#name", "guest");
        await page.EvaluateAsync("() => window.mcuPage.join()");
        await Eventually.Get(() => page.EvaluateAsync<string>("() => window.mcuPage.connectionState()"),
            state => state == "connected", TimeSpan.FromSeconds(15), "the page connecting");
        await Eventually.Get(() => page.EvaluateAsync<string[]>("() => window.mcuPage.people().map(p => p.text)"),
            people => people.Length == 1 && people[0].StartsWith("guest"), TimeSpan.FromSeconds(10), "the page listing itself");

        // Someone joins later: only the events socket tells the page.
        using var http = _server.CreateClient();
        await using (var green = await ParticipantBot.JoinAsync(http, new Uri(_server.BaseAddress, "/api/rooms/tokpage/whip?name=green"),
                         new BotOptions { Name = "green", Colour = (40, 200, 40), BearerToken = ServerFixture.AdminKey, DecodeVideo = false }))
        {
            await Eventually.Get(() => page.EvaluateAsync<string[]>("() => window.mcuPage.people().map(p => p.text)"),
                people => people.Length == 2 && people.Any(p => p.StartsWith("green")), TimeSpan.FromSeconds(10), "green appearing through the events socket");
        }
        await page.EvaluateAsync("() => window.mcuPage.leave()");
        await page.CloseAsync();
        await Attack.DeleteRoomAsync(_server, "tokpage");
    }
}
