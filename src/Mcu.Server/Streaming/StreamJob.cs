using Hangfire;
using Mcu.Conference.Mixing;
using Mcu.Conference.Rooms;
using Mcu.Conference.Streaming;
using Mcu.Media.Streaming;

namespace Mcu.Server.Streaming;

/// <summary>
/// The Hangfire job that runs one live stream, like a recording's: on this node's stream queue,
/// it attaches a <see cref="LiveStreamSink"/> to the room and waits until the stream is stopped,
/// fails (its endpoint stayed away past the reconnect window), the room closes or the server
/// stops. Progress (bytes, bitrate, reconnects, drops) goes to the registry every second. It never
/// throws back to Hangfire: every ending is a state with a reason.
/// </summary>
public sealed class StreamJob(StreamRegistry registry, RoomDirectory rooms, StreamSettings settings, ILogger<StreamJob> logger)
{
    internal static readonly TimeSpan ProgressInterval = TimeSpan.FromSeconds(1);

    [AutomaticRetry(Attempts = 0)]
    [JobDisplayName("Stream {0}")]
    public async Task RunAsync(string id, CancellationToken shutdown)
    {
        var info = registry.Get(id);
        string? url = registry.UrlOf(id);
        if (info is null || url is null || info.State != StreamState.Starting || registry.StopTokenOf(id).IsCancellationRequested)
        {
            Log.Skipped(logger, id, info is null ? "no such stream" : $"it is {info.State} or stopped");
            End(id, null, StreamState.Stopped, "stopped before it started");
            return;
        }
        if (!rooms.TryGet(info.Room, out var room) || room.IsClosed)
        {
            End(id, null, StreamState.Failed, $"room '{info.Room}' is not open on this node");
            return;
        }
        LiveStreamTarget target;
        try
        {
            target = TargetOf(info, url);
        }
        catch (IOException e)
        {
            End(id, room, StreamState.Failed, e.Message);
            return;
        }
        var tier = info.Width >= OutputTier.High.Width ? OutputTier.High : OutputTier.Medium;
        using var sink = new LiveStreamSink(target, tier, new LiveStreamOptions
        {
            IoTimeout = settings.IoTimeout,
            // HLS writes local files: a write that fails (disk full) will not get better by waiting.
            ReconnectWindow = info.Kind == StreamKind.Hls ? TimeSpan.Zero : settings.ReconnectWindow,
        });
        sink.StateChanged += (_, state, reason) => OnStateChanged(info, room, state, reason);

        using var roomClosed = new CancellationTokenSource();
        void OnRoomEvent(RoomEvent e)
        {
            if (e.Type == RoomEventType.RoomClosed)
            {
                roomClosed.Cancel();
            }
        }
        room.Changed += OnRoomEvent;
        registry.Update(id, i => i with { StartedAt = DateTimeOffset.UtcNow });
        registry.Attach(id, sink);
        room.AddRecorder(sink);
        sink.Start();
        string? ending = null;
        try
        {
            using var anyEnd = CancellationTokenSource.CreateLinkedTokenSource(registry.StopTokenOf(id), roomClosed.Token, shutdown);
            while (!anyEnd.IsCancellationRequested && !sink.Ended.IsCompleted && !room.IsClosed)
            {
                try
                {
                    await Task.WhenAny(Task.Delay(ProgressInterval, anyEnd.Token), sink.Ended);
                }
                catch (OperationCanceledException)
                {
                }
                Progress(id, sink);
            }
            ending = room.IsClosed || roomClosed.IsCancellationRequested ? "room closed"
                : registry.ShuttingDown || shutdown.IsCancellationRequested ? "server shutting down"
                : null;
        }
        finally
        {
            room.RemoveRecorder(sink);
            room.Changed -= OnRoomEvent;
        }
        string? failure = await sink.StopAsync();
        Progress(id, sink);
        if (failure is null)
        {
            End(id, room, StreamState.Stopped, ending);
        }
        else
        {
            End(id, room, StreamState.Failed, failure);
        }
        registry.Attach(id, null);
        if (info.Kind == StreamKind.Hls)
        {
            ClearHlsFolder(id, info.Room);
        }
    }

    private LiveStreamTarget TargetOf(StreamInfo info, string url)
    {
        if (info.Kind != StreamKind.Hls)
        {
            return new LiveStreamTarget(info.Kind == StreamKind.Srt ? StreamFormat.MpegTs : StreamFormat.Flv, url, null, info.Target);
        }
        string folder = settings.HlsFolderOf(info.Room);
        ClearHlsFolder(info.Id, info.Room);
        try
        {
            Directory.CreateDirectory(folder);
        }
        catch (Exception e) when (e is UnauthorizedAccessException)
        {
            throw new IOException($"cannot create the HLS folder: {e.Message}", e);
        }
        // fMP4 segments of 2 s (the keyframe interval), a sliding window whose old segments are
        // deleted, and the playlist replaced atomically so a reader never sees half of one.
        string options = string.Join(':',
            "hls_time=2",
            $"hls_list_size={settings.HlsListSize}",
            "hls_segment_type=fmp4",
            "hls_fmp4_init_filename=init.mp4",
            "hls_flags=delete_segments+independent_segments+temp_file",
            $"hls_segment_filename={Path.Combine(folder, "segment%05d.m4s")}");
        return new LiveStreamTarget(StreamFormat.Hls, Path.Combine(folder, HlsFiles.Playlist), options, info.Target);
    }

    private void ClearHlsFolder(string id, string room)
    {
        string folder = settings.HlsFolderOf(room);
        try
        {
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Log.HlsFolderNotCleared(logger, id, e.Message);
        }
    }

    private void OnStateChanged(StreamInfo info, Room room, LiveStreamState state, string? reason)
    {
        var updated = registry.Update(info.Id, i => i.IsOver ? i : i with { State = StreamInfo.StateOf(state), Reason = reason });
        Log.StateChanged(logger, info.Id, info.Room, info.Target, state.ToString().ToLowerInvariant(), reason);
        if (state == LiveStreamState.Live)
        {
            room.ReportStream(RoomEventType.StreamStarted, info.Id, updated?.Reconnects > 0 ? "live again" : "live");
        }
    }

    private void Progress(string id, LiveStreamSink sink)
    {
        // HLS writes files, not a connection: its bytes are those of the segments in the window now.
        long bytes = registry.Get(id) is { Kind: StreamKind.Hls } hls ? HlsBytes(hls.Room) : sink.BytesSent;
        registry.Update(id, i => i with
        {
            BytesSent = bytes,
            BitrateKbps = sink.BitsPerSecond / 1000,
            Reconnects = sink.Reconnects,
            Dropped = sink.Dropped,
        });
    }

    private long HlsBytes(string room)
    {
        try
        {
            var folder = new DirectoryInfo(settings.HlsFolderOf(room));
            return folder.Exists ? folder.EnumerateFiles().Sum(f => f.Length) : 0;
        }
        catch (IOException)
        {
            return 0; // a segment deleted while we looked
        }
    }

    private void End(string id, Room? room, StreamState state, string? reason)
    {
        var info = registry.Update(id, i => i.IsOver ? i : i with { State = state, Reason = reason, EndedAt = DateTimeOffset.UtcNow });
        if (info is null)
        {
            return;
        }
        Log.StateChanged(logger, id, info.Room, info.Target, state.ToString().ToLowerInvariant(), reason);
        room?.ReportStream(state == StreamState.Failed ? RoomEventType.StreamFailed : RoomEventType.StreamStopped, id, reason);
    }
}
