using System.Net;
using System.Text;

namespace Mcu.EndToEnd.Tests.Firefox;

/// <summary>
/// Debian's Firefox ESR as a participant: three Firefox, and Firefox beside Chromium, each
/// decode everyone in the grid and hear the others but not themselves. Debian's Firefox has
/// no H.264 (no OpenH264), so an H.264-only room refuses it with 406.
/// </summary>
public sealed class FirefoxConferenceTests : IClassFixture<ServerFixture>, IClassFixture<FirefoxFixture>, IClassFixture<BrowserFixture>
{
    private static readonly ProbePerson[] People =
    [
        new("red", [220, 40, 40], 500),
        new("green", [40, 200, 40], 900),
        new("blue", [40, 40, 220], 1300),
    ];

    private readonly ServerFixture _server;
    private readonly FirefoxFixture _firefox;
    private readonly BrowserFixture _chromium;

    public FirefoxConferenceTests(ServerFixture server, FirefoxFixture firefox, BrowserFixture chromium)
    {
        _server = server;
        _firefox = firefox;
        _chromium = chromium;
    }

    [Fact]
    public async Task Three_Firefox_each_decode_everyone_in_the_grid_and_hear_the_others_but_not_themselves() =>
        await ConferenceAsync("firefox3", [true, true, true]);

    [Fact]
    public async Task Firefox_and_Chromium_in_one_room_see_and_hear_each_other() =>
        await ConferenceAsync("mixed", [true, false, true]);

    [Fact]
    public async Task An_H264_only_room_refuses_Firefox_with_406_saying_why()
    {
        using var admin = _server.CreateClient();
        admin.DefaultRequestHeaders.Authorization = new("Bearer", ServerFixture.AdminKey);
        using var created = await admin.PostAsync("/api/rooms",
            new StringContent("""{"name":"h264-only","codecs":["h264"]}""", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);

        await using var page = await _firefox.OpenAsync(People[0].Url(_server.BaseAddress, "h264-only", ServerFixture.AdminKey));
        var refused = await Assert.ThrowsAsync<FirefoxException>(() => page.EvaluateAsync<bool>("() => window.mcuEcho.start().then(() => true)"));
        Assert.Contains("WHIP answered 406", refused.Message);
        Assert.Contains("H264", refused.Message, StringComparison.OrdinalIgnoreCase);
        var room = await admin.GetStringAsync("/api/rooms/h264-only/participants");
        Assert.DoesNotContain("red", room);
    }

    /// <summary>People join in order, each in Firefox (true) or Chromium (false), then each is judged.</summary>
    private Task ConferenceAsync(string room, bool[] inFirefox) =>
        ProbePerson.ConferenceAsync(_server.BaseAddress, room, ServerFixture.AdminKey, People,
            async (i, url) => inFirefox[i] ? await _firefox.OpenAsync(url) : await ChromiumPage.OpenAsync(_chromium.Browser, url));
}
