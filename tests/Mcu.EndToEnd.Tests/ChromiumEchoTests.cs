using System.Text.Json;
using Microsoft.Playwright;

namespace Mcu.EndToEnd.Tests;

/// <summary>
/// A real browser joins the echo WHIP endpoint from a page on 127.0.0.1 and we read
/// what it decoded: the colour it sent, frames decoded, and its tone.
/// </summary>
public sealed class ChromiumEchoTests : IClassFixture<ServerFixture>, IClassFixture<BrowserFixture>
{
    private readonly ServerFixture _server;
    private readonly BrowserFixture _browser;

    public ChromiumEchoTests(ServerFixture server, BrowserFixture browser)
    {
        _server = server;
        _browser = browser;
    }

    [Fact]
    public async Task Chromium_receives_its_own_colour_and_tone_back()
    {
        var page = await _browser.Browser.NewPageAsync();
        var log = new List<string>();
        page.Console += (_, message) => log.Add(message.Text);
        await page.GotoAsync(new Uri(_server.BaseAddress, "/probe.html?source=synthetic&color=%23dc2828&tone=1000").ToString());
        await page.EvaluateAsync("() => window.mcuEcho.start()");

        await Eventually.Get(() => page.EvaluateAsync<string>("() => window.mcuEcho.connectionState()"),
            state => state == "connected", TimeSpan.FromSeconds(15), "connection");

        var stats = await Eventually.Get(() => page.EvaluateAsync<JsonElement>("() => window.mcuEcho.inboundStats()"),
            s => s.TryGetProperty("video", out var v) && v.GetProperty("framesDecoded").GetInt32() >= 30,
            TimeSpan.FromSeconds(20), "30 decoded echoed video frames");
        Assert.True(stats.GetProperty("audio").GetProperty("packetsReceived").GetInt32() > 0);

        var pixel = await Eventually.Get(() => page.EvaluateAsync<int[]?>("() => window.mcuEcho.centerPixel()"),
            p => p is not null && Near(p, [220, 40, 40], 40), TimeSpan.FromSeconds(10), "the red we sent in the echoed picture");
        Assert.InRange(pixel![0], 180, 255);

        var peak = await Eventually.Get(() => page.EvaluateAsync<JsonElement>("() => window.mcuEcho.audioPeak()"),
            p => p.ValueKind == JsonValueKind.Object && Math.Abs(p.GetProperty("hz").GetDouble() - 1000) < 30
                 && p.GetProperty("db").GetDouble() > -70,
            TimeSpan.FromSeconds(10), "the 1 kHz tone in the echoed audio");
        Assert.InRange(peak.GetProperty("hz").GetDouble(), 970, 1030);

        await page.EvaluateAsync("() => window.mcuEcho.stop()");
        await page.CloseAsync();
    }

    private static bool Near(int[] rgb, int[] expected, int tolerance) =>
        rgb.Length == 3 && rgb.Zip(expected).All(p => Math.Abs(p.First - p.Second) <= tolerance);
}
