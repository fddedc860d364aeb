using Hangfire;
using Mcu.Server.Recording;

namespace Mcu.Server.Streaming;

/// <summary>
/// This node's Hangfire server for stream jobs: <see cref="StreamSettings.MaxStreams"/> workers on
/// the node's stream queue, each holding one stream while it runs. Streams stop at
/// ApplicationStopping (<see cref="StreamRegistry"/>); this waits for them within the shutdown budget.
/// </summary>
public sealed class StreamWorkers(StreamSettings settings, RecordingSettings recording, JobStorage storage, JobActivator activator,
    IGlobalConfiguration configuration) : IHostedService, IDisposable
{
    private BackgroundJobServer? _server;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _ = configuration;
        _server = new BackgroundJobServer(new BackgroundJobServerOptions
        {
            Activator = activator,
            ServerName = $"{recording.Node}:{Environment.ProcessId}:streams",
            Queues = [settings.Queue],
            WorkerCount = settings.MaxStreams,
            SchedulePollingInterval = TimeSpan.FromSeconds(1),
            ShutdownTimeout = recording.ShutdownBudget,
        }, storage);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_server is null)
        {
            return;
        }
        _server.SendStop();
        try
        {
            await _server.WaitForShutdownAsync(CancellationToken.None).WaitAsync(recording.ShutdownBudget, CancellationToken.None);
        }
        catch (TimeoutException)
        {
            // Streams close within their I/O timeout; one that did not is cut off with the process.
        }
    }

    public void Dispose() => _server?.Dispose();
}
