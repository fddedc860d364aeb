namespace Mcu.Server.Streaming;

/// <summary>Mcu:Streaming:… settings.</summary>
public sealed class StreamingOptions
{
    public const string Section = "Mcu:Streaming";

    /// <summary>Where HLS segments go, a folder per room (created on demand, emptied when the room's HLS starts and stops).</summary>
    public string HlsPath { get; set; } = "hls";

    /// <summary>Segments kept in the HLS playlist (2 s each); older ones are deleted.</summary>
    public int HlsListSize { get; set; } = 6;

    /// <summary>How long a stream whose endpoint went away keeps trying to reconnect before it fails.</summary>
    public double ReconnectSeconds { get; set; } = 60;

    /// <summary>How long one connect or send may block before the connection counts as lost.</summary>
    public double IoTimeoutSeconds { get; set; } = 5;

    /// <summary>Streams (pushes and HLS) running on this node at once; more get 503.</summary>
    public int MaxStreams { get; set; } = 10;
}

/// <summary>The resolved settings and this node's Hangfire queue for stream jobs.</summary>
public sealed record StreamSettings
{
    public required string HlsFolder { get; init; }
    public required string Queue { get; init; }
    public int HlsListSize { get; init; } = 6;
    public TimeSpan ReconnectWindow { get; init; } = TimeSpan.FromSeconds(60);
    public TimeSpan IoTimeout { get; init; } = TimeSpan.FromSeconds(5);
    public int MaxStreams { get; init; } = 10;

    /// <summary>The HLS folder of <paramref name="room"/> (room names are checked when rooms are made; the name is still hashed into a safe one).</summary>
    public string HlsFolderOf(string room)
    {
        var safe = new string(room.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' ? c : '_').ToArray());
        string hash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(room)))[..8];
        return Path.Combine(HlsFolder, $"{safe}-{hash}");
    }
}
