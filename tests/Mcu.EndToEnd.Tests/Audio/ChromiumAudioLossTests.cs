using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Xunit.Abstractions;

namespace Mcu.EndToEnd.Tests.Audio;

/// <summary>The server announcing the address of a lossy proxy in front of it (127.0.0.2, its own port number).</summary>
public sealed class LossyServerFixture : ServerFixture
{
    public LossyServerFixture()
    {
        Port = LossyUdpProxy.FreePort();
    }

    public int Port { get; }

    public LossyUdpProxy? Proxy { get; private set; }

    protected override string[] Settings => [$"--Mcu:UdpPort={Port}", "--Mcu:TcpPort=0", "--Mcu:PublicIp=127.0.0.2"];

    public LossyUdpProxy StartProxy() =>
        Proxy ??= new LossyUdpProxy(new IPEndPoint(IPAddress.Parse("127.0.0.2"), Port), new IPEndPoint(IPAddress.Loopback, Port));
}

/// <summary>
/// The measurement: three Chromium participants behind a UDP proxy that drops 10 % of media
/// packets both ways, their audio concealment (<c>concealedSamples / totalSamplesReceived</c> in
/// getStats()) with RED + FEC (the room's default) and with <c>lossRecovery</c> off.
/// </summary>
public sealed class ChromiumAudioLossTests(LossyServerFixture server, BrowserFixture browser, ITestOutputHelper output)
    : IClassFixture<LossyServerFixture>, IClassFixture<BrowserFixture>
{
    private static readonly ProbePerson[] People =
    [
        new("red", [220, 40, 40], 500),
        new("green", [40, 200, 40], 900),
        new("blue", [40, 40, 220], 1300),
    ];

    [Fact]
    public async Task Behind_10_percent_loss_both_ways_browsers_conceal_at_most_2_percent_of_their_audio()
    {
        var proxy = server.StartProxy();
        double on = await ConcealedPercentAsync("chrome-loss-on", lossRecovery: true, proxy);
        double off = await ConcealedPercentAsync("chrome-loss-off", lossRecovery: false, proxy);
        output.WriteLine($"3 Chromium behind 10 % RTP loss both ways: concealed {on:F2} % of received audio samples with RED + FEC, {off:F2} % with lossRecovery off ({proxy.RtpDropped} of {proxy.RtpDropped + proxy.RtpRelayed} RTP packets dropped)");
        Assert.True(on <= 2, $"{on:F2} % concealed with RED + FEC");
    }

    private async Task<double> ConcealedPercentAsync(string room, bool lossRecovery, LossyUdpProxy proxy)
    {
        using var http = server.CreateClient();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ServerFixture.AdminKey);
        using (var created = await http.PostAsJsonAsync("/api/rooms", new { name = room, lossRecovery }))
        {
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }
        proxy.Loss = 0;
        var pages = new List<IProbePage>();
        try
        {
            foreach (var person in People)
            {
                var page = await ChromiumPage.OpenAsync(browser.Browser, person.Url(server.BaseAddress, room, ServerFixture.AdminKey));
                pages.Add(page);
                await ProbePerson.ConnectAsync(page, person.Name);
            }
            await Task.Delay(3000);
            proxy.Loss = 0.1;
            await Task.Delay(2000);
            var before = await Task.WhenAll(pages.Select(AudioAsync));
            await Task.Delay(10_000);
            var after = await Task.WhenAll(pages.Select(AudioAsync));
            proxy.Loss = 0;
            double concealed = 0, total = 0;
            for (int i = 0; i < pages.Count; i++)
            {
                concealed += after[i].Concealed - before[i].Concealed;
                total += after[i].Total - before[i].Total;
                output.WriteLine($"{room} {People[i].Name}: concealed {after[i].Concealed - before[i].Concealed} of {after[i].Total - before[i].Total} samples, lost {after[i].Lost - before[i].Lost} packets");
            }
            Assert.True(total > 3 * 48_000 * 8, $"{total} samples received in 10 s by three browsers");
            return 100 * concealed / total;
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

    private static async Task<(double Concealed, double Total, double Lost)> AudioAsync(IProbePage page)
    {
        var stats = await page.EvaluateAsync<JsonElement>("() => window.mcuEcho.inboundStats()");
        var audio = stats.GetProperty("audio");
        return (audio.GetProperty("concealedSamples").GetDouble(), audio.GetProperty("totalSamplesReceived").GetDouble(), audio.GetProperty("packetsLost").GetDouble());
    }
}
