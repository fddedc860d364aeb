namespace Mcu.Server.Recording;

/// <summary>Where recordings go and which Hangfire queues this node's jobs use.</summary>
public sealed record RecordingSettings
{
    /// <summary>Queue every node serves: post-processing (needs only the recordings folder).</summary>
    public const string SharedQueue = "recordings-post";

    public required string Folder { get; init; }

    /// <summary>This node's name (Mcu:NodeName; default "local" with in-memory storage, the host name with shared storage).</summary>
    public required string Node { get; init; }

    /// <summary>Where <see cref="Node"/> came from, for the start-up log.</summary>
    public string NodeSource { get; init; } = "Mcu:NodeName";

    /// <summary>The queue only this node serves: recording jobs, which need the room that lives here.</summary>
    public required string NodeQueue { get; init; }

    public string PostProcessQueue => SharedQueue;

    public string Ffmpeg { get; init; } = "ffmpeg";

    public string Ffprobe { get; init; } = "ffprobe";

    /// <summary>True with PostgreSQL job storage (several nodes), false in memory.</summary>
    public bool SharedStorage { get; init; }

    /// <summary>Recordings queued or running on this node at once (Mcu:Limits:MaxRecordings).</summary>
    public int MaxRecordings { get; init; } = 10;

    /// <summary>Hangfire workers for the shared post-processing queue.</summary>
    public int PostProcessWorkers { get; init; } = 2;

    /// <summary>From SIGTERM, how long recordings have to close their files and post-process before the process exits.</summary>
    public TimeSpan ShutdownBudget { get; init; } = TimeSpan.FromSeconds(6);

    /// <summary>A node without a Hangfire heartbeat for this long is gone (shared storage).</summary>
    public TimeSpan NodeTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>How often to look for recordings of nodes that are gone (shared storage).</summary>
    public TimeSpan RecoveryInterval { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>A Hangfire queue name (lowercase letters, digits, '-' and '_') for a node.</summary>
    public static string QueueFor(string node)
    {
        var chars = node.ToLowerInvariant().Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' ? c : '_').ToArray();
        return "node-" + new string(chars);
    }
}
