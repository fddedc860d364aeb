using Mcu.Testing;
using Microsoft.Playwright;

namespace Mcu.EndToEnd.Tests;

/// <summary>
/// The conference page in headless Chromium: it mints a room token with the admin key,
/// joins over WHIP, decodes the mix, lists the people, and switching the layout from the
/// page changes the picture it decodes.
/// </summary>
public sealed class ChromiumPageTests : IClassFixture<ServerFixture>, IClassFixture<BrowserFixture>
{
    private readonly ServerFixture _server;
    private readonly BrowserFixture _browser;

    public ChromiumPageTests(ServerFixture server, BrowserFixture browser)
    {
        _server = server;
        _browser = browser;
    }

    [Fact]
    public async Task The_page_joins_shows_the_mix_and_people_and_switching_layout_changes_the_picture()
    {
        var page = await _browser.Browser.NewPageAsync();
        await page.GotoAsync(new Uri(_server.BaseAddress, "/?source=synthetic&color=%23dc2828").ToString());
        await page.FillAsync("#adminKey", ServerFixture.AdminKey);
        await page.FillAsync("#room", "page");
        await page.FillAsync("#name", "browser");
        await page.EvaluateAsync("() => window.mcuPage.createRoom()");
        await page.EvaluateAsync("() => window.mcuPage.join()");
        await Eventually.Get(() => page.EvaluateAsync<string>("() => window.mcuPage.connectionState()"),
            state => state == "connected", TimeSpan.FromSeconds(15), "the page connecting");

        using var http = _server.CreateClient();
        await using var green = await ParticipantBot.JoinAsync(http, new Uri(_server.BaseAddress, "/api/rooms/page/whip?name=green"),
            new BotOptions { Name = "green", Colour = (40, 200, 40), BearerToken = ServerFixture.AdminKey, DecodeVideo = false });

        await Eventually.Get(() => page.EvaluateAsync<int>("() => window.mcuPage.framesDecoded()"),
            frames => frames >= 30, TimeSpan.FromSeconds(20), "30 decoded frames of the mix");
        // Side by side: the page (first to join, red) on the left, green on the right.
        await Eventually.Get(() => page.EvaluateAsync<int[]?>("() => window.mcuPage.pixelAt(0.75, 0.5)"),
            p => Near(p, [40, 200, 40]), TimeSpan.FromSeconds(20), "green on the right of the decoded mix");
        await Eventually.Get(() => page.EvaluateAsync<string[]>("() => window.mcuPage.people().map(p => p.text)"),
            people => people.Length == 2 && people.Any(p => p.StartsWith("browser")) && people.Any(p => p.StartsWith("green")),
            TimeSpan.FromSeconds(10), "both people listed");

        await page.SelectOptionAsync("#layout", "single");
        await page.ClickAsync("#applyLayout");
        // single: the first to join fills the canvas, so the right half turns red.
        await Eventually.Get(() => page.EvaluateAsync<int[]?>("() => window.mcuPage.pixelAt(0.75, 0.5)"),
            p => Near(p, [220, 40, 40]), TimeSpan.FromSeconds(10), "red filling the decoded mix after switching to single");

        await page.EvaluateAsync("() => window.mcuPage.leave()");
        await page.CloseAsync();
    }

    [Fact]
    public async Task The_admin_opens_the_jobs_dashboard_from_the_page_with_one_click()
    {
        var context = await _browser.Browser.NewContextAsync();
        var page = await context.NewPageAsync();
        await page.GotoAsync(new Uri(_server.BaseAddress, "/").ToString());
        // Without the admin key the dashboard stays shut.
        Assert.Equal(401, (await page.APIRequest.GetAsync(new Uri(_server.BaseAddress, "/hangfire").ToString())).Status);
        await page.FillAsync("#adminKey", ServerFixture.AdminKey);
        var opened = await context.RunAndWaitForPageAsync(() => page.ClickAsync("#dashboard"));
        await opened.WaitForLoadStateAsync();
        Assert.EndsWith("/hangfire", new Uri(opened.Url).AbsolutePath);
        Assert.Contains("Hangfire", await opened.TitleAsync());
        await context.CloseAsync();
    }

    private static bool Near(int[]? rgb, int[] expected) =>
        rgb is { Length: 3 } && rgb.Zip(expected).All(p => Math.Abs(p.First - p.Second) <= 45);
}
