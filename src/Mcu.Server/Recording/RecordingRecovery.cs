using Hangfire;
using Hangfire.States;
using Hangfire.Storage;
using Mcu.Server.Cluster;

namespace Mcu.Server.Recording;

/// <summary>
/// Settles recordings whose writer is gone, so none stays queued, recording or finalizing for
/// good, and every end state has a usable file or a reason saying why not:
/// <list type="bullet">
/// <item>recording → interrupted (the file plays up to its last fragment; post-processing still
/// measures it and takes a thumbnail), or failed when nothing was written;</item>
/// <item>queued → failed (its room died with the process that held it);</item>
/// <item>finalizing with no post-processing pending → post-processed again.</item>
/// </list>
/// Whose recordings: at start-up, before this node's Hangfire servers take jobs. With in-memory
/// storage there is one node, so everything in the folder not being written here is a leftover,
/// whatever node name wrote it (a new container has a new host name). With shared storage, this
/// node's own, and another node's once that node is gone: the cluster directory no longer counts
/// it live (<see cref="IClusterDirectory.LiveNodes"/>: no heartbeat for <c>Mcu:Cluster:NodeTimeoutSeconds</c>,
/// or stopped), and (while recording) its sidecar, which a live job rewrites every 2 s, has not
/// changed for <see cref="WriterQuiet"/>; live nodes check every <see cref="RecordingSettings.RecoveryInterval"/>,
/// and at once when the directory sees a node die (<see cref="SettleNow"/>). At a clean stop, this
/// node's queued recordings fail at once. Passes take a distributed lock, so two nodes never settle one twice.
/// </summary>
public sealed class RecordingRecovery(
    RecordingStore store,
    RecordingSessions sessions,
    RecordingSettings settings,
    JobStorage storage,
    IBackgroundJobClient jobs,
    IClusterDirectory cluster,
    ILogger<RecordingRecovery> logger) : IHostedService, IDisposable
{
    private const string LockName = "mcu:recording-recovery";

    /// <summary>A recording's sidecar unchanged this long has no writer: three of a live job's progress writes missed.</summary>
    public static readonly TimeSpan WriterQuiet = RecordingJob.ProgressInterval * 3;

    private readonly CancellationTokenSource _stopping = new();
    private readonly SemaphoreSlim _wake = new(0, 1);
    private Task _periodic = Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        Log.NodeName(logger, settings.Node, settings.NodeSource, settings.NodeQueue);
        Pass(Moment.Start);
        if (settings.SharedStorage)
        {
            _periodic = RunPeriodicallyAsync(_stopping.Token);
        }
        return Task.CompletedTask;
    }

    /// <summary>Runs after the Hangfire servers stopped (registered before them): no job of this node runs any more.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _stopping.Cancel();
        await _periodic.WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        Pass(Moment.Stop);
    }

    public void Dispose()
    {
        _stopping.Dispose();
        _wake.Dispose();
    }

    /// <summary>Runs a pass now rather than at the next interval (the cluster saw a node die).</summary>
    public void SettleNow()
    {
        try
        {
            _wake.Release();
        }
        catch (SemaphoreFullException)
        {
            // A pass is already due.
        }
    }

    private enum Moment
    {
        Start,
        Periodic,
        Stop,
    }

    private async Task RunPeriodicallyAsync(CancellationToken stopping)
    {
        try
        {
            while (true)
            {
                // Every interval, or sooner when woken.
                await _wake.WaitAsync(settings.RecoveryInterval, stopping);
                Pass(Moment.Periodic);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private void Pass(Moment moment)
    {
        try
        {
            using var connection = storage.GetConnection();
            // At stop the budget is nearly spent: wait for another node's pass only briefly.
            using var _ = connection.AcquireDistributedLock(LockName, TimeSpan.FromSeconds(moment == Moment.Stop ? 1 : 10));
            var live = settings.SharedStorage ? LiveServers() : null;
            var liveNodes = settings.SharedStorage ? cluster.LiveNodes() : null;
            foreach (var info in store.List())
            {
                if (!info.IsEnded && !sessions.IsLive(info.Id))
                {
                    Settle(info, moment, live, liveNodes, connection);
                }
            }
        }
        catch (Exception e)
        {
            // The next pass (or the next start) tries again: whatever a damaged or planted sidecar,
            // the disk or the database makes fail, a start must not fail for it.
            Log.RecoverySkipped(logger, e.Message);
        }
    }

    private void Settle(RecordingInfo info, Moment moment, IReadOnlyDictionary<string, DateTime>? live, IReadOnlySet<string>? liveNodes,
        IStorageConnection connection)
    {
        bool ours = !settings.SharedStorage || info.Node is null || info.Node == settings.Node;
        bool writerGone = moment switch
        {
            Moment.Start => ours || NodeGone(info, liveNodes!),
            Moment.Periodic => !ours && NodeGone(info, liveNodes!),
            // Our jobs have stopped; a recording whose job overran the shutdown budget may still be writing.
            _ => ours && info.State == RecordingState.Queued,
        };
        switch (info.State)
        {
            case RecordingState.Queued when writerGone:
                Change(info, info with
                {
                    State = RecordingState.Failed,
                    Reason = "the server stopped before the recording started",
                    EndedAt = DateTimeOffset.UtcNow,
                });
                break;
            case RecordingState.Recording when writerGone:
                Interrupt(info);
                break;
            case RecordingState.Finalizing when moment != Moment.Stop && (writerGone || Stale(info)) && !PostProcessPending(info, live, connection):
                Log.PostProcessRequeued(logger, info.Id, info.Node);
                EnqueuePostProcess(info.Id);
                break;
        }
    }

    private void Interrupt(RecordingInfo info)
    {
        long size = info.File is not null && store.TryPathOf(info.File, out string path) && File.Exists(path) ? new FileInfo(path).Length : 0;
        if (size == 0)
        {
            Change(info, info with
            {
                State = RecordingState.Failed,
                Reason = "the server stopped before anything was written",
                EndedAt = info.EndedAt ?? DateTimeOffset.UtcNow,
                SizeBytes = 0,
            });
            return;
        }
        Change(info, info with
        {
            State = RecordingState.Interrupted,
            Reason = "the server stopped while recording; the file plays up to its last fragment",
            EndedAt = info.EndedAt ?? DateTimeOffset.UtcNow,
            SizeBytes = size,
        });
        EnqueuePostProcess(info.Id);
    }

    private void Change(RecordingInfo before, RecordingInfo after)
    {
        store.TrySave(after, out _);
        Log.Recovered(logger, before.Id, before.Node, before.State, after.State, after.Reason ?? "");
    }

    private void EnqueuePostProcess(string id)
    {
        string job = jobs.Enqueue<PostProcessJob>(settings.PostProcessQueue, j => j.RunAsync(id));
        store.Update(id, current => current with { PostProcessJobId = job });
    }

    /// <summary>The cluster does not count its node live, and (as a live job rewrites its sidecar every 2 s) nothing writes its sidecar.</summary>
    private bool NodeGone(RecordingInfo info, IReadOnlySet<string> liveNodes) =>
        !liveNodes.Contains(info.Node ?? "") && (store.LastWrittenUtc(info.Id) is not { } written || DateTime.UtcNow - written > WriterQuiet);

    private bool Stale(RecordingInfo info) =>
        store.LastWrittenUtc(info.Id) is not { } written || DateTime.UtcNow - written > settings.NodeTimeout;

    /// <summary>Hangfire servers whose heartbeat is recent, keyed "{server id}|{queue}" once per queue served, with the heartbeat.</summary>
    private Dictionary<string, DateTime> LiveServers()
    {
        var live = new Dictionary<string, DateTime>(StringComparer.Ordinal);
        foreach (var server in storage.GetMonitoringApi().Servers())
        {
            if (server.Heartbeat is { } beat && DateTime.UtcNow - DateTime.SpecifyKind(beat, DateTimeKind.Utc) <= settings.NodeTimeout)
            {
                foreach (var queue in server.Queues)
                {
                    live[server.Name + '|' + queue] = beat;
                }
            }
        }
        return live;
    }

    /// <summary>Its post-processing job is waiting, or running on a server that is alive.</summary>
    private bool PostProcessPending(RecordingInfo info, IReadOnlyDictionary<string, DateTime>? live, IStorageConnection connection)
    {
        if (info.PostProcessJobId is not { } job || connection.GetStateData(job) is not { } state)
        {
            return false; // never queued, or queued in a job storage that is gone (in memory, before a restart)
        }
        if (state.Name == EnqueuedState.StateName || state.Name == ScheduledState.StateName || state.Name == AwaitingState.StateName)
        {
            return true;
        }
        // In memory, a job storage is as new as this process: nothing of before is processing.
        return state.Name == ProcessingState.StateName && live is not null
            && state.Data.TryGetValue("ServerId", out string? server) && live.Keys.Any(k => k.StartsWith(server + '|', StringComparison.Ordinal));
    }
}
