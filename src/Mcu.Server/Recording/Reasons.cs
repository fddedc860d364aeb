using System.Text.RegularExpressions;

namespace Mcu.Server.Recording;

/// <summary>
/// A recording's reason is shown to API callers: it says what happened, not where the server
/// keeps its files. Error texts from .NET and FFmpeg carry absolute paths; each is cut to its
/// file name (the log keeps the full text for the operator).
/// </summary>
public static partial class Reasons
{
    /// <summary><paramref name="reason"/> with every absolute path replaced by its last part.</summary>
    public static string? WithoutPaths(string? reason) =>
        reason is null ? null : AbsolutePath().Replace(reason, match => match.Groups["name"].Value);

    // "/a/b/c" (two parts or more) not inside a word or a URL: "N/A" and "http://x/y" stay as they are.
    [GeneratedRegex(@"(?<![\w.~:/-])/(?:[^\s'""/:,;()\[\]]+/)+(?<name>[^\s'""/:,;()\[\]]*)")]
    private static partial Regex AbsolutePath();
}
