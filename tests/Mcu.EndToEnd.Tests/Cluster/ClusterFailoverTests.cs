using System.Diagnostics;
using System.Net;
using Mcu.EndToEnd.Tests.Recording;
using Xunit.Abstractions;
using static Mcu.EndToEnd.Tests.Cluster.ClusterFixture;

namespace Mcu.EndToEnd.Tests.Cluster;

/// <summary>
/// A node dies (SIGKILL) while recording: within 20 s the live node lists its room as ended and
/// its recording as interrupted, and serves the file, which plays to its last fragment. The dead
/// node starts again under its name: it is live again and takes rooms.
/// </summary>
public sealed class ClusterFailoverTests(ClusterFixture cluster, ITestOutputHelper output) : IClassFixture<ClusterFixture>
{
    [Fact]
    public async Task A_killed_node_s_room_ends_its_recording_is_interrupted_and_served_and_the_node_comes_back_under_its_name()
    {
        using var a = cluster.A.CreateClient();
        using (var created = await a.PostAsync("/api/rooms", Body("""{"name":"doomed","node":"b"}""")))
        {
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }
        string id;
        string file;
        using (var b = cluster.B.CreateClient())
        {
            await using var red = await ParticipantBot.JoinAsync(b, cluster.B.Whip("doomed", "red"),
                new BotOptions { Name = "red", Colour = (220, 40, 40), ToneHz = 400, Width = 320, Height = 180, FramesPerSecond = 15, DecodeVideo = false });
            // Started and watched through a: forwarded to b, which runs the job.
            id = await RecordingApi.StartAsync(a, "doomed", new { resolution = "640x360" });
            var recording = await RecordingApi.WaitForStateAsync(a, "doomed", id, "recording", TimeSpan.FromSeconds(20));
            file = Path.Combine(cluster.RecordingsPath, recording.GetProperty("file").GetString()!);
            // Past two fragments (a keyframe every 2 s) on disk.
            await Eventually.Get(() => Task.FromResult(new FileInfo(file).Length), size => size > 0, TimeSpan.FromSeconds(10), "the first fragment");
            await Task.Delay(TimeSpan.FromSeconds(4));
            cluster.B.KillHard();
        }
        var sinceKill = Stopwatch.StartNew();

        var ended = await Eventually.Get(async () => await ListedAsync(a, "doomed"),
            r => r?.GetProperty("state").GetString() == "ended", TimeSpan.FromSeconds(20), "a listing b's room as ended");
        double endedAfter = sinceKill.Elapsed.TotalSeconds;
        Assert.Equal("b", ended!.Value.GetProperty("node").GetString());
        var interrupted = await RecordingApi.WaitForStateAsync(a, "doomed", id, "interrupted", TimeSpan.FromSeconds(Math.Max(1, 20 - sinceKill.Elapsed.TotalSeconds)));
        double interruptedAfter = sinceKill.Elapsed.TotalSeconds;
        output.WriteLine($"after kill -9: room ended in the directory {endedAfter:F1} s, recording interrupted {interruptedAfter:F1} s");
        Assert.True(interruptedAfter <= 20, $"{interruptedAfter:F1} s");
        Assert.Contains("stopped while recording", interrupted.GetProperty("reason").GetString());
        Assert.Equal("dead", (await GetJsonAsync(a, "/api/nodes")).EnumerateArray()
            .Single(n => n.GetProperty("name").GetString() == "b").GetProperty("state").GetString());

        // Served by a from the shared folder, byte for byte what b wrote, playable to its last fragment.
        var written = await MediaTools.VideoFramesAsync(file, 64, 36);
        Assert.True(written.Count > 0 && written[^1].Time >= 2.0, $"{written.Count} frames up to {(written.Count > 0 ? written[^1].Time : 0):F2} s");
        string copy = Path.Combine(cluster.RecordingsPath, "download.tmp");
        await RecordingApi.DownloadAsync(a, "doomed", id, copy);
        Assert.Equal(await File.ReadAllBytesAsync(file), await File.ReadAllBytesAsync(copy));
        var frames = await MediaTools.AssertPlaysToAsync(copy, written[^1].Time);
        var colour = MediaTools.ColourAt(frames[^1].Rgb, 64, 36, 0.5, 0.5);
        Assert.True(Signals.Near(colour, (220, 40, 40), 45), $"red in the last frame: {colour}");
        File.Delete(copy);
        // Post-processing (on a's share of the shared queue) still gives it its thumbnail, and it stays interrupted.
        var processed = await Eventually.Get(() => RecordingApi.GetAsync(a, "doomed", id),
            r => r.GetProperty("thumbnail").ValueKind == System.Text.Json.JsonValueKind.String, TimeSpan.FromSeconds(30), "a thumbnail");
        Assert.Equal("interrupted", processed.State());

        // b again, under its name (on another port): live, and rooms go to it.
        var restarted = Stopwatch.StartNew();
        var b2 = await cluster.StartAsync("b");
        var node = (await GetJsonAsync(a, "/api/nodes")).EnumerateArray().Single(n => n.GetProperty("name").GetString() == "b");
        Assert.Equal("live", node.GetProperty("state").GetString());
        Assert.Equal(b2.BaseAddress, new Uri(node.GetProperty("url").GetString()!));
        using (var placed = await a.PostAsync("/api/rooms", Body("""{"name":"reborn","node":"b"}""")))
        {
            Assert.Equal(HttpStatusCode.Created, placed.StatusCode);
        }
        Assert.Equal("b", (await ListedAsync(a, "reborn"))!.Value.GetProperty("node").GetString());
        using var b2Client = b2.CreateClient();
        Assert.Equal("reborn", (await GetJsonAsync(b2Client, "/api/rooms/reborn")).GetProperty("name").GetString());
        output.WriteLine($"b restarted and took a room in {restarted.Elapsed.TotalSeconds:F1} s");
        // Its old recording stays as the live node settled it.
        Assert.Equal("interrupted", (await RecordingApi.GetAsync(b2Client, "doomed", id)).State());
    }
}
