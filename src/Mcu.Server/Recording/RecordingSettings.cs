namespace Mcu.Server.Recording;

/// <summary>Where recordings go and which Hangfire queues this node's jobs use.</summary>
public sealed record RecordingSettings
{
    /// <summary>Queue every node serves: post-processing (needs only the recordings folder).</summary>
    public const string SharedQueue = "recordings-post";

    public required string Folder { get; init; }

    /// <summary>This node's name (Mcu:NodeName, default the host name).</summary>
    public required string Node { get; init; }

    /// <summary>The queue only this node serves: recording jobs, which need the room that lives here.</summary>
    public required string NodeQueue { get; init; }

    public string PostProcessQueue => SharedQueue;

    public string Ffmpeg { get; init; } = "ffmpeg";

    public string Ffprobe { get; init; } = "ffprobe";

    /// <summary>True with PostgreSQL job storage (several nodes), false in memory.</summary>
    public bool SharedStorage { get; init; }

    /// <summary>A Hangfire queue name (lowercase letters, digits, '-' and '_') for a node.</summary>
    public static string QueueFor(string node)
    {
        var chars = node.ToLowerInvariant().Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' ? c : '_').ToArray();
        return "node-" + new string(chars);
    }
}
