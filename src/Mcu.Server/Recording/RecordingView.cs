namespace Mcu.Server.Recording;

/// <summary>
/// A recording as the API shows it: what a caller of the room may know. Not the node, the
/// Hangfire queue or job ids (internal), and no server path: the file and thumbnail by name,
/// the reason with paths cut to file names.
/// </summary>
public sealed record RecordingView(
    string Id,
    string Room,
    string Layout,
    int Width,
    int Height,
    RecordingState State,
    string? Reason,
    DateTimeOffset CreatedAt,
    DateTimeOffset? StartedAt,
    DateTimeOffset? EndedAt,
    double DurationSeconds,
    long SizeBytes,
    string? File,
    string? Thumbnail,
    bool Finalized,
    long Dropped,
    int Attempts)
{
    public static RecordingView From(RecordingInfo info) => new(
        info.Id, info.Room, info.Layout, info.Width, info.Height, info.State, Reasons.WithoutPaths(info.Reason),
        info.CreatedAt, info.StartedAt, info.EndedAt, info.DurationSeconds, info.SizeBytes,
        NameOnly(info.File), NameOnly(info.Thumbnail), info.Finalized, info.Dropped, info.Attempts);

    private static string? NameOnly(string? file) => file is null ? null : Path.GetFileName(file);
}
