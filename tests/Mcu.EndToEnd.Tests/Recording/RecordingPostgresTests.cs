using Hangfire;
using Hangfire.PostgreSql;
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
            var record = monitor.JobDetails(done.GetProperty("jobId").GetString()!);
            Assert.Equal("node-host", QueueOf(record));
            Assert.StartsWith("host:", ServerOf(record));
            var post = monitor.JobDetails(done.GetProperty("postProcessJobId").GetString()!);
            Assert.Equal("recordings-post", QueueOf(post));
            Assert.Equal("Succeeded", post.History[0].StateName);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    // Hangfire 1.8 keeps a queue given at Enqueue on the job itself; history is newest first.
    private static string QueueOf(Hangfire.Storage.Monitoring.JobDetailsDto job) =>
        job.Job.Queue ?? job.History.First(h => h.StateName == "Enqueued").Data["Queue"];

    private static string ServerOf(Hangfire.Storage.Monitoring.JobDetailsDto job) =>
        job.History.First(h => h.StateName == "Processing").Data["ServerId"];
}
