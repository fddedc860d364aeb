using Hangfire;

namespace Mcu.Server.Recording;

/// <summary>
/// At start-up, before this node's Hangfire server takes jobs: a recording left "recording"
/// (or "finalizing" before post-processing was queued) by a killed process is marked interrupted —
/// its file plays up to its last fragment — and gets a post-processing job for its thumbnail and
/// duration. One left "queued" by this node is marked failed: its room died with the process.
/// </summary>
public sealed class RecordingRecovery(
    RecordingStore store,
    RecordingSessions sessions,
    RecordingSettings settings,
    IBackgroundJobClient jobs,
    ILogger<RecordingRecovery> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var info in store.List())
        {
            if (sessions.IsLive(info.Id) || (info.Node is not null && info.Node != settings.Node))
            {
                continue;
            }
            if (info.State == RecordingState.Recording)
            {
                var interrupted = info with
                {
                    State = RecordingState.Interrupted,
                    Reason = "the server stopped while recording; the file plays up to its last fragment",
                    EndedAt = info.EndedAt ?? DateTimeOffset.UtcNow,
                    SizeBytes = info.File is null ? 0 : SizeOf(info.File),
                };
                store.TrySave(interrupted, out _);
                Log.Interrupted(logger, info.Id);
                if (interrupted.File is not null)
                {
                    jobs.Enqueue<PostProcessJob>(settings.PostProcessQueue, job => job.RunAsync(info.Id));
                }
            }
            else if (info.State == RecordingState.Queued && !settings.SharedStorage)
            {
                // In-memory job storage forgot the job: it will never run.
                store.TrySave(info with { State = RecordingState.Failed, Reason = "the server restarted before the recording started", EndedAt = DateTimeOffset.UtcNow }, out _);
            }
        }
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private long SizeOf(string file)
    {
        var fileInfo = new FileInfo(store.PathOf(file));
        return fileInfo.Exists ? fileInfo.Length : 0;
    }
}
