using System.Net.Http.Json;
using System.Text.Json;
using Mcu.EndToEnd.Tests.Attacks;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Mcu.EndToEnd.Tests;

/// <summary>
/// The page says in a sentence why it cannot let someone in: a full room, an expired link, a
/// link that was tampered with or cut short, a room that has ended, a camera refused. Each is
/// what a person meets opening an invite link; screenshots go to <see cref="Screenshots.Folder"/>.
/// </summary>
public sealed class ChromiumPageFailureTests : IClassFixture<PageServerFixture>, IClassFixture<BrowserFixture>
{
    private readonly PageServerFixture _server;
    private readonly BrowserFixture _browser;

    public ChromiumPageFailureTests(PageServerFixture server, BrowserFixture browser)
    {
        _server = server;
        _browser = browser;
    }

    [Fact]
    public async Task Each_way_an_invite_link_can_fail_is_said_plainly()
    {
        var context = await _browser.Browser.NewContextAsync();
        try
        {
            var page = await context.NewPageAsync();

            // A full room: it holds one, and someone is in it.
            await Attack.CreateRoomAsync(_server, """{"name":"full","maxParticipants":1}""");
            using var http = _server.CreateClient();
            await using (var inside = await ParticipantBot.JoinAsync(http, new Uri(_server.BaseAddress, "/api/rooms/full/whip?name=inside"),
                             new BotOptions { Name = "inside", BearerToken = ServerFixture.AdminKey, DecodeVideo = false, ToneHz = null }))
            {
                await page.GotoAsync(Invite("full", await Attack.TokenAsync(_server, "full"), "?source=synthetic"));
                await Expect(page.Locator("#people li")).ToHaveTextAsync("inside");
                await page.ClickAsync("#join");
                await Expect(page.Locator("#message")).ToHaveTextAsync("This room is full. Try again when someone leaves.");
                await Expect(page.Locator("#join")).ToBeEnabledAsync();
                await Screenshots.TakeAsync(page, "page-failure-room-full");
            }

            // An expired link: said before anyone clicks, and joining is off.
            string shortLived = await TokenAsync("full", ttlSeconds: 1);
            await Task.Delay(1500);
            await page.GotoAsync(Invite("full", shortLived));
            await Expect(page.Locator("#message")).ToContainTextAsync("This invite link expired on");
            await Expect(page.Locator("#join")).ToBeDisabledAsync();
            await Screenshots.TakeAsync(page, "page-failure-link-expired");

            // A link whose signature was changed: the server refuses it.
            string token = await Attack.TokenAsync(_server, "full");
            string tampered = token[..^2] + (token[^2] == 'A' ? "BB" : "AA");
            await page.GotoAsync(Invite("full", tampered));
            await Expect(page.Locator("#message")).ToHaveTextAsync("This invite link is not valid any more (it expired or was changed). Ask for a new one.");
            await Expect(page.Locator("#join")).ToBeDisabledAsync();

            // A link cut short when copied.
            await page.GotoAsync(Invite("full", token[..10]));
            await Expect(page.Locator("#message")).ToContainTextAsync("This invite link is not valid: it may have been cut short");

            // A room that has ended since the link was made.
            await Attack.DeleteRoomAsync(_server, "full");
            await page.GotoAsync(Invite("full", token));
            await Expect(page.Locator("#message")).ToContainTextAsync("This invite link is for a room that has ended");
            await Expect(page.Locator("#join")).ToBeDisabledAsync();

            // The camera refused (as a person clicking "Block" makes getUserMedia fail).
            await page.AddInitScriptAsync("navigator.mediaDevices.getUserMedia = () => Promise.reject(new DOMException('Permission denied', 'NotAllowedError'));");
            await page.GotoAsync(Invite("later", await Attack.TokenAsync(_server, "later")));
            await Expect(page.Locator("#message")).ToHaveTextAsync(
                "The camera and microphone were refused. Allow them for this site (the icon in the address bar) and try again.");
            await Screenshots.TakeAsync(page, "page-failure-camera-refused");
        }
        finally
        {
            await context.CloseAsync();
        }
    }

    private string Invite(string room, string token, string query = "") =>
        _server.Url($"/{query}#room={room}&token={Uri.EscapeDataString(token)}");

    private async Task<string> TokenAsync(string room, int ttlSeconds)
    {
        using var admin = Attack.Admin(_server);
        using var response = await admin.PostAsync($"/api/rooms/{room}/tokens", Attack.Json($$"""{"ttlSeconds":{{ttlSeconds}}}"""));
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("token").GetString()!;
    }
}
