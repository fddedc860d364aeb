using System.Net;
using System.Text.Json;
using Mcu.Server.Echo;
using Mcu.Server.Rtc;
using Microsoft.Extensions.DependencyInjection;

namespace Mcu.EndToEnd.Tests.Attacks;

/// <summary>The echo diagnostic with a 2 s connect timeout, so abandoned offers go quickly.</summary>
public sealed class EchoServerFixture : TransportServerFixture
{
    protected override string[] Settings => ["--Mcu:ConnectTimeoutSeconds=2"];
}

/// <summary>The echo diagnostic turned off.</summary>
public sealed class EchoOffServerFixture : TransportServerFixture
{
    protected override string[] Settings => ["--Mcu:Echo:Enabled=false"];
}

/// <summary>
/// <c>/api/echo/whip</c> is open to anyone: 600 offers that never connect must cost a bounded
/// number of sessions for a bounded time, and nothing to a room beside them.
/// </summary>
public sealed class EchoSessionTests : IClassFixture<EchoServerFixture>
{
    private readonly EchoServerFixture _server;

    public EchoSessionTests(EchoServerFixture server) => _server = server;

    [Fact]
    public async Task Six_hundred_offers_that_never_connect_hit_the_cap_then_time_out_and_are_removed()
    {
        using var http = _server.CreateClient();
        await using var bystanders = await Bystanders.JoinAsync(http, _server.BaseAddress, "beside-echo", TransportServerFixture.AdminKey);
        var sessions = _server.Services.GetRequiredService<EchoSessions>();
        var transport = _server.Services.GetRequiredService<RtcHost>().Transport;
        int connectionsBefore = transport.ConnectionCount;
        var endpoint = new Uri(_server.BaseAddress, "/api/echo/whip");
        using var anonymous = new HttpClient();

        var statuses = new List<HttpStatusCode>();
        var locations = new List<Uri>();
        HttpResponseMessage? refused = null;
        using var gate = new SemaphoreSlim(8);
        await Task.WhenAll(Enumerable.Range(0, 600).Select(async _ =>
        {
            await gate.WaitAsync();
            try
            {
                var (response, _, _) = await TransportRawPeer.PostOfferAsync(anonymous, endpoint);
                lock (statuses)
                {
                    statuses.Add(response.StatusCode);
                    if (response.StatusCode == HttpStatusCode.Created)
                    {
                        locations.Add(new Uri(_server.BaseAddress, response.Headers.Location!));
                    }
                    else if (refused is null)
                    {
                        refused = response;
                        return;
                    }
                }
                response.Dispose();
            }
            finally
            {
                gate.Release();
            }
        }));

        // The cap: 50 by default (Mcu:Echo:MaxSessions); the rest get 503 with a problem document.
        Assert.Equal(50, statuses.Count(s => s == HttpStatusCode.Created));
        Assert.Equal(550, statuses.Count(s => s == HttpStatusCode.ServiceUnavailable));
        Assert.Equal("application/problem+json", refused!.Content.Headers.ContentType?.MediaType);
        using (var problem = JsonDocument.Parse(await refused.Content.ReadAsStringAsync()))
        {
            Assert.Equal(503, problem.RootElement.GetProperty("status").GetInt32());
            Assert.Contains("Mcu:Echo:MaxSessions", problem.RootElement.GetProperty("detail").GetString());
        }
        Assert.NotNull(refused.Headers.RetryAfter);
        Assert.Equal(50, sessions.Count);
        Assert.Equal("New", JsonDocument.Parse(await anonymous.GetStringAsync(locations[0])).RootElement.GetProperty("state").GetString());

        // They never connect: after the connect timeout (2 s here) each is failed and removed,
        // from the echo sessions and from the transport, and its resource is gone.
        await Eventually.Get(() => Task.FromResult((sessions.Count, transport.ConnectionCount)),
            seen => seen == (0, connectionsBefore), TimeSpan.FromSeconds(15), "the abandoned echo sessions removed");
        using (var gone = await anonymous.GetAsync(locations[0]))
        {
            Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        }

        // Room for new ones again, and a real client still gets its echo.
        await using var probe = await ParticipantBot.JoinAsync(anonymous, endpoint, new BotOptions { Name = "probe", DecodeVideo = false });
        await Eventually.Get(() => Task.FromResult(probe.VideoFramesReceived), n => n > 10, TimeSpan.FromSeconds(10), "the probe's own video echoed");
        refused.Dispose();
        await bystanders.AssertUnharmedAsync();
    }
}

public sealed class EchoTurnedOffTests : IClassFixture<EchoOffServerFixture>
{
    private readonly EchoOffServerFixture _server;

    public EchoTurnedOffTests(EchoOffServerFixture server) => _server = server;

    [Fact]
    public async Task With_the_echo_turned_off_an_offer_gets_404_with_a_problem_document()
    {
        using var anonymous = new HttpClient();
        var (response, _, _) = await TransportRawPeer.PostOfferAsync(anonymous, new Uri(_server.BaseAddress, "/api/echo/whip"));
        using (response)
        {
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            Assert.Contains("Mcu:Echo:Enabled", await response.Content.ReadAsStringAsync());
        }
        Assert.Equal(0, _server.Services.GetRequiredService<RtcHost>().Transport.ConnectionCount);
    }
}
