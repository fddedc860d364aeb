using System.Text.RegularExpressions;

namespace Mcu.Server.Streaming;

/// <summary>The files of a room's HLS folder that are served, and nothing else.</summary>
public static partial class HlsFiles
{
    public const string Playlist = "index.m3u8";

    /// <summary>True for the playlist, the init segment and media segments as the muxer names them.</summary>
    public static bool IsServed(string name) => name == Playlist || ServedName().IsMatch(name);

    public static string ContentType(string name) =>
        name.EndsWith(".m3u8", StringComparison.Ordinal) ? "application/vnd.apple.mpegurl" : "video/mp4";

    [GeneratedRegex(@"^(init\.mp4|segment[0-9]{5,9}\.m4s)$")]
    private static partial Regex ServedName();
}
