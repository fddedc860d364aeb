using System.Text.Json;
using System.Text.Json.Serialization;

namespace Mcu.Server.Recording;

[JsonConverter(typeof(RecordingStateJsonConverter))]
public enum RecordingState
{
    /// <summary>The job is waiting for a worker.</summary>
    Queued,

    /// <summary>The job is writing the file.</summary>
    Recording,

    /// <summary>The file is closed; post-processing (faststart copy, thumbnail, metadata) runs.</summary>
    Finalizing,

    Done,

    /// <summary>Could not start or could not go on; see the reason.</summary>
    Failed,

    /// <summary>The server died while recording: the file is playable up to its last fragment.</summary>
    Interrupted,
}

/// <summary>
/// One recording's metadata, kept as a JSON sidecar beside its file so the state survives
/// restarts without the job storage. Immutable: the store replaces it whole.
/// </summary>
public sealed record RecordingInfo
{
    public required string Id { get; init; }
    public required string Room { get; init; }
    public required string Layout { get; init; }
    public int Width { get; init; }
    public int Height { get; init; }
    public RecordingState State { get; init; }

    /// <summary>Why it failed or was interrupted, or a post-processing warning.</summary>
    public string? Reason { get; init; }

    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset? StartedAt { get; init; }
    public DateTimeOffset? EndedAt { get; init; }
    public double DurationSeconds { get; init; }
    public long SizeBytes { get; init; }

    /// <summary>The file name (in the recordings folder) of this recording's media.</summary>
    public string? File { get; init; }

    /// <summary>How many times a job started writing; each attempt gets a new file name.</summary>
    public int Attempts { get; init; }

    public string? Thumbnail { get; init; }

    /// <summary>True once the fragmented file was rewritten as a plain faststart MP4.</summary>
    public bool Finalized { get; init; }

    /// <summary>Media items dropped because the disk fell behind.</summary>
    public long Dropped { get; init; }

    public bool StopRequested { get; init; }

    /// <summary>The node (and its Hangfire queue) that records it.</summary>
    public string? Node { get; init; }
    public string? Queue { get; init; }
    public string? JobId { get; init; }
    public string? PostProcessJobId { get; init; }

    [JsonIgnore]
    public bool IsEnded => State is RecordingState.Done or RecordingState.Failed or RecordingState.Interrupted;
}

/// <summary>States as lowercase words in the API and the sidecars: "queued", "recording"...</summary>
public sealed class RecordingStateJsonConverter() : JsonStringEnumConverter<RecordingState>(JsonNamingPolicy.CamelCase);
