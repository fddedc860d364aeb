using Mcu.Conference.Mixing;
using Mcu.Conference.Recording;
using Mcu.Conference.Rooms;
using Mcu.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Mcu.EndToEnd.Tests.Recording;

/// <summary>
/// A recording that cannot be written fails with a reason in the API and a room event;
/// the room and its participants carry on as if nothing happened.
/// </summary>
public sealed class RecordingFaultTests
{
    [Fact]
    public async Task An_unwritable_recordings_folder_fails_the_recording_with_a_reason_and_an_event_and_the_room_goes_on()
    {
        string parent = RecordingServer.TempFolder("fault");
        string notAFolder = Path.Combine(parent, "file");
        await File.WriteAllTextAsync(notAFolder, "a file where the recordings folder should be");
        try
        {
            await using var server = await RecordingServer.StartAsync(notAFolder);
            using var http = server.CreateClient();
            await using var red = await ParticipantBot.JoinAsync(http, server.Whip("fault", "red"), new BotOptions { Name = "red", Colour = (220, 40, 40), ToneHz = 400 });
            Assert.True(server.Services.GetRequiredService<RoomDirectory>().TryGet("fault", out var room));
            var events = new List<RoomEvent>();
            room.Changed += e =>
            {
                lock (events)
                {
                    events.Add(e);
                }
            };

            string id = await RecordingApi.StartAsync(http, "fault");
            var failed = await RecordingApi.WaitForStateAsync(http, "fault", id, "failed", TimeSpan.FromSeconds(20));
            Assert.Contains("cannot create the recordings folder", failed.GetProperty("reason").GetString());
            lock (events)
            {
                Assert.Contains(events, e => e.Type == RoomEventType.RecordingFailed && e.Detail!.StartsWith(id));
            }

            long frames = red.VideoFramesReceived;
            await Eventually.Get(() => Task.FromResult(red.VideoFramesReceived), n => n > frames + 30, TimeSpan.FromSeconds(10), "red still receiving video");
            Assert.Single(room.Participants);
            Assert.Empty(room.Recorders);
        }
        finally
        {
            Directory.Delete(parent, recursive: true);
        }
    }

    [Fact]
    public async Task A_full_disk_faults_the_recorder_with_the_reason_without_stalling_the_room()
    {
        string folder = RecordingServer.TempFolder("full");
        try
        {
            await using var server = await RecordingServer.StartAsync(folder);
            using var http = server.CreateClient();
            await using var red = await ParticipantBot.JoinAsync(http, server.Whip("full", "red"), new BotOptions { Name = "red", Colour = (220, 40, 40), ToneHz = 400 });
            Assert.True(server.Services.GetRequiredService<RoomDirectory>().TryGet("full", out var room));

            // /dev/full takes the open and fails every write with ENOSPC, as a full disk does.
            var recorder = new Mp4RoomRecorder("/dev/full", OutputTier.Medium);
            room.AddRecorder(recorder);
            await recorder.Faulted.WaitAsync(TimeSpan.FromSeconds(20));
            Assert.Contains("No space left", recorder.Failure);

            long frames = red.VideoFramesReceived;
            await Eventually.Get(() => Task.FromResult(red.VideoFramesReceived), n => n > frames + 30, TimeSpan.FromSeconds(10), "red still receiving video");
            room.RemoveRecorder(recorder);
            Assert.Equal(recorder.Failure, await recorder.CompleteAsync());
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
