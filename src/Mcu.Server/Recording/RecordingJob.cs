using Hangfire;
using Mcu.Conference.Mixing;
using Mcu.Conference.Recording;
using Mcu.Conference.Rooms;

namespace Mcu.Server.Recording;

/// <summary>
/// The Hangfire job that records one room: it attaches an <see cref="Mp4RoomRecorder"/> and
/// waits until the recording is stopped, the room closes, the disk fails or the server shuts
/// down, then closes the file and queues post-processing. It runs on the queue of the node
/// that hosts the room. It never throws back to Hangfire: every ending is a state with a reason.
/// A second run of the same job (a retry after a crash, a duplicate fetch) records nothing
/// unless the recording is still queued, and then into a new file name. When the server shuts
/// down, the job closes the file and post-processes it itself (the post-processing queue is
/// stopping too) within the shutdown budget; what is not finished then, the next start finishes.
/// </summary>
public sealed class RecordingJob(
    RecordingStore store,
    RecordingSessions sessions,
    RoomDirectory rooms,
    RecordingSettings settings,
    IBackgroundJobClient jobs,
    PostProcessJob postProcess,
    ILogger<RecordingJob> logger)
{
    /// <summary>How often a running job rewrites its sidecar; recovery takes a sidecar unchanged for a few of these as having no writer.</summary>
    internal static readonly TimeSpan ProgressInterval = TimeSpan.FromSeconds(2);

    [AutomaticRetry(Attempts = 0)]
    [JobDisplayName("Record {0}")]
    public async Task RecordAsync(string id, CancellationToken shutdown)
    {
        if (!sessions.TryBegin(id, out var session))
        {
            Log.Skipped(logger, id, "it is already recording in this process");
            return;
        }
        try
        {
            await RecordAsync(id, session, shutdown);
        }
        finally
        {
            sessions.End(id);
        }
    }

    private async Task RecordAsync(string id, RecordingSessions.Session session, CancellationToken shutdown)
    {
        var info = store.Get(id);
        if (info is null || info.State != RecordingState.Queued)
        {
            Log.Skipped(logger, id, info is null ? "no such recording" : $"it is {info.State}");
            return;
        }
        if (sessions.ShuttingDown)
        {
            Log.Skipped(logger, id, "the server is shutting down"); // left queued: the stop settles it
            return;
        }
        if (!rooms.TryGet(info.Room, out var room) || room.IsClosed)
        {
            Fail(info, null, $"room '{info.Room}' is not open on this node");
            return;
        }
        try
        {
            Directory.CreateDirectory(store.Folder);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Fail(info, room, $"cannot create the recordings folder: {e.Message}");
            return;
        }
        string file = store.NewFileName(info, out int attempt);
        var tier = info.Width >= OutputTier.High.Width ? OutputTier.High : OutputTier.Medium;
        Mp4RoomRecorder recorder;
        try
        {
            recorder = new Mp4RoomRecorder(store.PathOf(file), tier);
        }
        catch (IOException e)
        {
            Fail(info with { File = file, Attempts = attempt }, room, e.Message);
            return;
        }
        // Read and write under the store's lock: the API may be adding the job id right now.
        info = store.Update(id, current => current with
        {
            State = RecordingState.Recording,
            File = file,
            Attempts = attempt,
            StartedAt = DateTimeOffset.UtcNow,
            Node = settings.Node,
        }, out string? saveError) ?? info;
        if (saveError is not null)
        {
            await recorder.CompleteAsync();
            Fail(info, room, $"cannot write the recording's metadata: {saveError}");
            return;
        }
        session.Recorder = recorder;

        using var roomClosed = new CancellationTokenSource();
        void OnRoomEvent(RoomEvent e)
        {
            if (e.Type == RoomEventType.RoomClosed)
            {
                roomClosed.Cancel();
            }
        }
        room.Changed += OnRoomEvent;
        room.AddRecorder(recorder);
        room.ReportRecording(RoomEventType.RecordingStarted, id, file);
        Log.Started(logger, id, info.Room, file);
        string? ending = null;
        try
        {
            using var anyEnd = CancellationTokenSource.CreateLinkedTokenSource(session.Stop.Token, roomClosed.Token, shutdown);
            while (!anyEnd.IsCancellationRequested && !recorder.Faulted.IsCompleted && !room.IsClosed)
            {
                await Task.WhenAny(Task.Delay(ProgressInterval, anyEnd.Token), recorder.Faulted);
                // Progress in the sidecar, so an interrupted recording still says how long it got.
                info = store.Update(id, current => current with { DurationSeconds = recorder.Duration.TotalSeconds, SizeBytes = SizeOf(file), Dropped = recorder.Dropped }) ?? info;
            }
            if (roomClosed.IsCancellationRequested || room.IsClosed)
            {
                ending = "room closed";
            }
            else if (sessions.ShuttingDown || shutdown.IsCancellationRequested)
            {
                ending = "server shutting down";
            }
        }
        finally
        {
            room.RemoveRecorder(recorder);
            room.Changed -= OnRoomEvent;
        }
        string? failure = await recorder.CompleteAsync();
        info = (store.Get(id) ?? info) with
        {
            EndedAt = DateTimeOffset.UtcNow,
            DurationSeconds = recorder.Duration.TotalSeconds,
            SizeBytes = SizeOf(file),
            Dropped = recorder.Dropped,
        };
        if (failure is not null)
        {
            Fail(info, room, failure);
            return;
        }
        // Finalizing must be on disk before post-processing can start, or a fast worker finds the
        // recording still "recording", skips it, and it stays "finalizing" for good.
        info = info with { State = RecordingState.Finalizing, Reason = ending };
        store.TrySave(info, out _);
        room.ReportRecording(RoomEventType.RecordingStopped, id, ending);
        Log.Stopped(logger, id, info.DurationSeconds, info.Dropped);
        if (sessions.ShuttingDown)
        {
            // The post-processing workers are stopping too: finish here, within the shutdown budget.
            await postProcess.RunAsync(id);
            return;
        }
        string postJob = jobs.Enqueue<PostProcessJob>(settings.PostProcessQueue, job => job.RunAsync(id));
        store.Update(id, current => current with { PostProcessJobId = postJob });
    }

    private void Fail(RecordingInfo info, Room? room, string reason)
    {
        // The full text (with paths) for the operator's log; without them where callers see it.
        Log.Failed(logger, info.Id, reason);
        reason = Reasons.WithoutPaths(reason)!;
        store.TrySave(info with { State = RecordingState.Failed, Reason = reason, EndedAt = DateTimeOffset.UtcNow }, out _);
        room?.ReportRecording(RoomEventType.RecordingFailed, info.Id, reason);
    }

    private long SizeOf(string file)
    {
        var fileInfo = new FileInfo(store.PathOf(file));
        return fileInfo.Exists ? fileInfo.Length : 0;
    }
}
