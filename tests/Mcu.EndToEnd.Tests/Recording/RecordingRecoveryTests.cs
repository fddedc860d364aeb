using System.Text.Json;
using Mcu.Server.Recording;

namespace Mcu.EndToEnd.Tests.Recording;

/// <summary>
/// What a stopped or killed server left in its recordings folder is settled at the next start,
/// whatever the node was called then (in-memory storage: one node owns the whole folder):
/// nothing stays queued, recording or finalizing, and every end state has a usable file or a
/// reason saying why not.
/// </summary>
public sealed class RecordingRecoveryTests
{
    private const string Room = "leftover";

    [Fact]
    public async Task Recordings_left_queued_recording_or_finalizing_by_another_node_name_are_resolved_at_the_next_start()
    {
        string folder = RecordingServer.TempFolder("recover");
        try
        {
            var store = new RecordingStore(folder);
            var queued = Leftover(RecordingState.Queued);
            var recording = Leftover(RecordingState.Recording) with { Attempts = 1 };
            recording = recording with { File = store.NewFileName(recording, out _) };
            var finalizing = Leftover(RecordingState.Finalizing) with { Attempts = 1, PostProcessJobId = "17", EndedAt = DateTimeOffset.UtcNow };
            finalizing = finalizing with { File = store.NewFileName(finalizing, out _) };
            var empty = Leftover(RecordingState.Recording) with { Attempts = 1 };
            empty = empty with { File = store.NewFileName(empty, out _) }; // killed before its first fragment: no file
            await MediaTools.MakeFragmentedMp4Async(store.PathOf(recording.File!), 3);
            await MediaTools.MakeFragmentedMp4Async(store.PathOf(finalizing.File!), 3);
            foreach (var info in new[] { queued, recording, finalizing, empty })
            {
                store.Save(info);
            }

            await using var server = await RecordingServer.StartAsync(folder, "--Mcu:NodeName=new-host");
            using var http = server.CreateClient();

            var failed = await RecordingApi.GetAsync(http, Room, queued.Id);
            Assert.Equal("failed", failed.State());
            Assert.Contains("before the recording started", failed.GetProperty("reason").GetString());

            var nothing = await RecordingApi.GetAsync(http, Room, empty.Id);
            Assert.Equal("failed", nothing.State());
            Assert.Contains("before anything was written", nothing.GetProperty("reason").GetString());

            var interrupted = await Eventually.Get(() => RecordingApi.GetAsync(http, Room, recording.Id),
                r => r.GetProperty("thumbnail").ValueKind == JsonValueKind.String, TimeSpan.FromSeconds(30), "the interrupted one's thumbnail");
            Assert.Equal("interrupted", interrupted.State());
            Assert.Contains("stopped while recording", interrupted.GetProperty("reason").GetString());

            var done = await RecordingApi.WaitForStateAsync(http, Room, finalizing.Id, "done", TimeSpan.FromSeconds(30));
            Assert.True(done.GetProperty("finalized").GetBoolean(), "the faststart copy was made");
            Assert.Equal(JsonValueKind.String, done.GetProperty("thumbnail").ValueKind);
            Assert.InRange(done.GetProperty("durationSeconds").GetDouble(), 2.5, 3.5);

            foreach (var id in new[] { recording.Id, finalizing.Id })
            {
                string copy = Path.Combine(folder, "download.tmp");
                await RecordingApi.DownloadAsync(http, Room, id, copy);
                await MediaTools.AssertPlaysToAsync(copy, 2.8);
                Assert.Equal("", await MediaTools.DecodeErrorsAsync(copy));
                File.Delete(copy);
            }
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static RecordingInfo Leftover(RecordingState state) => new()
    {
        Id = RecordingStore.NewId(),
        Room = Room,
        Layout = "auto",
        Width = 320,
        Height = 180,
        State = state,
        CreatedAt = DateTimeOffset.UtcNow.AddMinutes(-5),
        StartedAt = state == RecordingState.Queued ? null : DateTimeOffset.UtcNow.AddMinutes(-5),
        Node = "old-host",
        Queue = RecordingSettings.QueueFor("old-host"),
        JobId = "3",
    };
}
