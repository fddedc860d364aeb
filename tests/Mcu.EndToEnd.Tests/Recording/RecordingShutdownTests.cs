using System.Text.Json;
using Mcu.Testing;
using Xunit.Abstractions;

namespace Mcu.EndToEnd.Tests.Recording;

/// <summary>
/// <c>docker stop</c> sends SIGTERM and, 10 s later, SIGKILL. A recording running at SIGTERM
/// must be finished (the file closed and post-processed) before the process exits, well
/// inside those 10 s, so it is <c>done</c> and plays to its end, with no restart needed;
/// when post-processing cannot finish within the shutdown budget, the process still exits in
/// time and the next start finishes it.
/// </summary>
public sealed class RecordingShutdownTests(ITestOutputHelper output)
{
    private const string Room = "sigterm";

    [Fact]
    public async Task SIGTERM_while_recording_finishes_the_file_and_its_post_processing_before_exit()
    {
        string folder = RecordingServer.TempFolder("term");
        try
        {
            var (id, recorded, took) = await RecordThenTerminateAsync(folder);
            Assert.True(took < TimeSpan.FromSeconds(9), $"exit took {took.TotalSeconds:F1} s after SIGTERM; docker stop kills at 10 s");

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
            await AssertDownloadPlaysAsync(client, folder, id, recorded.TotalSeconds - 1.0);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task Post_processing_that_outlasts_the_shutdown_budget_is_cut_short_and_finished_at_the_next_start()
    {
        string folder = RecordingServer.TempFolder("slow");
        string tools = RecordingServer.TempFolder("tools");
        try
        {
            // An ffmpeg that never finishes, as a faststart copy of hours of video on a slow disk would not in time.
            string slow = Path.Combine(tools, "ffmpeg");
            await File.WriteAllTextAsync(slow, "#!/bin/sh\nsleep 60\n");
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(slow, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }

            var (id, recorded, took) = await RecordThenTerminateAsync(folder, $"--Mcu:FfmpegPath={slow}", "--Mcu:ShutdownSeconds=4");
            Assert.True(took < TimeSpan.FromSeconds(6), $"exit took {took.TotalSeconds:F1} s after SIGTERM with a 4 s budget");
            using (var sidecar = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(folder, id + ".recording.json"))))
            {
                Assert.Equal("finalizing", sidecar.RootElement.State());
            }
            Assert.Empty(Directory.GetFiles(folder, "*.tmp"));

            using var restarted = await ServerProcess.StartAsync(folder);
            using var client = restarted.CreateClient();
            var done = await RecordingApi.WaitForStateAsync(client, Room, id, "done", TimeSpan.FromSeconds(30));
            Assert.True(done.GetProperty("finalized").GetBoolean(), "the faststart copy was made at the next start");
            await AssertDownloadPlaysAsync(client, folder, id, recorded.TotalSeconds - 1.0);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
            Directory.Delete(tools, recursive: true);
        }
    }

    /// <summary>Two bots, a recording of about 4 s, then SIGTERM; the process must exit (0) within 10 s.</summary>
    private async Task<(string Id, TimeSpan Recorded, TimeSpan Took)> RecordThenTerminateAsync(string folder, params string[] extra)
    {
        using var server = await ServerProcess.StartAsync(folder, extra);
        using var http = server.CreateClient();
        var bots = new List<ParticipantBot>();
        try
        {
            bots.Add(await ParticipantBot.JoinAsync(http, server.Whip(Room, "red"), new BotOptions { Name = "red", Colour = (220, 40, 40), ToneHz = 400 }));
            bots.Add(await ParticipantBot.JoinAsync(http, server.Whip(Room, "blue"), new BotOptions { Name = "blue", Colour = (40, 40, 220), ToneHz = 800 }));
            await Eventually.Get(() => Task.FromResult(bots[0].VideoFramesDecoded), n => n > 30, TimeSpan.FromSeconds(20), "media flowing");
            string id = await RecordingApi.StartAsync(http, Room);
            await RecordingApi.WaitForStateAsync(http, Room, id, "recording", TimeSpan.FromSeconds(10));
            var since = System.Diagnostics.Stopwatch.StartNew();
            await Task.Delay(TimeSpan.FromSeconds(4));
            var recorded = since.Elapsed;

            // The web page holds the room's events WebSocket open: the stop must not wait for it.
            using var events = new System.Net.WebSockets.ClientWebSocket();
            events.Options.SetRequestHeader("Authorization", $"Bearer {RecordingServer.AdminKey}");
            await events.ConnectAsync(new Uri($"ws://{server.BaseAddress.Authority}/api/rooms/{Room}/events"), CancellationToken.None);

            var took = await server.TerminateAsync(TimeSpan.FromSeconds(10));
            output.WriteLine($"exit {took.TotalSeconds:F2} s after SIGTERM, {recorded.TotalSeconds:F1} s recorded");
            Assert.Equal(0, server.Process.ExitCode);
            return (id, recorded, took);
        }
        finally
        {
            foreach (var bot in bots)
            {
                await bot.DisposeAsync();
            }
        }
    }

    private static async Task AssertDownloadPlaysAsync(HttpClient client, string folder, string id, double seconds)
    {
        string copy = Path.Combine(folder, "download.tmp");
        await RecordingApi.DownloadAsync(client, Room, id, copy);
        await MediaTools.AssertPlaysToAsync(copy, seconds);
        Assert.Equal("", await MediaTools.DecodeErrorsAsync(copy));
        File.Delete(copy);
    }
}
