using Hangfire;

namespace Mcu.Server.Recording;

/// <summary>
/// This node's two Hangfire servers: one for its own queue, whose workers each hold a recording
/// for as long as it records (so there are <see cref="RecordingSettings.MaxRecordings"/> of
/// them, and the API takes no more), and one for the shared post-processing queue, so that
/// post-processing never waits for a recording to end. Hosted here rather than through
/// AddHangfireServer so a stop is ours to bound: recordings end on ApplicationStopping (see
/// <see cref="RecordingSessions"/>), and this waits for their workers at most the shutdown
/// budget, and never fails the host's stop when another service used up its time first.
/// </summary>
public sealed class RecordingWorkers(
    RecordingSettings settings,
    JobStorage storage,
    JobActivator activator,
    IGlobalConfiguration configuration,
    ILogger<RecordingWorkers> logger) : IHostedService, IDisposable
{
    private readonly List<BackgroundJobServer> _servers = [];

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _ = configuration; // Hangfire's global configuration (serializer, log provider) is applied when it is made
        // Other nodes judge this one alive by its heartbeat: several within a node timeout.
        var heartbeat = TimeSpan.FromSeconds(Math.Clamp(settings.NodeTimeout.TotalSeconds / 4, 1, 30));
        _servers.Add(new BackgroundJobServer(Options($"{settings.Node}:{Environment.ProcessId}", settings.NodeQueue, settings.MaxRecordings, heartbeat), storage));
        _servers.Add(new BackgroundJobServer(Options($"{settings.Node}:{Environment.ProcessId}:post", RecordingSettings.SharedQueue, settings.PostProcessWorkers, heartbeat), storage));
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        foreach (var server in _servers)
        {
            server.SendStop();
        }
        var stopped = Task.WhenAll(_servers.Select(s => s.WaitForShutdownAsync(CancellationToken.None)));
        try
        {
            // Recordings were told to stop at ApplicationStopping and have the budget to finish.
            await stopped.WaitAsync(settings.ShutdownBudget + TimeSpan.FromSeconds(1), CancellationToken.None);
        }
        catch (TimeoutException)
        {
            Log.WorkersStillBusy(logger, settings.ShutdownBudget.TotalSeconds);
        }
    }

    public void Dispose()
    {
        foreach (var server in _servers)
        {
            server.Dispose();
        }
    }

    private BackgroundJobServerOptions Options(string name, string queue, int workers, TimeSpan heartbeat) => new()
    {
        // Jobs are made from this app's services, not from whichever app last set JobActivator.Current.
        Activator = activator,
        ServerName = name,
        Queues = [queue],
        WorkerCount = workers,
        SchedulePollingInterval = TimeSpan.FromSeconds(1),
        HeartbeatInterval = heartbeat,
        ShutdownTimeout = settings.ShutdownBudget + TimeSpan.FromSeconds(1),
    };
}
