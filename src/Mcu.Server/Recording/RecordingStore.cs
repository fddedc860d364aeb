using System.Collections.Concurrent;
using System.Text.Json;

namespace Mcu.Server.Recording;

/// <summary>
/// Recordings' metadata: one JSON sidecar per recording in the recordings folder, written
/// atomically (temp file, flush, rename), so a crash leaves the old or the new version,
/// never half of one. The sidecar is the truth (another node may have updated it); the
/// memory copy answers when the folder cannot be written (so a failure still has a reason).
/// </summary>
public sealed class RecordingStore
{
    private const string SidecarExtension = ".recording.json";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    private readonly ConcurrentDictionary<string, RecordingInfo> _memory = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    public RecordingStore(string folder) => Folder = Path.GetFullPath(folder);

    public string Folder { get; }

    public static string NewId() => Guid.NewGuid().ToString("N")[..12];

    public RecordingInfo? Get(string id)
    {
        if (!IsValidId(id))
        {
            return null;
        }
        return ReadSidecar(SidecarPath(id)) ?? _memory.GetValueOrDefault(id);
    }

    /// <summary>Every recording known, newest first; <paramref name="room"/> filters.</summary>
    public IReadOnlyList<RecordingInfo> List(string? room = null)
    {
        var all = new Dictionary<string, RecordingInfo>(_memory, StringComparer.Ordinal);
        if (Directory.Exists(Folder))
        {
            foreach (var path in Directory.EnumerateFiles(Folder, "*" + SidecarExtension))
            {
                if (ReadSidecar(path) is { } info)
                {
                    all[info.Id] = info;
                }
            }
        }
        return all.Values.Where(r => room is null || r.Room == room).OrderByDescending(r => r.CreatedAt).ToList();
    }

    /// <summary>Saves a new or changed recording. Throws <see cref="IOException"/> when the sidecar cannot be written (memory is updated anyway).</summary>
    public void Save(RecordingInfo info)
    {
        if (!IsValidId(info.Id))
        {
            throw new ArgumentException($"'{info.Id}' is not a recording id");
        }
        lock (_lock)
        {
            _memory[info.Id] = info;
            Directory.CreateDirectory(Folder);
            string path = SidecarPath(info.Id);
            string temp = path + ".tmp";
            using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
            {
                JsonSerializer.Serialize(stream, info, Json);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, path, overwrite: true);
        }
    }

    /// <summary>Saves, and reports instead of throwing whether the sidecar was written.</summary>
    public bool TrySave(RecordingInfo info, out string? error)
    {
        try
        {
            Save(info);
            error = null;
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            error = e.Message;
            return false;
        }
    }

    /// <summary>Read, change, save under one lock (one process at a time changes a recording).</summary>
    public RecordingInfo? Update(string id, Func<RecordingInfo, RecordingInfo> change) => Update(id, change, out _);

    /// <summary>As <see cref="Update(string, Func{RecordingInfo, RecordingInfo})"/>; <paramref name="error"/> says why the sidecar could not be written.</summary>
    public RecordingInfo? Update(string id, Func<RecordingInfo, RecordingInfo> change, out string? error)
    {
        lock (_lock)
        {
            error = null;
            if (Get(id) is not { } info)
            {
                return null;
            }
            var updated = change(info);
            TrySave(updated, out error);
            return updated;
        }
    }

    public string PathOf(string fileName) => Path.Combine(Folder, fileName);

    /// <summary>
    /// The full path of a recording's file, only when it is a plain file directly in the
    /// recordings folder: a sidecar is data on a shared disk, and one naming "/etc/passwd",
    /// "../x" or a symbolic link out of the folder must not make the server read or write there.
    /// </summary>
    public bool TryPathOf(string? fileName, out string path)
    {
        path = "";
        if (string.IsNullOrEmpty(fileName) || Path.GetFileName(fileName) != fileName || fileName is "." or ".." || fileName.Contains('\0'))
        {
            return false;
        }
        string full = Path.GetFullPath(Path.Combine(Folder, fileName));
        if (!string.Equals(Path.GetDirectoryName(full), Folder.TrimEnd(Path.DirectorySeparatorChar), StringComparison.Ordinal))
        {
            return false;
        }
        try
        {
            if (new FileInfo(full).LinkTarget is not null)
            {
                return false;
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
        path = full;
        return true;
    }

    /// <summary>When this recording's sidecar was last written (progress is written every few seconds while recording).</summary>
    public DateTime? LastWrittenUtc(string id)
    {
        var sidecar = new FileInfo(SidecarPath(id));
        return IsValidId(id) && sidecar.Exists ? sidecar.LastWriteTimeUtc : null;
    }

    /// <summary>A file name for a new attempt of <paramref name="info"/> that no file has: never overwrite.</summary>
    public string NewFileName(RecordingInfo info, out int attempt)
    {
        attempt = info.Attempts;
        string name;
        do
        {
            attempt++;
            name = $"{info.Room}-{info.CreatedAt:yyyyMMdd-HHmmss}-{info.Id}-{attempt}.mp4";
        }
        while (File.Exists(PathOf(name)));
        return name;
    }

    public static bool IsValidId(string id) => id.Length is > 0 and <= 32 && id.All(char.IsAsciiLetterOrDigit);

    private string SidecarPath(string id) => Path.Combine(Folder, id + SidecarExtension);

    private static RecordingInfo? ReadSidecar(string path)
    {
        try
        {
            using var stream = File.OpenRead(path);
            var info = JsonSerializer.Deserialize<RecordingInfo>(stream, Json);
            // A sidecar is data on a shared disk: one whose id is not its own file's (a path, null)
            // would make a later save write elsewhere, so it is not a recording of ours.
            return info is not null && info.Id is not null && IsValidId(info.Id) && Path.GetFileName(path) == info.Id + SidecarExtension
                && info.Room is not null && info.Layout is not null
                ? info
                : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException)
        {
            return null;
        }
    }
}
