using Mcu.Server.Recording;
using Mcu.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Mcu.EndToEnd.Tests.Recording;

/// <summary>A job that runs again (a Hangfire retry, a re-fetch after a crash) never overwrites an earlier file.</summary>
public sealed class RecordingRetryTests
{
    [Fact]
    public async Task A_job_run_again_leaves_an_ended_recording_alone_and_a_queued_one_records_into_a_new_file()
    {
        string folder = RecordingServer.TempFolder("retry");
        try
        {
            await using var server = await RecordingServer.StartAsync(folder);
            using var http = server.CreateClient();
            await using var red = await ParticipantBot.JoinAsync(http, server.Whip("retry", "red"), new BotOptions { Name = "red", Colour = (220, 40, 40), ToneHz = 400 });
            var store = server.Services.GetRequiredService<RecordingStore>();
            var job = server.Services.GetRequiredService<RecordingJob>();
            var created = DateTimeOffset.UtcNow;
            byte[] earlier = [1, 2, 3, 4];

            // Interrupted by a crash: running its job again must not touch it.
            var interrupted = new RecordingInfo
            {
                Id = RecordingStore.NewId(), Room = "retry", Layout = "auto", Width = 640, Height = 360,
                State = RecordingState.Interrupted, CreatedAt = created, Attempts = 1,
            };
            interrupted = interrupted with { File = store.NewFileName(interrupted, out _) };
            await File.WriteAllBytesAsync(store.PathOf(interrupted.File!), earlier);
            store.Save(interrupted);
            await job.RecordAsync(interrupted.Id, CancellationToken.None);
            Assert.Equal(RecordingState.Interrupted, store.Get(interrupted.Id)!.State);
            Assert.Equal(earlier, await File.ReadAllBytesAsync(store.PathOf(interrupted.File!)));

            // Queued, but a file of its name already exists (an earlier attempt): the new one gets the next name.
            var queued = new RecordingInfo
            {
                Id = RecordingStore.NewId(), Room = "retry", Layout = "auto", Width = 640, Height = 360,
                State = RecordingState.Queued, CreatedAt = created,
            };
            string firstName = store.NewFileName(queued, out int firstAttempt);
            Assert.Equal(1, firstAttempt);
            await File.WriteAllBytesAsync(store.PathOf(firstName), earlier);
            store.Save(queued);
            var running = job.RecordAsync(queued.Id, CancellationToken.None);
            await Eventually.Get(() => Task.FromResult(store.Get(queued.Id)!), r => r.State == RecordingState.Recording, TimeSpan.FromSeconds(10), "recording");
            await Task.Delay(TimeSpan.FromSeconds(2));
            Assert.True(server.Services.GetRequiredService<RecordingSessions>().Stop(queued.Id));
            await running;
            var after = store.Get(queued.Id)!;
            Assert.NotEqual(firstName, after.File);
            Assert.Equal(2, after.Attempts);
            Assert.Equal(earlier, await File.ReadAllBytesAsync(store.PathOf(firstName)));
            Assert.True(new FileInfo(store.PathOf(after.File!)).Length > 1000);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
