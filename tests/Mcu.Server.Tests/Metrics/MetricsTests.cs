using System.Globalization;
using Mcu.Testing;

namespace Mcu.Server.Tests.Metrics;

/// <summary>/metrics is Prometheus text that parses, and its numbers move when media flows.</summary>
public sealed class MetricsTests : IClassFixture<ServerFixture>
{
    private readonly ServerFixture _server;

    public MetricsTests(ServerFixture server) => _server = server;

    [Fact]
    public async Task Metrics_parse_and_count_rooms_participants_encoders_and_frames()
    {
        using var admin = _server.CreateAdminClient();
        var before = await ScrapeAsync();
        Assert.Equal(0, Sum(before, "mcu_rooms"));

        await using var bot = await ParticipantBot.JoinAsync(admin, new Uri(_server.BaseAddress, "/api/rooms/m-room/whip?name=max"),
            new BotOptions { Name = "max", BearerToken = ServerFixture.AdminKey, UplinkLoss = 0.05 });
        var after = await Eventually.Get(ScrapeAsync, m => Sum(m, "mcu_video_frames_encoded") > Sum(before, "mcu_video_frames_encoded") + 10,
            TimeSpan.FromSeconds(20), "encoded frames counted");
        Assert.Equal(1, Sum(after, "mcu_rooms"));
        Assert.Equal(1, Sum(after, "mcu_participants"));
        Assert.Equal(1, after["mcu_video_encoders"]);
        Assert.Equal(1, after["mcu_video_encoders_by_tier{tier=\"medium\"}"]);
        Assert.Equal(0, after["mcu_video_encoders_by_tier{tier=\"high\"}"]);
        Assert.Contains(after.Keys, k => k.StartsWith("mcu_video_encode_ms") && k.Contains("_bucket"));
        Assert.True(Sum(after, "mcu_video_encode_ms", "_count") > 0);
        Assert.True(Sum(after, "mcu_video_decode_ms", "_count") > 0);
        Assert.True(Sum(after, "mcu_video_composite_ms", "_count") > 0);
        // The conference's counters come through the meter adapter prefixed with the meter name;
        // the bot drops 5 % of what it sends, so the server NACKs.
        await Eventually.Get(ScrapeAsync, m => Sum(m, "mcu_nacks_sent") > 0, TimeSpan.FromSeconds(10), "NACKs counted");
    }

    /// <summary>Every sample line: "name{labels} value"; comments are "# HELP" / "# TYPE". Throws on anything else.</summary>
    private async Task<Dictionary<string, double>> ScrapeAsync()
    {
        using var http = _server.CreateClient();
        string text = await http.GetStringAsync("/metrics");
        var samples = new Dictionary<string, double>();
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            if (line.StartsWith('#'))
            {
                Assert.True(line.StartsWith("# HELP ") || line.StartsWith("# TYPE ") || line.StartsWith("# EOF"), line);
                continue;
            }
            int space = line.LastIndexOf(' ');
            Assert.True(space > 0, line);
            Assert.True(double.TryParse(line[(space + 1)..], NumberStyles.Float, CultureInfo.InvariantCulture, out double value)
                        || line.EndsWith("+Inf") || line.EndsWith("NaN"), line);
            samples[line[..space]] = value;
        }
        return samples;
    }

    private static double Sum(Dictionary<string, double> samples, string metric, string suffix = "") =>
        samples.Where(s => Name(s.Key).StartsWith(metric) && Name(s.Key).EndsWith(suffix)
                           && !Name(s.Key).EndsWith("_bucket") && (suffix.Length > 0 || !Name(s.Key).EndsWith("_count") && !Name(s.Key).EndsWith("_sum")))
            .Sum(s => s.Value);

    private static string Name(string key) => key.Split('{')[0];
}
