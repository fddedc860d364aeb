using Mcu.Conference.Rooms;
using Mcu.Server.Api;
using Mcu.Server.Recording;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;

namespace Mcu.Server.Cluster;

/// <summary>
/// This node's life in the PostgreSQL directory. At start (before the server listens) it creates
/// the tables and registers under its name, ending what an earlier process of the name left. Then
/// every <see cref="ClusterOptions.HeartbeatSeconds"/> it writes its heartbeat and load, brings its
/// rooms' rows in line with its rooms, and sweeps: rooms of dead nodes end, and when a node has
/// newly died, recording recovery settles its recordings at once. A node that cannot reach the
/// database for the node timeout is counted dead by the others, so it ends its own rooms too. At a
/// clean stop its rooms leave the directory and it is marked stopped.
/// </summary>
public sealed class NodeHeartbeat(
    PostgresDirectory directory,
    RoomDirectory rooms,
    RoomCodecs codecs,
    NodeLoad load,
    RecordingRecovery recovery,
    IServer server,
    IHostApplicationLifetime lifetime,
    IOptions<McuOptions> options,
    TimeProvider time,
    ILogger<NodeHeartbeat> logger) : BackgroundService
{
    private readonly TimeSpan _period = TimeSpan.FromSeconds(options.Value.Cluster.HeartbeatSeconds);
    private readonly TimeSpan _timeout = TimeSpan.FromSeconds(options.Value.Cluster.NodeTimeoutSeconds);
    private HashSet<string>? _dead;

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        await directory.CreateSchemaAsync(cancellationToken);
        if (await directory.RegisterAsync(cancellationToken))
        {
            Log.NameTakenBack(logger, directory.Node);
        }
        await base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!await StartedAsync(stoppingToken))
        {
            return;
        }
        if (directory.NodeUrl is null && NodeAddress.FromServer(server) is { } url)
        {
            directory.SetUrl(url);
        }
        Log.Registered(logger, directory.Node, directory.NodeUrl?.ToString() ?? "(no URL)", _period.TotalSeconds, _timeout.TotalSeconds);
        long lastBeat = time.GetTimestamp();
        using var timer = new PeriodicTimer(_period, time);
        do
        {
            try
            {
                await BeatAsync(stoppingToken);
                lastBeat = time.GetTimestamp();
            }
            catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                Log.HeartbeatFailed(logger, e.Message);
                if (time.GetElapsedTime(lastBeat) > _timeout && rooms.Rooms.Count > 0)
                {
                    // The others have ended these rooms in the directory and may place them anew: step aside.
                    Log.Fenced(logger, time.GetElapsedTime(lastBeat).TotalSeconds, rooms.Rooms.Count);
                    foreach (var room in rooms.Rooms)
                    {
                        Close(room.Name);
                    }
                }
            }
        }
        while (await WaitAsync(timer, stoppingToken));
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        try
        {
            using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            bounded.CancelAfter(TimeSpan.FromSeconds(2));
            await directory.StopAsync(bounded.Token);
            Log.Stopped(logger, directory.Node);
        }
        catch (Exception e)
        {
            // Then the others count this node dead after the timeout: the same end, later.
            Log.HeartbeatFailed(logger, e.Message);
        }
    }

    private async Task BeatAsync(CancellationToken ct)
    {
        await directory.BeatAsync(load.Participants, load.Rooms, load.CpuPercent(), ct);
        foreach (string name in await directory.ReconcileAsync(rooms.Rooms.Where(r => !r.IsClosed).ToList(), ct))
        {
            Log.RoomTakenAway(logger, name);
            Close(name);
        }
        var (ended, dead) = await directory.SweepAsync(ct);
        foreach (var (room, node) in ended)
        {
            Log.RoomOfDeadNodeEnded(logger, room, node);
        }
        // The first sweep only learns who was dead before this process started (recovery's start pass saw to them).
        var newlyDead = _dead is null ? [] : dead.Where(n => !_dead.Contains(n)).ToList();
        _dead = [.. dead];
        foreach (string node in newlyDead)
        {
            Log.NodeDead(logger, node, _timeout.TotalSeconds);
        }
        if (newlyDead.Count > 0)
        {
            recovery.SettleNow();
        }
    }

    private void Close(string room)
    {
        if (rooms.Close(room))
        {
            codecs.Forget(room);
        }
    }

    private async Task<bool> StartedAsync(CancellationToken stoppingToken)
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var onStarted = lifetime.ApplicationStarted.Register(() => started.TrySetResult());
        using var onStopping = stoppingToken.Register(() => started.TrySetCanceled());
        try
        {
            await started.Task;
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken ct)
    {
        try
        {
            return await timer.WaitForNextTickAsync(ct);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
