using System.Text.Json;
using System.Text.Json.Serialization;
using Mcu.Conference.Streaming;

namespace Mcu.Server.Streaming;

[JsonConverter(typeof(StreamKindJsonConverter))]
public enum StreamKind
{
    /// <summary>Pushed to an RTMP or RTMPS server (FLV).</summary>
    Rtmp,

    /// <summary>Pushed to an SRT listener (MPEG-TS).</summary>
    Srt,

    /// <summary>fMP4 HLS served by this server at /api/rooms/{room}/hls/index.m3u8.</summary>
    Hls,
}

[JsonConverter(typeof(StreamStateJsonConverter))]
public enum StreamState
{
    /// <summary>Queued, or connecting for the first time (and trying again while the endpoint is not up).</summary>
    Starting,
    Live,

    /// <summary>The connection was lost; trying again with backoff until Mcu:Streaming:ReconnectSeconds.</summary>
    Reconnecting,
    Stopped,
    Failed,
}

/// <summary>One live stream of a room. Immutable: the store replaces it whole.</summary>
public sealed record StreamInfo
{
    public required string Id { get; init; }
    public required string Room { get; init; }
    public required StreamKind Kind { get; init; }

    /// <summary>The URL without its path and query (the stream key is a secret); for HLS the playlist's URL on this server.</summary>
    public required string Target { get; init; }
    public required string Layout { get; init; }
    public int Width { get; init; }
    public int Height { get; init; }
    public StreamState State { get; init; }
    public string? Reason { get; init; }
    public long BytesSent { get; init; }
    public long BitrateKbps { get; init; }
    public int Reconnects { get; init; }
    public long Dropped { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset? StartedAt { get; init; }
    public DateTimeOffset? EndedAt { get; init; }

    public static StreamState StateOf(LiveStreamState state) => state switch
    {
        LiveStreamState.Live => StreamState.Live,
        LiveStreamState.Reconnecting => StreamState.Reconnecting,
        LiveStreamState.Stopped => StreamState.Stopped,
        LiveStreamState.Failed => StreamState.Failed,
        _ => StreamState.Starting,
    };

    public bool IsOver => State is StreamState.Stopped or StreamState.Failed;
}

public sealed class StreamKindJsonConverter() : JsonStringEnumConverter<StreamKind>(JsonNamingPolicy.CamelCase);

public sealed class StreamStateJsonConverter() : JsonStringEnumConverter<StreamState>(JsonNamingPolicy.CamelCase);
