using System.Text.Json;
using Microsoft.Playwright;

namespace Mcu.EndToEnd.Tests;

/// <summary>A page running probe.html in some browser: the tests judge every browser alike through it.</summary>
public interface IProbePage : IAsyncDisposable
{
    /// <summary>Runs a function expression (<c>() => …</c>) in the page; its result comes back as JSON.</summary>
    Task<T> EvaluateAsync<T>(string expression);
}

/// <summary>A Playwright (Chromium) page in a context of its own.</summary>
public sealed class ChromiumPage(IPage page) : IProbePage
{
    public static async Task<ChromiumPage> OpenAsync(IBrowser browser, Uri url)
    {
        var context = await browser.NewContextAsync();
        var page = await context.NewPageAsync();
        await page.GotoAsync(url.ToString());
        return new ChromiumPage(page);
    }

    public Task<T> EvaluateAsync<T>(string expression) => page.EvaluateAsync<T>(expression);

    public async ValueTask DisposeAsync() => await page.Context.CloseAsync();
}

/// <summary>
/// A participant played by a browser on probe.html with a synthetic camera (one colour) and
/// microphone (one tone), and what a test asks of it: connect, see each person in their quarter
/// of the grid, hear the others ≥ 20 dB over its own tone.
/// </summary>
public sealed record ProbePerson(string Name, int[] Rgb, int Tone)
{
    public string Hex => $"%23{Rgb[0]:x2}{Rgb[1]:x2}{Rgb[2]:x2}";

    /// <summary>probe.html joining <paramref name="room"/> over WHIP as this person.</summary>
    public Uri Url(Uri server, string room, string token) =>
        new(server, $"/probe.html?source=synthetic&endpoint=/api/rooms/{room}/whip&name={Name}&color={Hex}&tone={Tone}#token={Uri.EscapeDataString(token)}");

    /// <summary>
    /// <paramref name="people"/> join <paramref name="room"/> in order, each in the page <paramref name="open"/>
    /// gives for its index and URL (any browser); then each must see everyone in the grid and hear the others.
    /// </summary>
    public static async Task ConferenceAsync(Uri server, string room, string token, IReadOnlyList<ProbePerson> people,
        Func<int, Uri, Task<IProbePage>> open)
    {
        var pages = new List<IProbePage>();
        try
        {
            for (int i = 0; i < people.Count; i++)
            {
                var page = await open(i, people[i].Url(server, room, token));
                pages.Add(page);
                await ConnectAsync(page, people[i].Name);
            }
            for (int p = 0; p < pages.Count; p++)
            {
                await AssertSeesAndHearsEveryoneAsync(pages[p], people, p);
            }
        }
        finally
        {
            foreach (var page in pages)
            {
                await page.EvaluateAsync<bool>("() => window.mcuEcho.stop().then(() => true)");
                await page.DisposeAsync();
            }
        }
    }

    public static async Task ConnectAsync(IProbePage page, string who)
    {
        await page.EvaluateAsync<bool>("() => window.mcuEcho.start().then(() => true)");
        await Eventually.Get(() => page.EvaluateAsync<string>("() => window.mcuEcho.connectionState()"),
            s => s == "connected", TimeSpan.FromSeconds(15), $"{who} connecting");
    }

    /// <summary>
    /// Asserts that <paramref name="page"/>, played by <c>people[me]</c>, decodes the grid with everyone
    /// in their quarter (join order), steadily, and hears the others but not itself.
    /// </summary>
    public static async Task AssertSeesAndHearsEveryoneAsync(IProbePage page, IReadOnlyList<ProbePerson> people, int me)
    {
        var self = people[me];
        for (int i = 0; i < people.Count; i++)
        {
            double fx = 0.25 + 0.5 * (i % 2), fy = 0.25 + 0.5 * (i / 2);
            var expected = people[i];
            await Eventually.Get(() => page.EvaluateAsync<int[]?>($"() => window.mcuEcho.colourAt({fx}, {fy})"),
                c => c is not null && c.Zip(expected.Rgb).All(x => Math.Abs(x.First - x.Second) <= 45),
                TimeSpan.FromSeconds(20), $"{self.Name} seeing {expected.Name} in quarter {i}");
        }
        var stats = await Eventually.Get(() => page.EvaluateAsync<JsonElement>("() => window.mcuEcho.inboundStats()"),
            s => s.TryGetProperty("video", out var v) && v.GetProperty("framesDecoded").GetInt32() > 60
                 && v.GetProperty("framesPerSecond").GetDouble() >= 10,
            TimeSpan.FromSeconds(20), $"{self.Name} decoding the mix at a steady rate");
        Assert.Equal(640, stats.GetProperty("video").GetProperty("frameWidth").GetInt32());

        var others = people.Where(o => o.Name != self.Name).ToArray();
        await Eventually.Get(() => ToneLevels(page, people),
            levels => others.All(o => levels[o.Tone] > -60) && levels[self.Tone] < others.Max(o => levels[o.Tone]) - 20,
            TimeSpan.FromSeconds(15), $"{self.Name} hearing the others ≥ 20 dB over their own tone");
    }

    private static async Task<Dictionary<int, double>> ToneLevels(IProbePage page, IReadOnlyList<ProbePerson> people)
    {
        var levels = new Dictionary<int, double>();
        foreach (var person in people)
        {
            levels[person.Tone] = await page.EvaluateAsync<double>($"() => window.mcuEcho.toneDb({person.Tone})");
        }
        return levels;
    }
}
