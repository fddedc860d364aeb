using System.Text.Json;
using System.Text.Json.Serialization;

namespace Mcu.Bench;

/// <summary>
/// What one bench run measured, over its measuring window (after joins and warm-up); <c>--json</c>
/// prints it as one line, which <c>--compare</c> reads back.
/// </summary>
/// <param name="Participants">Bots in the room.</param>
/// <param name="Talkers">Bots sending a tone; the others send silence.</param>
/// <param name="Seconds">Length of the measuring window, measured.</param>
/// <param name="MinFps">Lowest video frame rate a bot received.</param>
/// <param name="MeanFps">Mean of the bots' received frame rates.</param>
/// <param name="ServerCpuPercent">The server process's CPU time over the window, in % of one core.</param>
/// <param name="AudioTicks">Audio clock ticks (20 ms each) in the window, from the room's stats.</param>
/// <param name="AudioLateTicks">Of those, ticks that began more than half a period late.</param>
/// <param name="VideoTicks">Video clock ticks in the window.</param>
/// <param name="VideoLateTicks">Of those, late ones.</param>
/// <param name="LatencyP50Ms">Server-added latency, median of the room's latest samples; null when there are none.</param>
/// <param name="LatencyP95Ms">Its 95th percentile.</param>
/// <param name="ServerThreads">Most threads the server process had at once, sampled through the window.</param>
public sealed record BenchFigures(
    int Participants,
    int Talkers,
    double Seconds,
    double MinFps,
    double MeanFps,
    double ServerCpuPercent,
    long AudioTicks,
    long AudioLateTicks,
    long VideoTicks,
    long VideoLateTicks,
    long? LatencyP50Ms,
    long? LatencyP95Ms,
    int ServerThreads)
{
    /// <summary>The frame rate every participant must receive for a run to hold.</summary>
    public const double RequiredFps = 25;

    // camelCase, numbers as numbers, every figure required when read back: a baseline missing one
    // is refused rather than compared against zero.
    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        RespectRequiredConstructorParameters = true,
    };

    /// <summary>The most audio ticks that may start late: 2 %.</summary>
    public const double MaxLateShare = 0.02;

    /// <summary>Audio ticks a second the clock must keep (50 nominal).</summary>
    public const double MinAudioTicksPerSecond = 48;

    public const long MaxLatencyP95Ms = 40;

    public const int MaxThreads = 80;

    /// <summary>
    /// Whether the room held: every bot at <see cref="RequiredFps"/>, the audio clock on time, the
    /// server-added latency and the thread count within bounds. What a single run's exit code and
    /// <c>--find-max</c> judge.
    /// </summary>
    [JsonIgnore]
    public bool Holds => MinFps >= RequiredFps
                         && AudioTicks >= MinAudioTicksPerSecond * Seconds
                         && AudioLateTicks <= MaxLateShare * AudioTicks
                         && (LatencyP95Ms ?? 0) <= MaxLatencyP95Ms
                         && ServerThreads < MaxThreads;

    public string ToJsonLine() => JsonSerializer.Serialize(this, JsonOptions);

    /// <summary>Reads a line <see cref="ToJsonLine"/> wrote; throws <see cref="JsonException"/> when it is not one.</summary>
    public static BenchFigures FromJson(string json) =>
        JsonSerializer.Deserialize<BenchFigures>(json, JsonOptions) ?? throw new JsonException("the baseline is null");
}
