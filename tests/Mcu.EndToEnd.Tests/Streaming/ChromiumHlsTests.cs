using Mcu.Testing;
using Microsoft.Playwright;

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
}
