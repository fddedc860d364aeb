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
    public async Task Three_browsers_each_decode_everyone_in_the_grid_and_hear_the_others_but_not_themselves() =>
        // Three people: grid-4, quarters in join order.
        await ProbePerson.ConferenceAsync(_server.BaseAddress, "browsers", ServerFixture.AdminKey, People,
            async (_, url) => await ChromiumPage.OpenAsync(_browser.Browser, url));
}
