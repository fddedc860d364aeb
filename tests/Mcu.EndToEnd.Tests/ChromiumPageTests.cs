using System.Net.Http.Json;
using System.Text.Json;
using Mcu.EndToEnd.Tests.Recording;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Mcu.EndToEnd.Tests;

/// <summary>
/// The page (<c>/</c>) in headless Chromium, clicked through as people would: the admin opens a
/// room and mints invite links; a guest opens one (no admin field) and a viewer the other; they
/// see each other in the decoded mix; the guest mutes (the server follows, the host sees the
/// placeholder), shares a screen (Chromium's fake capture) and picks another camera; the admin
/// switches the layout and records, and downloads and plays the recording. Screenshots go to
/// <see cref="Screenshots.Folder"/>.
/// </summary>
public sealed class ChromiumPageTests : IClassFixture<PageServerFixture>, IClassFixture<BrowserFixture>, IAsyncLifetime
{
    private const string Room = "meet";
    // The test pattern's colours, and the green of Chromium's fake camera and fake screen.
    private static readonly int[] Red = [220, 40, 40], Blue = [40, 40, 220], FakeGreen = [0, 135, 0];

    private readonly PageServerFixture _server;
    private readonly BrowserFixture _browser;
    private readonly List<IBrowserContext> _contexts = [];

    public ChromiumPageTests(PageServerFixture server, BrowserFixture browser)
    {
        _server = server;
        _browser = browser;
    }

