using System.Net;
using System.Net.Http.Headers;
using Mcu.EndToEnd.Tests.Recording;
using Xunit.Abstractions;
using static Mcu.EndToEnd.Tests.Cluster.ClusterFixture;
using static Microsoft.Playwright.Assertions;

namespace Mcu.EndToEnd.Tests.Cluster;

/// <summary>
/// The page of node a, in headless Chromium, joins a room that lives on node b: its WHIP offer to a
/// is redirected (307) to b, where it joins and decodes the two who joined through b directly; its
/// session's URL is b's, its events socket is b's, and its session ends through a's URL too.
/// </summary>
public sealed class ClusterChromiumTests(ClusterFixture cluster, BrowserFixture browser, ITestOutputHelper output) : IClassFixture<ClusterFixture>, IClassFixture<BrowserFixture>
{
    [Fact]
    public async Task Chromium_on_node_a_follows_the_redirect_and_joins_the_room_on_node_b()
    {
        using var a = cluster.A.CreateClient();
        using var b = cluster.B.CreateClient();
        using (var created = await a.PostAsync("/api/rooms", Body("""{"name":"spread","node":"b"}""")))
        {
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }
        Assert.Equal("b", (await ListedAsync(a, "spread"))!.Value.GetProperty("node").GetString());

        // Two join through b directly, small and slow, so two cores carry three servers' worth.
        var small = new BotOptions { Width = 320, Height = 180, FramesPerSecond = 15, DecodeVideo = false };
        await using var red = await ParticipantBot.JoinAsync(b, cluster.B.Whip("spread", "red"), small with { Name = "red", Colour = (220, 40, 40), ToneHz = 400 });
        await using var blue = await ParticipantBot.JoinAsync(b, cluster.B.Whip("spread", "blue"), small with { Name = "blue", Colour = (40, 40, 220), ToneHz = 800 });

        // The page is a's, opened with an invite link whose token came through a (forwarded to b, so it is bound to b's room).
        string token = await TokenAsync(a, "spread");
        var page = await browser.Browser.NewPageAsync();
        var console = new List<string>();
        page.Console += (_, message) => console.Add(message.Text);
        await page.GotoAsync(new Uri(cluster.A.BaseAddress, $"/?source=synthetic&color=%2328c828#room=spread&token={Uri.EscapeDataString(token)}").ToString());
        await page.FillAsync("#name", "browser");
        await page.ClickAsync("#join");
        await Eventually.Get(() => page.EvaluateAsync<string>("() => window.mcuPage.connectionState()"),
            state => state == "connected", TimeSpan.FromSeconds(20), "the page connecting (console: " + string.Join(" | ", console) + ")");

        // Its session lives on b, and its URL says so.
        var resource = new Uri(await page.EvaluateAsync<string>("() => window.mcuPage.sessionLocation()"));
        Assert.Equal(cluster.B.BaseAddress.Authority, resource.Authority);

        // grid-4: red and blue, who joined first, on the top row of what the page decodes.
        await Eventually.Get(() => page.EvaluateAsync<int[]?>("() => window.mcuPage.pixelAt(0.25, 0.25)"),
            p => Near(p, [220, 40, 40]), TimeSpan.FromSeconds(20), "red top left in the page's picture");
        await Eventually.Get(() => page.EvaluateAsync<int[]?>("() => window.mcuPage.pixelAt(0.75, 0.25)"),
            p => Near(p, [40, 40, 220]), TimeSpan.FromSeconds(10), "blue top right in the page's picture");
        await Eventually.Get(() => page.EvaluateAsync<int>("() => window.mcuPage.framesDecoded()"), frames => frames >= 30,
            TimeSpan.FromSeconds(10), "30 frames decoded");
        // Chromium drops Authorization when a redirect crosses origins (another port is another origin): the page sent the offer again.
        Assert.Contains(console, line => line.StartsWith("WHIP: redirected to " + new Uri(cluster.B.BaseAddress, "/api/rooms/spread/whip"), StringComparison.Ordinal));
        output.WriteLine(string.Join("\n", console));
        // The people: read through a (forwarded to b), and kept up by b's events socket: someone joining later shows up.
        await Expect(page.Locator("#people li")).ToHaveCountAsync(3);
        await using (var green = await ParticipantBot.JoinAsync(b, cluster.B.Whip("spread", "green"), small with { Name = "green", Colour = (40, 200, 40) }))
        {
            await Expect(page.Locator("#people li", new() { HasText = "green" })).ToHaveCountAsync(1);
        }
        await Expect(page.Locator("#people li")).ToHaveCountAsync(3);

        // Ending the session through a's URL: forwarded to b with the page's token.
        using (var leave = new HttpRequestMessage(HttpMethod.Delete, new Uri(cluster.A.BaseAddress, resource.PathAndQuery)))
        {
            leave.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            using var left = await new HttpClient().SendAsync(leave);
            Assert.Equal(HttpStatusCode.OK, left.StatusCode);
        }
        await Eventually.Get(() => GetJsonAsync(b, "/api/rooms/spread/participants"), list => list.GetArrayLength() == 2,
            TimeSpan.FromSeconds(10), "b's room without the browser");
        await page.CloseAsync();
    }

    private static bool Near(int[]? rgb, int[] expected) =>
        rgb is { Length: 3 } && rgb.Zip(expected).All(p => Math.Abs(p.First - p.Second) <= 45);
}
