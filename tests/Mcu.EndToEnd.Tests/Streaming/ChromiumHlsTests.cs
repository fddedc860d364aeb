using Mcu.EndToEnd.Tests.Recording;
using Mcu.Testing;
using Mcu.Testing.Streaming;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Mcu.EndToEnd.Tests.Streaming;

/// <summary>
/// The watch page (/watch.html#room=…&amp;token=VIEWER) in Debian's headless Chromium plays the room's
/// HLS: as the browser is (Chromium 156 claims native HLS but fails on the live fMP4 playlist, and the
/// page falls back to the vendored hls.js), and when the browser says it has no native HLS at all.
/// Judged by the pictures it shows: the bots' colours in their places.
/// </summary>
public sealed class ChromiumHlsTests(StreamedRoom room, BrowserFixture browser) : IClassFixture<StreamedRoom>, IClassFixture<BrowserFixture>
{
    [Theory]
    [InlineData("as-is")]
    [InlineData("no-native-hls")]
    public async Task The_watch_page_plays_the_room_s_hls(string browserKind)
    {
        string id = await room.StartAsync("hls", new { resolution = "640x360" });
        try
        {
            string viewer = await room.TokenAsync(StreamedRoom.Room, "viewer");
            await using var context = await browser.Browser.NewContextAsync();
            var page = await context.NewPageAsync();
            var console = new List<string>();
            page.Console += (_, m) => { lock (console) { console.Add(m.Text); } };
            page.RequestFailed += (_, r) => { lock (console) { console.Add($"request failed: {r.Url} {r.Failure}"); } };
            page.Response += (_, r) => { if (r.Status >= 400) { lock (console) { console.Add($"{r.Status} {r.Url}"); } } };
            if (browserKind == "no-native-hls")
            {
                // A browser without native HLS (Firefox, older Chromium): the page must fall back to hls.js.
                await page.AddInitScriptAsync("""
                    const canPlay = HTMLMediaElement.prototype.canPlayType;
                    HTMLMediaElement.prototype.canPlayType = function (type) { return /mpegurl/i.test(type) ? '' : canPlay.call(this, type); };
                    """);
            }
            await page.GotoAsync(new Uri(room.Server.BaseAddress, $"/watch.html#room={StreamedRoom.Room}&token={viewer}").ToString());
            try
            {
                await Eventually.Get(() => page.EvaluateAsync<double>("() => { const v = document.getElementById('live'); return v.readyState >= 2 ? v.currentTime : -1; }"),
                    t => t > 3, TimeSpan.FromSeconds(45), $"the watch page playing ({browserKind})");
            }
            catch (TimeoutException e)
            {
                string said = await page.EvaluateAsync<string>("() => document.getElementById('status').textContent + ' | ' + document.getElementById('message').textContent + ' | ' + (document.getElementById('live').error?.message ?? '')");
                lock (console)
                {
                    throw new TimeoutException($"{e.Message}; the page says: {said}; console: {string.Join(" / ", console)}", e);
                }
            }
            string player = await page.EvaluateAsync<string>("() => document.getElementById('live').dataset.player");
            Assert.Contains(player, browserKind == "no-native-hls" ? ["hls.js"] : new[] { "native", "hls.js" });
            Console.WriteLine($"watch page ({browserKind}) plays with {player}");
            Assert.Equal(640, await page.EvaluateAsync<int>("() => document.getElementById('live').videoWidth"));
            Assert.Equal("live", await page.TextContentAsync("#status"));
            for (int i = 0; i < StreamedRoom.People.Length; i++)
            {
                var rgb = await page.EvaluateAsync<int[]>("""
                    ([fx, fy]) => {
                      const v = document.getElementById('live');
                      const c = Object.assign(document.createElement('canvas'), { width: v.videoWidth, height: v.videoHeight });
                      const g = c.getContext('2d');
                      g.drawImage(v, 0, 0);
                      const d = g.getImageData(Math.round(fx * c.width), Math.round(fy * c.height), 1, 1).data;
                      return [d[0], d[1], d[2]];
                    }
                    """, new[] { 0.25 + 0.5 * (i % 2), 0.25 + 0.5 * (i / 2) });
                var colour = (rgb[0], rgb[1], rgb[2]);
                Assert.True(Signals.Near(colour, StreamedRoom.People[i].Colour, 50), $"{StreamedRoom.People[i].Name}: {colour}");
            }
            await Screenshots.TakeAsync(page, $"watch-hls-{browserKind}");
        }
        finally
        {
            await room.Http.DeleteAsync($"/api/rooms/{StreamedRoom.Room}/hls");
            await room.WaitForStateAsync(id, "stopped", TimeSpan.FromSeconds(15));
        }
    }
    [Fact]
    public async Task The_admin_s_buttons_push_the_room_and_hand_out_a_watch_link_that_plays()
    {
        await using var context = await browser.Browser.NewContextAsync();
        await context.GrantPermissionsAsync(["clipboard-read", "clipboard-write"], new BrowserContextGrantPermissionsOptions { Origin = room.Server.BaseAddress.ToString().TrimEnd('/') });
        var admin = await context.NewPageAsync();
        await admin.GotoAsync(new Uri(room.Server.BaseAddress, "/").ToString());
        await admin.FillAsync("#adminKey", RecordingServer.AdminKey);
        await admin.FillAsync("#room", StreamedRoom.Room);
        await admin.ClickAsync("#openRoom");
        await Expect(admin.Locator("#manage")).ToBeVisibleAsync();

        // A push to FFmpeg as the RTMP server: live in the list without the key, then stopped.
        int port = FfmpegListener.FreeTcpPort();
        using var server = FfmpegListener.Rtmp(port, room.HlsPath + "-rtmp.flv"); // beside the HLS folder, in the server's temporary folder
        await admin.FillAsync("#streamUrl", server.Url);
        await admin.ClickAsync("#startStream");
        await Expect(admin.Locator("#streams")).ToContainTextAsync($"rtmp rtmp://127.0.0.1:{port} · live", new() { Timeout = 20_000 });
        await Expect(admin.Locator("#streams")).Not.ToContainTextAsync("live/key");
        await admin.ClickAsync("#stopStream");
        await Expect(admin.Locator("#streams")).ToContainTextAsync($"rtmp rtmp://127.0.0.1:{port} · stopped", new() { Timeout = 15_000 });
        await server.WaitForExitAsync(TimeSpan.FromSeconds(15));
        File.Delete(server.Output);

        // HLS, and a watch link for someone without WebRTC.
        await admin.ClickAsync("#startHls");
        await Expect(admin.Locator("#streams")).ToContainTextAsync("hls /api/rooms/streamed/hls/index.m3u8 · live", new() { Timeout = 20_000 });
        await admin.ClickAsync("#watchLink");
        await Expect(admin.Locator("#message")).ToContainTextAsync("Watch link copied");
        string link = await admin.InputValueAsync("#inviteLink");
        Assert.StartsWith(new Uri(room.Server.BaseAddress, $"/watch.html#room={StreamedRoom.Room}&token=").ToString(), link);
        await Screenshots.TakeAsync(admin, "page-5-live-streaming");

        await using var viewerContext = await browser.Browser.NewContextAsync();
        var viewer = await viewerContext.NewPageAsync();
        await viewer.GotoAsync(link);
        await Eventually.Get(() => viewer.EvaluateAsync<double>("() => { const v = document.getElementById('live'); return v.readyState >= 2 ? v.currentTime : -1; }"),
            t => t > 2, TimeSpan.FromSeconds(45), "the watch link playing");

        await admin.ClickAsync("#stopHls");
        await Expect(admin.Locator("#streams")).ToContainTextAsync("hls /api/rooms/streamed/hls/index.m3u8 · stopped", new() { Timeout = 15_000 });
        await Expect(admin.Locator("#startHls")).ToBeEnabledAsync();
    }
}