    [Fact]
    public async Task An_admin_invites_a_guest_and_a_viewer_who_meet_mute_share_a_screen_and_are_recorded()
    {
        var host = await OpenAsync("/?source=synthetic&color=%23dc2828");
        await host.FillAsync("#adminKey", ServerFixture.AdminKey);
        await host.FillAsync("#room", Room);
        await host.FillAsync("#name", "host");
        await host.ClickAsync("#openRoom");
        await Expect(host.Locator("#manage")).ToBeVisibleAsync();
        await host.ClickAsync("#join");
        await ConnectedAsync(host);

        await host.ClickAsync("#inviteParticipant");
        await Expect(host.Locator("#message")).ToContainTextAsync("Participant link copied");
        string link = await host.InputValueAsync("#inviteLink");
        Assert.StartsWith(_server.Url($"/#room={Room}&token="), link);
        Assert.Equal(link, await host.EvaluateAsync<string>("() => navigator.clipboard.readText()"));

        // The guest: an invite link and nothing else; no admin key anywhere on the page.
        var guest = await OpenAsync(link.Replace("/#", "/?source=synthetic&color=%232828dc#"));
        await Expect(guest.Locator("#adminKey")).ToBeHiddenAsync();
        await Expect(guest.Locator("#manage")).ToBeHiddenAsync();
        await Expect(guest.Locator("#roomTitle")).ToHaveTextAsync(Room);
        await guest.FillAsync("#name", "guest");
        await guest.ClickAsync("#join");
        await ConnectedAsync(guest);

        // Side by side: the host (first in) on the left, the guest on the right, for both.
        foreach (var page in new[] { host, guest })
        {
            await SeesAsync(page, 0.25, 0.5, Red, "the host's red on the left");
            await SeesAsync(page, 0.75, 0.5, Blue, "the guest's blue on the right");
        }
        await Expect(host.Locator("#people li")).ToHaveTextAsync([new System.Text.RegularExpressions.Regex("^host"), new System.Text.RegularExpressions.Regex("^guest")]);
        await Expect(host.Locator("#people li.speaker")).ToHaveCountAsync(1);
        await Screenshots.TakeAsync(host, "page-1-host-and-guest");
        await Screenshots.TakeAsync(guest, "page-1-guest");

        // Mute: the server's flags follow the buttons, and the host sees the guest's placeholder.
        await guest.ClickAsync("#camera");
        await guest.ClickAsync("#mic");
        await Eventually.Get(() => ParticipantAsync("guest"), p => p.GetProperty("videoMuted").GetBoolean() && p.GetProperty("audioMuted").GetBoolean(),
            TimeSpan.FromSeconds(5), "the server reporting the guest muted");
        await Eventually.Get(() => PixelAsync(host, 0.53, 0.3), IsPlaceholder, TimeSpan.FromSeconds(10), "the guest's placeholder on the right");
        await Expect(host.Locator("#people li", new() { HasText = "guest" })).ToContainTextAsync("camera off");
        await Screenshots.TakeAsync(host, "page-2-guest-camera-off");
        await guest.ClickAsync("#camera");
        await guest.ClickAsync("#mic");
        await Eventually.Get(() => ParticipantAsync("guest"), p => !p.GetProperty("videoMuted").GetBoolean() && !p.GetProperty("audioMuted").GetBoolean(),
            TimeSpan.FromSeconds(5), "the server reporting the guest unmuted");
        await SeesAsync(host, 0.75, 0.5, Blue, "the guest's blue back on the right");

        // A viewer link watches: no camera, no microphone, the mix.
        await host.ClickAsync("#inviteViewer");
        await Expect(host.Locator("#message")).ToContainTextAsync("Viewer link copied");
        var viewer = await OpenAsync(await host.InputValueAsync("#inviteLink"));
        await Expect(viewer.Locator("#join")).ToHaveTextAsync("Watch");
        await Expect(viewer.Locator("#camera")).ToBeHiddenAsync();
        await Expect(viewer.Locator("#share")).ToBeHiddenAsync();
        await viewer.ClickAsync("#join");
        await ConnectedAsync(viewer);
        await SeesAsync(viewer, 0.75, 0.5, Blue, "the viewer seeing the guest");
        await Expect(host.Locator("#people li", new() { HasText = "viewer" })).ToHaveCountAsync(1);
        await viewer.ClickAsync("#leave");
        await viewer.Context.CloseAsync();

        // The guest shares a screen: Chromium's fake capture, green, large and whole for the host.
        await guest.ClickAsync("#share");
        await Expect(guest.Locator("#share")).ToHaveTextAsync("Stop sharing");
        await SeesAsync(host, 0.3, 0.15, FakeGreen, "the guest's screen large at the top");
        await SeesAsync(host, 0.45, 0.9, Red, "the host in the strip below");
        await Expect(guest.Locator("#people li", new() { HasText = "(screen)" })).ToContainTextAsync("you · screen");
        await Screenshots.TakeAsync(host, "page-3-guest-shares-a-screen");
        await guest.ClickAsync("#share");
        await Expect(host.Locator("#people li", new() { HasText = "(screen)" })).ToHaveCountAsync(0);
        await SeesAsync(host, 0.75, 0.5, Blue, "side by side again once the screen stops");

        // The guest picks another camera (Chromium's fake one): its green replaces the blue, same connection.
        await guest.SelectOptionAsync("#cameraSelect", new SelectOptionValue { Index = 1 });
        await SeesAsync(host, 0.6, 0.3, FakeGreen, "the guest's other camera on the right");

        // The admin's layout picker: single shows the host alone.
        await host.SelectOptionAsync("#layout", "single");
        await SeesAsync(host, 0.75, 0.5, Red, "the host filling the picture in 'single'");

        // Record a few seconds; the list offers the MP4 to download and play.
        await host.ClickAsync("#record");
        await Expect(host.Locator("#recordings li").First).ToContainTextAsync("recording", new() { Timeout = 10_000 });
        await Task.Delay(3000);
        await host.ClickAsync("#stopRecord");
        var recording = host.Locator("#recordings li").First;
        await Expect(recording).ToContainTextAsync("done", new() { Timeout = 30_000 });
        var download = await host.RunAndWaitForDownloadAsync(() => recording.Locator("button.download").ClickAsync());
        string file = Path.Combine(Path.GetTempPath(), $"mcu-page-{Guid.NewGuid():N}.mp4");
        await download.SaveAsAsync(file);
        try
        {
            Assert.EndsWith(".mp4", download.SuggestedFilename);
            var probe = await MediaTools.ProbeAsync(file);
            Assert.Contains(probe.Streams, s => s.CodecType == "video" && s.CodecName == "h264");
            Assert.True(probe.Duration >= 2, $"the downloaded recording lasts {probe.Duration} s");
        }
        finally
        {
            File.Delete(file);
        }
        await recording.Locator("button.play").ClickAsync();
        await Eventually.Get(() => host.EvaluateAsync<double>("() => { const v = document.getElementById('playback'); return v.readyState >= 2 ? v.currentTime : -1; }"),
            t => t > 0.5, TimeSpan.FromSeconds(10), "the recording playing on the page");
        await Screenshots.TakeAsync(host, "page-4-recording");

        // Closing the tab leaves at once (the page DELETEs its session), without waiting for the server to notice.
        await guest.CloseAsync();
        await Expect(host.Locator("#people li", new() { HasText = "guest" })).ToHaveCountAsync(0, new() { Timeout = 3000 });
        await host.ClickAsync("#leave");
        await Expect(host.Locator("#people li.none")).ToHaveTextAsync("Nobody yet.");
    }

