using System.Text.Json;
using Microsoft.Playwright;

namespace Mcu.EndToEnd.Tests;

/// <summary>
/// Three headless Chromium participants join one room over WHIP; each must decode one
/// picture with everyone in the grid and one audio mix with the others' tones but not its own.
/// </summary>
public sealed class ChromiumConferenceTests : IClassFixture<ServerFixture>, IClassFixture<BrowserFixture>
{
    private static readonly (string Name, string Hex, int[] Rgb, int Tone)[] People =
    [
        ("red", "%23dc2828", [220, 40, 40], 500),
        ("green", "%2328c828", [40, 200, 40], 900),
        ("blue", "%232828dc", [40, 40, 220], 1300),
    ];

    private readonly ServerFixture _server;
    private readonly BrowserFixture _browser;

    public ChromiumConferenceTests(ServerFixture server, BrowserFixture browser)
    {
        _server = server;
        _browser = browser;
    }

    [Fact]
    public async Task Three_browsers_each_decode_everyone_in_the_grid_and_hear_the_others_but_not_themselves()
    {
        var pages = new List<IPage>();
        try
        {
            foreach (var person in People)
            {
                var context = await _browser.Browser.NewContextAsync();
                var page = await context.NewPageAsync();
                string url = $"/probe.html?source=synthetic&endpoint=/api/rooms/browsers/whip&name={person.Name}&color={person.Hex}&tone={person.Tone}{_server.TokenQuery}";
                await page.GotoAsync(new Uri(_server.BaseAddress, url).ToString());
                await page.EvaluateAsync("() => window.mcuEcho.start()");
                await Eventually.Get(() => page.EvaluateAsync<string>("() => window.mcuEcho.connectionState()"),
                    s => s == "connected", TimeSpan.FromSeconds(15), $"{person.Name} connecting");
                pages.Add(page);
            }

            for (int p = 0; p < pages.Count; p++)
            {
                var page = pages[p];
                var me = People[p];
                // Three people: grid-4, quarters in join order.
                for (int i = 0; i < People.Length; i++)
                {
                    double fx = 0.25 + 0.5 * (i % 2), fy = 0.25 + 0.5 * (i / 2);
                    var expected = People[i];
                    await Eventually.Get(() => page.EvaluateAsync<int[]?>($"() => window.mcuEcho.colourAt({fx}, {fy})"),
                        c => c is not null && c.Zip(expected.Rgb).All(x => Math.Abs(x.First - x.Second) <= 45),
                        TimeSpan.FromSeconds(20), $"{me.Name} seeing {expected.Name} in quarter {i}");
                }
                var stats = await Eventually.Get(() => page.EvaluateAsync<JsonElement>("() => window.mcuEcho.inboundStats()"),
                    s => s.TryGetProperty("video", out var v) && v.GetProperty("framesDecoded").GetInt32() > 60
                         && v.GetProperty("framesPerSecond").GetDouble() >= 10,
                    TimeSpan.FromSeconds(20), $"{me.Name} decoding the mix at a steady rate");
                Assert.Equal(640, stats.GetProperty("video").GetProperty("frameWidth").GetInt32());

                var others = People.Where(o => o.Name != me.Name).ToArray();
                await Eventually.Get(() => ToneLevels(page),
                    levels => others.All(o => levels[o.Tone] > -60) && levels[me.Tone] < others.Max(o => levels[o.Tone]) - 20,
                    TimeSpan.FromSeconds(15), $"{me.Name} hearing the others ≥ 20 dB over their own tone");
            }
        }
        finally
        {
            foreach (var page in pages)
            {
                await page.EvaluateAsync("() => window.mcuEcho.stop()");
                await page.Context.CloseAsync();
            }
        }
    }

    private static async Task<Dictionary<int, double>> ToneLevels(IPage page)
    {
        var levels = new Dictionary<int, double>();
        foreach (var person in People)
        {
            levels[person.Tone] = await page.EvaluateAsync<double>($"() => window.mcuEcho.toneDb({person.Tone})");
        }
        return levels;
    }
}
