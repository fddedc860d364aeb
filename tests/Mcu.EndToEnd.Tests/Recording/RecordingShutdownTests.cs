using System.Text.Json;
using Mcu.Testing;

namespace Mcu.EndToEnd.Tests.Recording;

/// <summary>
/// <c>docker stop</c> sends SIGTERM and, 10 s later, SIGKILL. A recording running at SIGTERM
/// must be finished (the file closed and post-processed) before the process exits, well
/// inside those 10 s, so it is <c>done</c> and plays to its end, with no restart needed.
/// </summary>
public sealed class RecordingShutdownTests
{
    private const string Room = "sigterm";

    [Fact]
    public async Task SIGTERM_while_recording_finishes_the_file_and_its_post_processing_before_exit()
    {
        string folder = RecordingServer.TempFolder("term");
        try
        {
            string id;
            TimeSpan recorded;
            using (var server = await ServerProcess.StartAsync(folder))
            {
                using var http = server.CreateClient();
                var bots = new List<ParticipantBot>();
                try
                {
                    bots.Add(await ParticipantBot.JoinAsync(http, server.Whip(Room, "red"), new BotOptions { Name = "red", Colour = (220, 40, 40), ToneHz = 400 }));
                    bots.Add(await ParticipantBot.JoinAsync(http, server.Whip(Room, "blue"), new BotOptions { Name = "blue", Colour = (40, 40, 220), ToneHz = 800 }));
                    await Eventually.Get(() => Task.FromResult(bots[0].VideoFramesDecoded), n => n > 30, TimeSpan.FromSeconds(20), "media flowing");
                    id = await RecordingApi.StartAsync(http, Room);
                    await RecordingApi.WaitForStateAsync(http, Room, id, "recording", TimeSpan.FromSeconds(10));
                    var since = System.Diagnostics.Stopwatch.StartNew();
                    await Task.Delay(TimeSpan.FromSeconds(4));
                    recorded = since.Elapsed;

                    var took = await server.TerminateAsync(TimeSpan.FromSeconds(10));
                    Assert.True(took < TimeSpan.FromSeconds(9), $"exit took {took.TotalSeconds:F1} s after SIGTERM; docker stop kills at 10 s");
                    Assert.Equal(0, server.Process.ExitCode);
                }
                finally
                {
                    foreach (var bot in bots)
                    {
                        await bot.DisposeAsync();
                    }
                }
            }

            // Done before the process exited: the sidecar on disk says so.
            using (var sidecar = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(folder, id + ".recording.json"))))
            {
                Assert.Equal("done", sidecar.RootElement.State());
                Assert.True(sidecar.RootElement.GetProperty("finalized").GetBoolean(), "the faststart copy was made before exit");
            }

            using var restarted = await ServerProcess.StartAsync(folder);
            using var client = restarted.CreateClient();
            var recording = await RecordingApi.GetAsync(client, Room, id);
            Assert.Equal("done", recording.State());
            Assert.Contains("shutting down", recording.GetProperty("reason").GetString());
            Assert.Equal(JsonValueKind.String, recording.GetProperty("thumbnail").ValueKind);
            string copy = Path.Combine(folder, "download.tmp");
            await RecordingApi.DownloadAsync(client, Room, id, copy);
            await MediaTools.AssertPlaysToAsync(copy, recorded.TotalSeconds - 1.0);
            Assert.Equal("", await MediaTools.DecodeErrorsAsync(copy));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
