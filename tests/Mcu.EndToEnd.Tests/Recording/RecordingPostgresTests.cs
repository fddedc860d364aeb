using Hangfire;
using Hangfire.PostgreSql;
using Mcu.Server.Recording;
using Mcu.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Mcu.EndToEnd.Tests.Recording;

/// <summary>
/// The same job flow with Hangfire on a real PostgreSQL, two nodes sharing it (and the
/// recordings folder): the recording job runs on the queue of the node hosting the room and
/// only there; post-processing goes to the shared queue.
/// </summary>
public sealed class RecordingPostgresTests(PostgresCluster postgres) : IClassFixture<PostgresCluster>
{
    private const string Room = "pg";

    [Fact]
    public async Task A_recording_runs_on_its_node_s_queue_and_post_processing_on_the_shared_one()
    {
        postgres.EnsureAvailable();
        string folder = RecordingServer.TempFolder("pgrec");
        await using var host = await RecordingServer.StartAsync(folder, $"--Mcu:StorageConnectionString={postgres.ConnectionString}", "--Mcu:NodeName=host");
        await using var other = await RecordingServer.StartAsync(folder, $"--Mcu:StorageConnectionString={postgres.ConnectionString}", "--Mcu:NodeName=other");
        try
        {
            var storage = host.Services.GetRequiredService<JobStorage>();
            Assert.IsType<PostgreSqlStorage>(storage);
            using var http = host.CreateClient();
            await using var red = await ParticipantBot.JoinAsync(http, host.Whip(Room, "red"), new BotOptions { Name = "red", Colour = (220, 40, 40), ToneHz = 400 });
            await Eventually.Get(() => Task.FromResult(red.VideoFramesDecoded), n => n > 30, TimeSpan.FromSeconds(20), "media flowing");

            string id = await RecordingApi.StartAsync(http, Room);
            await RecordingApi.WaitForStateAsync(http, Room, id, "recording", TimeSpan.FromSeconds(20));
            await Task.Delay(TimeSpan.FromSeconds(3));
            await RecordingApi.StopAsync(http, Room, id);
            var done = await RecordingApi.WaitForStateAsync(http, Room, id, "done", TimeSpan.FromSeconds(60));

            string file = Path.Combine(folder, done.GetProperty("file").GetString()!);
            var probe = await MediaTools.ProbeAsync(file);
            Assert.Equal(["audio", "video"], probe.Streams.Select(s => s.CodecType).Order());
            Assert.Equal("", await MediaTools.DecodeErrorsAsync(file));

            var monitor = storage.GetMonitoringApi();
            var stored = host.Services.GetRequiredService<RecordingStore>().Get(id)!;
            var record = monitor.JobDetails(stored.JobId!);
            Assert.Equal("node-host", QueueOf(record));
            Assert.StartsWith("host:", ServerOf(record));
            var post = monitor.JobDetails(stored.PostProcessJobId!);
            Assert.Equal("recordings-post", QueueOf(post));
            Assert.Equal("Succeeded", post.History[0].StateName);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task A_dead_node_s_recordings_are_recovered_by_a_live_node_and_a_live_node_s_are_left_alone()
    {
        postgres.EnsureAvailable();
        string folder = RecordingServer.TempFolder("pgdead");
        string[] shared = [$"--Mcu:StorageConnectionString={postgres.ConnectionString}", "--Mcu:Recording:NodeTimeoutSeconds=3", "--Mcu:Recording:RecoveryIntervalSeconds=1"];
        try
        {
            var store = new RecordingStore(folder);
            await using var other = await RecordingServer.StartAsync(folder, [.. shared, "--Mcu:NodeName=other"]);
            // A node that died long ago (no Hangfire server serves its queue): its sidecars are old.
            var ghostRecording = await PlantAsync(store, "ghost", RecordingState.Recording);
            File.SetLastWriteTimeUtc(Path.Combine(folder, ghostRecording.Id + ".recording.json"), DateTime.UtcNow.AddMinutes(-10));
            var ghostQueued = await PlantAsync(store, "ghost", RecordingState.Queued);
            File.SetLastWriteTimeUtc(Path.Combine(folder, ghostQueued.Id + ".recording.json"), DateTime.UtcNow.AddMinutes(-10));
            // A live node's recording: its sidecar is stale too, but the node heartbeats.
            var othersRecording = await PlantAsync(store, "other", RecordingState.Recording);
            File.SetLastWriteTimeUtc(Path.Combine(folder, othersRecording.Id + ".recording.json"), DateTime.UtcNow.AddMinutes(-10));

            await using var host = await RecordingServer.StartAsync(folder, [.. shared, "--Mcu:NodeName=host"]);
            using var http = host.CreateClient();
            var interrupted = await Eventually.Get(() => RecordingApi.GetAsync(http, Room, ghostRecording.Id),
                r => r.GetProperty("thumbnail").ValueKind == System.Text.Json.JsonValueKind.String, TimeSpan.FromSeconds(30), "the ghost's recording post-processed");
            Assert.Equal("interrupted", interrupted.State());
            var failed = await RecordingApi.GetAsync(http, Room, ghostQueued.Id);
            Assert.Equal("failed", failed.State());
            Assert.Contains("before the recording started", failed.GetProperty("reason").GetString());
            string copy = Path.Combine(folder, "download.tmp");
            await RecordingApi.DownloadAsync(http, Room, ghostRecording.Id, copy);
            await MediaTools.AssertPlaysToAsync(copy, 2.8);
            File.Delete(copy);

            // Recovery passes run every second: the live node's recording is still its own.
            await Task.Delay(TimeSpan.FromSeconds(3));
            Assert.Equal("recording", (await RecordingApi.GetAsync(http, Room, othersRecording.Id)).State());

            // Once that node is gone, a pass on the live node settles its recording too.
            await other.DisposeAsync();
            await RecordingApi.WaitForStateAsync(http, Room, othersRecording.Id, "interrupted", TimeSpan.FromSeconds(30));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static async Task<RecordingInfo> PlantAsync(RecordingStore store, string node, RecordingState state)
    {
        var info = new RecordingInfo
        {
            Id = RecordingStore.NewId(), Room = Room, Layout = "auto", Width = 320, Height = 180, State = state,
            CreatedAt = DateTimeOffset.UtcNow.AddMinutes(-10), Node = node, Queue = RecordingSettings.QueueFor(node),
        };
        if (state == RecordingState.Recording)
        {
            info = info with { Attempts = 1, StartedAt = info.CreatedAt };
            info = info with { File = store.NewFileName(info, out _) };
            await MediaTools.MakeFragmentedMp4Async(store.PathOf(info.File!), 3);
        }
        store.Save(info);
        return info;
    }

    // Hangfire 1.8 keeps a queue given at Enqueue on the job itself; history is newest first.
    private static string QueueOf(Hangfire.Storage.Monitoring.JobDetailsDto job) =>
        job.Job.Queue ?? job.History.First(h => h.StateName == "Enqueued").Data["Queue"];

    private static string ServerOf(Hangfire.Storage.Monitoring.JobDetailsDto job) =>
        job.History.First(h => h.StateName == "Processing").Data["ServerId"];
}
