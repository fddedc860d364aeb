using System.Text.Json;
using Mcu.Rtc.Ice;
using Mcu.Rtc.Transport;
using Mcu.Server.Rtc;
using Mcu.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Mcu.EndToEnd.Tests;

/// <summary>
/// ICE-TCP (RFC 6544): clients whose UDP is blocked join over the server's passive TCP candidate
/// and take part like everyone else — they decode the mix and are heard — beside clients on UDP.
/// </summary>
public sealed class IceTcpTests : IClassFixture<ServerFixture>, IClassFixture<BrowserFixture>
{
    private readonly ServerFixture _server;
    private readonly BrowserFixture _browser;

    public IceTcpTests(ServerFixture server, BrowserFixture browser)
    {
        _server = server;
        _browser = browser;
    }

    private MediaTransport Transport => _server.Services.GetRequiredService<RtcHost>().Transport;

    [Fact]
    public async Task Chromium_without_udp_candidates_joins_over_tcp_decodes_the_mix_and_is_heard_beside_one_on_udp()
    {
        // red and blue see no UDP candidate in the answer (a firewall that blocks UDP); green is on UDP.
        ProbePerson[] people =
        [
            new("red", [220, 40, 40], 500),
            new("green", [40, 200, 40], 900),
            new("blue", [40, 40, 220], 1300),
        ];
        bool[] overTcp = [true, false, true];
        long acceptedBefore = Transport.Counters.TcpAccepted;
        var pages = new List<IProbePage>();
        try
        {
            for (int i = 0; i < people.Length; i++)
            {
                var url = people[i].Url(_server.BaseAddress, "ice-tcp", ServerFixture.AdminKey);
                if (overTcp[i])
                {
                    url = new UriBuilder(url) { Query = url.Query.TrimStart('?') + "&transport=tcp" }.Uri;
                }
                var page = await ChromiumPage.OpenAsync(_browser.Browser, url);
                pages.Add(page);
                await ProbePerson.ConnectAsync(page, people[i].Name);
            }
            for (int i = 0; i < pages.Count; i++)
            {
                // Each decodes everyone in the grid and hears the others (so the TCP ones are heard by all).
                await ProbePerson.AssertSeesAndHearsEveryoneAsync(pages[i], people, i);
                var selected = await pages[i].EvaluateAsync<JsonElement>("() => window.mcuEcho.selectedTransport()");
                Assert.Equal(overTcp[i] ? "tcp" : "udp", selected.GetProperty("local").GetString());
                Assert.Equal(overTcp[i] ? "tcp" : "udp", selected.GetProperty("remote").GetString());
            }
            Assert.True(Transport.Counters.TcpAccepted - acceptedBefore >= 2, "the server accepted no TCP connection");
            Assert.Equal(0, Transport.Counters.TcpClosedBadInput);
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

    [Fact]
    public async Task Our_client_over_tcp_and_one_over_udp_each_see_both_and_hear_the_other()
    {
        using var http = _server.CreateClient();
        var whip = new Uri(_server.BaseAddress, "/api/rooms/ice-tcp-bots/whip");
        await using var tcp = await ParticipantBot.JoinAsync(http, new Uri(whip, "?name=tcp"), new BotOptions
        {
            BearerToken = ServerFixture.AdminKey, Name = "tcp", Colour = (220, 40, 40), ToneHz = 500, Protocol = TransportProtocol.Tcp,
        });
        await using var udp = await ParticipantBot.JoinAsync(http, new Uri(whip, "?name=udp"), new BotOptions
        {
            BearerToken = ServerFixture.AdminKey, Name = "udp", Colour = (40, 40, 220), ToneHz = 900,
        });
        Assert.Equal(TransportProtocol.Tcp, tcp.Client.Connection.Protocol);
        Assert.Equal(TransportProtocol.Udp, udp.Client.Connection.Protocol);

        foreach (var (bot, other) in new[] { (tcp, 900.0), (udp, 500.0) })
        {
            // side-by-side: tcp joined first, on the left.
            await Eventually.Get(() => Task.FromResult(bot.LatestPicture()),
                p => p is not null && Signals.Near(Signals.AverageColour(p, 0.25, 0.5), (220, 40, 40), 45)
                     && Signals.Near(Signals.AverageColour(p, 0.75, 0.5), (40, 40, 220), 45),
                TimeSpan.FromSeconds(20), $"{bot.Name} seeing both");
            await Eventually.Get(() => Task.FromResult(bot.RecentAudio()), pcm => Signals.ToneDb(pcm, other) > -40,
                TimeSpan.FromSeconds(10), $"{bot.Name} hearing the other");
        }
    }
}
