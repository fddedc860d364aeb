using Mcu.Testing;
using Xunit.Abstractions;

namespace Mcu.EndToEnd.Tests.Recording;

/// <summary>
/// The server is killed (SIGKILL) while recording: the file must play up to its last
/// fragment, and the restarted server (under a new node name, as a new container gets) must
/// report the recording interrupted, not recording, and serve the file.
/// Also measures what one recording costs in CPU beside a running room.
/// </summary>
public sealed class RecordingCrashTests(ITestOutputHelper output)
{
    private const string Room = "crash";

    [Fact]
    public async Task A_recording_killed_mid_way_plays_up_to_its_last_fragment_and_is_reported_interrupted_after_restart()
    {
        string folder = RecordingServer.TempFolder("crash");
        try
        {
            string id;
            string file;
            using (var server = await ServerProcess.StartAsync(folder))
            {
                using var http = server.CreateClient();
                var bots = new List<ParticipantBot>();
                try
                {
                    bots.Add(await ParticipantBot.JoinAsync(http, server.Whip(Room, "red"), new BotOptions { Name = "red", Colour = (220, 40, 40), ToneHz = 400 }));
                    bots.Add(await ParticipantBot.JoinAsync(http, server.Whip(Room, "blue"), new BotOptions { Name = "blue", Colour = (40, 40, 220), ToneHz = 800 }));
                    await Eventually.Get(() => Task.FromResult(bots[0].VideoFramesDecoded), n => n > 30, TimeSpan.FromSeconds(20), "media flowing");

                    var idle = await CpuOverAsync(server, TimeSpan.FromSeconds(4));
                    id = await RecordingApi.StartAsync(http, Room);
                    var recording = await RecordingApi.WaitForStateAsync(http, Room, id, "recording", TimeSpan.FromSeconds(10));
                    file = Path.Combine(folder, recording.GetProperty("file").GetString()!);
                    var busy = await CpuOverAsync(server, TimeSpan.FromSeconds(4));
                    output.WriteLine($"server CPU, room of 2 (640x360 out): {idle:F1} % of one core; with a 1280x720 recording: {busy:F1} %; cost {busy - idle:F1} %");
                    await Task.Delay(TimeSpan.FromSeconds(1)); // at least two fragments (a keyframe every 2 s)
                    server.KillHard();
                }
                finally
                {
                    foreach (var bot in bots)
                    {
                        await bot.DisposeAsync();
                    }
                }
            }

            // What was on disk when the process died plays: both streams, seconds of decodable frames.
            var probe = await MediaTools.ProbeAsync(file);
            Assert.Contains(probe.Streams, s => s.CodecType == "video" && s.CodecName == "h264");
            Assert.Contains(probe.Streams, s => s.CodecType == "audio" && s.CodecName == "aac");
            var frames = await MediaTools.VideoFramesAsync(file, 64, 36);
            Assert.True(frames.Count > 0 && frames[^1].Time >= 3.0, $"{frames.Count} frames up to {(frames.Count > 0 ? frames[^1].Time : 0):F2} s");
            var colour = MediaTools.ColourAt(frames[^1].Rgb, 64, 36, 0.25, 0.5);
            Assert.True(Signals.Near(colour, (220, 40, 40), 45), $"red on the left of the last frame: {colour}");

            // A new container gets a new host name: the restarted node has another name, and
            // still owns what the killed one left in its folder (in-memory storage: one node).
            using (var restarted = await ServerProcess.StartAsync(folder, "--Mcu:NodeName=child-after-restart"))
            {
                using var http = restarted.CreateClient();
                var recording = await RecordingApi.GetAsync(http, Room, id);
                Assert.Equal("interrupted", recording.State());
                Assert.Contains("stopped while recording", recording.GetProperty("reason").GetString());
                Assert.Equal(new FileInfo(file).Length, recording.GetProperty("sizeBytes").GetInt64());
                // Post-processing still runs for it (thumbnail, duration), leaving it interrupted.
                recording = await Eventually.Get(() => RecordingApi.GetAsync(http, Room, id),
                    r => r.GetProperty("thumbnail").ValueKind == System.Text.Json.JsonValueKind.String, TimeSpan.FromSeconds(30), "a thumbnail");
                Assert.Equal("interrupted", recording.State());
                Assert.True(recording.GetProperty("durationSeconds").GetDouble() >= 3.0);
                string copy = Path.Combine(folder, "download.tmp");
                await RecordingApi.DownloadAsync(http, Room, id, copy);
                Assert.Equal(await File.ReadAllBytesAsync(file), await File.ReadAllBytesAsync(copy));
                await MediaTools.AssertPlaysToAsync(copy, frames[^1].Time);
                File.Delete(copy);
            }
            Assert.Single(Directory.GetFiles(folder, "*.mp4"));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>The server process's CPU use over <paramref name="window"/>, in % of one core.</summary>
    private static async Task<double> CpuOverAsync(ServerProcess server, TimeSpan window)
    {
        server.Process.Refresh();
        var before = server.Process.TotalProcessorTime;
        await Task.Delay(window);
        server.Process.Refresh();
        return (server.Process.TotalProcessorTime - before).TotalMilliseconds / window.TotalMilliseconds * 100;
    }
}
