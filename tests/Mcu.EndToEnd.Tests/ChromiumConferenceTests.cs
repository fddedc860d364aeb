namespace Mcu.EndToEnd.Tests;

/// <summary>
/// Three headless Chromium participants join one room over WHIP; each must decode one
/// picture with everyone in the grid and one audio mix with the others' tones but not its own.
/// </summary>
public sealed class ChromiumConferenceTests : IClassFixture<ServerFixture>, IClassFixture<BrowserFixture>
{
    private static readonly ProbePerson[] People =
    [
        new("red", [220, 40, 40], 500),
        new("green", [40, 200, 40], 900),
        new("blue", [40, 40, 220], 1300),
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
        var pages = new List<IProbePage>();
        try
        {
            foreach (var person in People)
            {
                var page = await ChromiumPage.OpenAsync(_browser.Browser, person.Url(_server.BaseAddress, "browsers", ServerFixture.AdminKey));
                pages.Add(page);
                await ProbePerson.ConnectAsync(page, person.Name);
            }
            // Three people: grid-4, quarters in join order.
            for (int p = 0; p < pages.Count; p++)
            {
                await ProbePerson.AssertSeesAndHearsEveryoneAsync(pages[p], People, p);
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
}
