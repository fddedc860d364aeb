using System.Text.Json;
using Mcu.Bench;

namespace Mcu.Server.Tests.Bench;

/// <summary>The room bench's <c>--json</c> line, reading it back, <c>--compare</c>'s verdicts and the options.</summary>
public sealed class BenchFiguresTests
{
    private static readonly BenchFigures Baseline = new(
        Participants: 40, Talkers: 4, Seconds: 20.01, MinFps: 29.4, MeanFps: 29.9, ServerCpuPercent: 104.5,
        AudioTicks: 1000, AudioLateTicks: 12, VideoTicks: 600, VideoLateTicks: 3,
        LatencyP50Ms: 14, LatencyP95Ms: 30, ServerThreads: 50);

    [Fact]
    public void Json_line_is_one_line_of_the_issue_figures_in_camel_case_as_numbers()
    {
        string line = Baseline.ToJsonLine();

        Assert.DoesNotContain('\n', line);
        using var json = JsonDocument.Parse(line);
        Assert.Equal(
            ["participants", "talkers", "seconds", "minFps", "meanFps", "serverCpuPercent", "audioTicks", "audioLateTicks",
             "videoTicks", "videoLateTicks", "latencyP50Ms", "latencyP95Ms", "serverThreads"],
            json.RootElement.EnumerateObject().Select(p => p.Name));
        Assert.All(json.RootElement.EnumerateObject(), p => Assert.Equal(JsonValueKind.Number, p.Value.ValueKind));
        Assert.Equal(29.9, json.RootElement.GetProperty("meanFps").GetDouble());
        Assert.Equal(50, json.RootElement.GetProperty("serverThreads").GetInt32());
    }

    [Fact]
    public void Json_line_reads_back_to_the_same_figures_and_a_missing_latency_is_null()
    {
        Assert.Equal(Baseline, BenchFigures.FromJson(Baseline.ToJsonLine()));

        var noLatency = Baseline with { LatencyP50Ms = null, LatencyP95Ms = null };
        string line = noLatency.ToJsonLine();
        Assert.Contains("\"latencyP95Ms\":null", line);
        Assert.Equal(noLatency, BenchFigures.FromJson(line));
    }

    [Theory]
    [InlineData("""{"participants":40,"talkers":4}""")] // figures missing: not compared against zero
    [InlineData("""{"participants":40,"talkers":4,"seconds":20,"minFps":29,"meanFps":"29.9","serverCpuPercent":100,"audioTicks":1000,"audioLateTicks":0,"videoTicks":600,"videoLateTicks":0,"latencyP50Ms":14,"latencyP95Ms":30,"serverThreads":50}""")]
    [InlineData("participants: 40")]
    public void A_baseline_that_is_not_a_bench_line_is_refused(string text)
    {
        Assert.ThrowsAny<JsonException>(() => BenchFigures.FromJson(text));
    }

    [Fact]
    public void Figures_within_every_tolerance_do_not_regress()
    {
        Assert.Empty(BenchComparison.Regressions(Baseline, Baseline));
        var slightlyWorse = Baseline with { MeanFps = 29.9 * 0.91, LatencyP95Ms = 44, ServerThreads = 60 };
        Assert.Empty(BenchComparison.Regressions(slightlyWorse, Baseline));
        var better = Baseline with { MeanFps = 30, LatencyP95Ms = 10, ServerThreads = 20 };
        Assert.Empty(BenchComparison.Regressions(better, Baseline));
    }

    [Theory]
    [InlineData(29.9 * 0.89, 30L, 50, "meanFps")]
    [InlineData(29.9, 46L, 50, "latencyP95Ms")]
    [InlineData(29.9, null, 50, "latencyP95Ms")]
    [InlineData(29.9, 30L, 61, "serverThreads")]
    public void A_figure_past_its_tolerance_is_named(double meanFps, long? latencyP95Ms, int serverThreads, string figure)
    {
        var run = Baseline with { MeanFps = meanFps, LatencyP95Ms = latencyP95Ms, ServerThreads = serverThreads };

        string regression = Assert.Single(BenchComparison.Regressions(run, Baseline));
        Assert.StartsWith(figure, regression);
    }

    [Fact]
    public void Every_regressed_figure_is_named_once()
    {
        var run = Baseline with { MeanFps = 20, LatencyP95Ms = 90, ServerThreads = 140 };

        var regressions = BenchComparison.Regressions(run, Baseline);
        Assert.Equal(3, regressions.Count);
        Assert.Contains(regressions, r => r.StartsWith("meanFps fell 33 %", StringComparison.Ordinal));
        Assert.Contains(regressions, r => r.StartsWith("latencyP95Ms grew 200 %", StringComparison.Ordinal));
        Assert.Contains(regressions, r => r.StartsWith("serverThreads grew 180 %", StringComparison.Ordinal));
    }

    [Fact]
    public void A_run_of_another_room_size_is_not_compared()
    {
        var regression = Assert.Single(BenchComparison.Regressions(Baseline with { Participants = 8, MeanFps = 10 }, Baseline));
        Assert.StartsWith("not comparable", regression);
        Assert.StartsWith("not comparable", Assert.Single(BenchComparison.Regressions(Baseline with { Talkers = 40 }, Baseline)));
    }

    [Fact]
    public void Options_parse_json_compare_and_find_max_with_talkers()
    {
        var options = BenchOptions.Parse(["--find-max", "--talkers", "4", "--participants", "10", "--json", "--compare", "base.json"]);

        Assert.True(options.FindMax);
        Assert.True(options.Json);
        Assert.Equal("base.json", options.CompareFile);
        Assert.Equal(10, options.Participants);
        Assert.Equal(4, options.TalkersIn(10));
        Assert.Equal(4, options.TalkersIn(60)); // --find-max keeps the talkers as N grows
        Assert.Equal(2, options.TalkersIn(2));
        Assert.Equal(12, BenchOptions.Parse([]).TalkersIn(12)); // default: everyone talks
        Assert.False(BenchOptions.Parse([]).Json);
    }

    [Theory]
    [InlineData("--frobnicate")]
    [InlineData("--talkers")]
    [InlineData("--participants", "0")]
    [InlineData("--seconds", "five")]
    [InlineData("--compare")]
    public void Bad_options_are_refused(params string[] args)
    {
        Assert.Throws<ArgumentException>(() => BenchOptions.Parse(args));
    }

    [Fact]
    public void A_run_holds_only_with_every_figure_of_the_big_rooms_issue_within_bounds()
    {
        Assert.True(Baseline.Holds);
        Assert.False((Baseline with { MinFps = 24.9 }).Holds);
        Assert.False((Baseline with { AudioTicks = 900 }).Holds);              // 45 ticks a second over 20 s
        Assert.False((Baseline with { AudioLateTicks = 21 }).Holds);           // more than 2 % late
        Assert.False((Baseline with { LatencyP95Ms = 41 }).Holds);
        Assert.False((Baseline with { ServerThreads = 80 }).Holds);
        Assert.True((Baseline with { LatencyP95Ms = null }).Holds);
    }

    [Fact]
    public void Baseline_is_an_option_of_its_own()
    {
        Assert.True(BenchOptions.Parse(["--participants", "40", "--baseline"]).Baseline);
        Assert.False(BenchOptions.Parse(["--participants", "40"]).Baseline);
    }
}