    [Fact]
    public async Task The_admin_opens_the_jobs_dashboard_from_the_page_with_one_click()
    {
        var page = await OpenAsync("/");
        // Without the admin key the dashboard stays shut.
        Assert.Equal(401, (await page.APIRequest.GetAsync(_server.Url("/hangfire"))).Status);
        await page.FillAsync("#adminKey", ServerFixture.AdminKey);
        var opened = await page.Context.RunAndWaitForPageAsync(() => page.ClickAsync("#dashboard"));
        await opened.WaitForLoadStateAsync();
        Assert.EndsWith("/hangfire", new Uri(opened.Url).AbsolutePath);
        Assert.Contains("Hangfire", await opened.TitleAsync());
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var context in _contexts)
        {
            await context.CloseAsync();
        }
    }

    /// <summary>A page in a browser context of its own (its own storage, like another person's browser).</summary>
    private async Task<IPage> OpenAsync(string pathAndFragment)
    {
        var context = await _browser.Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1200, Height = 800 } });
        _contexts.Add(context);
        await context.GrantPermissionsAsync(["clipboard-read", "clipboard-write"], new BrowserContextGrantPermissionsOptions { Origin = _server.Url("/").TrimEnd('/') });
        var page = await context.NewPageAsync();
        await page.GotoAsync(pathAndFragment.StartsWith("http") ? pathAndFragment : _server.Url(pathAndFragment));
        return page;
    }

    private static Task ConnectedAsync(IPage page) =>
        Eventually.Get(() => page.EvaluateAsync<string>("() => window.mcuPage.connectionState()"),
            state => state == "connected", TimeSpan.FromSeconds(15), "the page connecting");

    private static Task<int[]?> PixelAsync(IPage page, double x, double y) =>
        page.EvaluateAsync<int[]?>("([x, y]) => window.mcuPage.pixelAt(x, y)", new[] { x, y });

    private static Task SeesAsync(IPage page, double x, double y, int[] colour, string what) =>
        Eventually.Get(() => PixelAsync(page, x, y), p => Near(p, colour), TimeSpan.FromSeconds(20), what);

    private async Task<JsonElement> ParticipantAsync(string name)
    {
        using var admin = Attacks.Attack.Admin(_server);
        var people = await admin.GetFromJsonAsync<JsonElement>($"/api/rooms/{Room}/participants");
        return people.EnumerateArray().Single(p => p.GetProperty("displayName").GetString() == name);
    }

    private static bool Near(int[]? rgb, int[] expected) =>
        rgb is { Length: 3 } && rgb.Zip(expected).All(p => Math.Abs(p.First - p.Second) <= 45);

    /// <summary>A placeholder's background: one of the muted palette tones (no channel near 0 or 255), not a test colour.</summary>
    private static bool IsPlaceholder(int[]? rgb) =>
        rgb is { Length: 3 } && rgb.All(c => c is >= 45 and <= 210) && !Near(rgb, Blue) && !Near(rgb, Red);
}
