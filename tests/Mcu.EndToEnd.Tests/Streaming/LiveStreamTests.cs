using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using Mcu.Conference.Rooms;
using Mcu.EndToEnd.Tests.Recording;
using Mcu.Testing;
using Mcu.Testing.Streaming;

namespace Mcu.EndToEnd.Tests.Streaming;

/// <summary>
/// The room's mix pushed to FFmpeg as the RTMP server on 127.0.0.1, and served as HLS, judged with
/// FFmpeg's tools: codecs, duration, each bot's colour in its place and its tone in the audio; the
/// server killed and back; HLS read over HTTP with a viewer token and refused without one; a
/// stream and a recording sharing one encoder.
/// </summary>
public sealed class LiveStreamTests(StreamedRoom room) : IClassFixture<StreamedRoom>, IDisposable
{
    private const int W = 64, H = 36;
    private readonly string _folder = RecordingServer.TempFolder("rtmp");

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task Rtmp_gets_15_s_of_H264_and_AAC_with_every_bot_s_colour_and_tone()
    {
        const double Seconds = 15;
        int port = FfmpegListener.FreeTcpPort();
        using var server = FfmpegListener.Rtmp(port, Path.Combine(_folder, "got.flv"));
        string id = await room.StartAsync("streams", new { url = server.Url, resolution = "1280x720" });
        var live = await room.WaitForStateAsync(id, "live", TimeSpan.FromSeconds(20));
        Assert.Equal($"rtmp://127.0.0.1:{port}", live.GetProperty("target").GetString()); // not the key
        var clock = Stopwatch.StartNew();
        await Task.Delay(TimeSpan.FromSeconds(Seconds));
        var during = await room.GetAsync(id);
        string metrics = await room.Http.GetStringAsync("/metrics");
        await room.StopAsync(id);
        double streamed = clock.Elapsed.TotalSeconds;
        await server.WaitForExitAsync(TimeSpan.FromSeconds(15));

        Assert.True(during.GetProperty("bytesSent").GetInt64() > 100_000, during.GetRawText());
        Assert.True(during.GetProperty("bitrateKbps").GetInt64() > 50, during.GetRawText());
        var samples = metrics.Split('\n').Where(l => l.StartsWith("mcu_stream", StringComparison.Ordinal)).ToList();
        Assert.Contains("mcu_streams 1", samples);
        Assert.Contains(samples, l => l.StartsWith("mcu_stream_bytes_sent", StringComparison.Ordinal) && double.Parse(l[(l.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture) > 100_000);
        Assert.Contains(samples, l => l.StartsWith("mcu_stream_reconnects", StringComparison.Ordinal));
        var probe = await MediaTools.ProbeAsync(server.Output);
        Assert.Equal(["h264"], probe.Streams.Where(s => s.CodecType == "video").Select(s => s.CodecName));
        Assert.Equal(["aac"], probe.Streams.Where(s => s.CodecType == "audio").Select(s => s.CodecName));
        Assert.InRange(probe.Duration, streamed * 0.9, streamed * 1.1);
        Assert.Equal("", await MediaTools.DecodeErrorsAsync(server.Output));

        var frames = await MediaTools.VideoFramesAsync(server.Output, W, H);
        Assert.True(frames.Count > Seconds * 25, $"{frames.Count} frames");
        var (_, rgb) = frames[frames.Count / 2];
        for (int i = 0; i < StreamedRoom.People.Length; i++) // grid-4: join order, left to right, top to bottom
        {
            var colour = MediaTools.ColourAt(rgb, W, H, 0.25 + 0.5 * (i % 2), 0.25 + 0.5 * (i / 2));
            Assert.True(Signals.Near(colour, StreamedRoom.People[i].Colour, 45), $"{StreamedRoom.People[i].Name}: {colour}");
        }
        var pcm = await MediaTools.AudioAsync(server.Output);
        Assert.InRange(pcm.Length / 48000.0, streamed * 0.9, streamed * 1.1);
        var middle = pcm.AsSpan(pcm.Length / 2, 9600);
        foreach (var (name, _, tone) in StreamedRoom.People)
        {
            double db = Signals.ToneDb(middle, tone);
            Assert.True(db > -30, $"{name}'s {tone} Hz at {db:F1} dB");
        }
        Assert.True(Signals.ToneDb(middle, 1700) < -50, "no tone where nobody plays one");
        Assert.Equal([RoomEventType.StreamStarted, RoomEventType.StreamStopped], room.StreamEvents(id).Select(e => e.Type));
    }

    [Fact]
    public async Task The_rtmp_server_killed_and_restarted_makes_the_stream_reconnect_while_the_bots_keep_25_fps()
    {
        int port = FfmpegListener.FreeTcpPort();
        double baseline;
        var first = FfmpegListener.Rtmp(port, Path.Combine(_folder, "first.flv"));
        string id = await room.StartAsync("streams", new { url = first.Url });
        await room.WaitForStateAsync(id, "live", TimeSpan.FromSeconds(20));
        // The same measure with the server up, so a failure says whether the machine or the outage slowed the bots.
        using (var before = new CancellationTokenSource(TimeSpan.FromSeconds(3.5)))
        {
            baseline = await SampleLowestFps(before.Token);
        }

        using var sampling = new CancellationTokenSource();
        var lowest = SampleLowestFps(sampling.Token);
        first.Kill();
        var reconnecting = await room.WaitForStateAsync(id, "reconnecting", TimeSpan.FromSeconds(15));
        Assert.False(string.IsNullOrEmpty(reconnecting.GetProperty("reason").GetString()));
        await Task.Delay(2000); // down for a while: a try or two fails
        using var second = FfmpegListener.Rtmp(port, Path.Combine(_folder, "second.flv"));
        var again = await room.WaitForStateAsync(id, "live", TimeSpan.FromSeconds(30));
        await Task.Delay(3000);
        sampling.Cancel();
        double minFps = await lowest;
        Assert.Equal(1, again.GetProperty("reconnects").GetInt32());
        await room.StopAsync(id);
        await second.WaitForExitAsync(TimeSpan.FromSeconds(15));
        first.Dispose();

        Assert.True(minFps >= 25, $"a bot received {minFps:F1} fps while the stream's server was away (lowest with it up: {baseline:F1} fps)");
        var probe = await MediaTools.ProbeAsync(second.Output);
        Assert.Contains(probe.Streams, s => s.CodecName == "h264");
        Assert.Contains(probe.Streams, s => s.CodecName == "aac");
        Assert.Equal("", await MediaTools.DecodeErrorsAsync(second.Output)); // starts at a keyframe
        Assert.Equal([RoomEventType.StreamStarted, RoomEventType.StreamStarted, RoomEventType.StreamStopped], room.StreamEvents(id).Select(e => e.Type));
    }

    [Fact]
    public async Task Hls_plays_over_http_with_a_viewer_token_and_is_refused_without_one()
    {
        string viewer = await room.TokenAsync(StreamedRoom.Room, "viewer");
        string id = await room.StartAsync("hls", new { resolution = "640x360" });
        string url = new Uri(room.Server.BaseAddress, $"/api/rooms/{StreamedRoom.Room}/hls/index.m3u8").ToString();
        using var anonymous = new HttpClient();
        using var asViewer = new HttpClient();
        asViewer.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", viewer);
        // Two segments (4 s) listed before a player is let loose on it.
        await Eventually.Get(async () =>
            {
                var r = await asViewer.GetAsync(url);
                return r.IsSuccessStatusCode ? await r.Content.ReadAsStringAsync() : "";
            }, text => text.Split('\n').Count(l => l.StartsWith("#EXTINF", StringComparison.Ordinal)) >= 2, TimeSpan.FromSeconds(30), "two HLS segments");

        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync(url)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync(url.Replace("index.m3u8", "init.mp4"))).StatusCode);
        var otherRoom = await room.Http.PostAsync("/api/rooms", System.Net.Http.Json.JsonContent.Create(new { name = "another" }));
        Assert.True(otherRoom.IsSuccessStatusCode);
        using var wrongRoom = new HttpClient();
        wrongRoom.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await room.TokenAsync("another", "viewer"));
        Assert.Equal(HttpStatusCode.Forbidden, (await wrongRoom.GetAsync(url)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await asViewer.GetAsync(url.Replace("index.m3u8", "..%2F..%2Fsecret"))).StatusCode);

        // FFmpeg as the player: the playlist, then 10 s of segments, with the token on every request.
        string copy = Path.Combine(_folder, "hls.mp4");
        var (exit, errors) = await RunAsync(TimeSpan.FromSeconds(60), "ffmpeg", "-nostdin", "-v", "error", "-headers", $"Authorization: Bearer {viewer}\r\n",
            "-i", url, "-t", "10", "-c", "copy", copy);
        Assert.True(exit == 0, errors);
        var probe = await MediaTools.ProbeAsync(copy);
        Assert.Contains(probe.Streams, s => s.CodecName == "h264");
        Assert.Contains(probe.Streams, s => s.CodecName == "aac");
        Assert.InRange(probe.Duration, 9, 11);
        var (probeExit, probeErrors) = await RunAsync(TimeSpan.FromSeconds(30), "ffprobe", "-v", "error", "-headers", $"Authorization: Bearer {viewer}\r\n", url);
        Assert.True(probeExit == 0, probeErrors);
        var (noTokenExit, _) = await RunAsync(TimeSpan.FromSeconds(30), "ffprobe", "-v", "error", url);
        Assert.NotEqual(0, noTokenExit);

        // A browser's video element sends no header: the page trades the token for a cookie on the HLS path.
        var cookies = new CookieContainer();
        using var browser = new HttpClient(new HttpClientHandler { CookieContainer = cookies }) { BaseAddress = room.Server.BaseAddress };
        var session = new HttpRequestMessage(HttpMethod.Post, $"/api/rooms/{StreamedRoom.Room}/hls/session");
        session.Headers.Authorization = new AuthenticationHeaderValue("Bearer", viewer);
        Assert.Equal(HttpStatusCode.NoContent, (await browser.SendAsync(session)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync(url)).StatusCode);

        var stopped = await room.Http.DeleteAsync($"/api/rooms/{StreamedRoom.Room}/hls");
        Assert.True(stopped.IsSuccessStatusCode);
        await room.WaitForStateAsync(id, "stopped", TimeSpan.FromSeconds(15));
        Assert.Equal(HttpStatusCode.NotFound, (await asViewer.GetAsync(url)).StatusCode);
        Assert.False(Directory.Exists(room.HlsPath) && Directory.EnumerateFiles(room.HlsPath, "*", SearchOption.AllDirectories).Any(), "segments left behind");
    }

    [Fact]
    public async Task A_stream_and_a_recording_of_the_same_size_share_one_encoder()
    {
        string recording = await RecordingApi.StartAsync(room.Http, StreamedRoom.Room, new { resolution = "1280x720" });
        await RecordingApi.WaitForStateAsync(room.Http, StreamedRoom.Room, recording, "recording", TimeSpan.FromSeconds(10));
        await Task.Delay(1000);
        int withRecording = (await room.StatsAsync()).GetProperty("videoEncoders").GetInt32();

        int port = FfmpegListener.FreeTcpPort();
        using var server = FfmpegListener.Rtmp(port, Path.Combine(_folder, "shared.flv"));
        string id = await room.StartAsync("streams", new { url = server.Url, resolution = "1280x720" });
        await room.WaitForStateAsync(id, "live", TimeSpan.FromSeconds(20));
        await Task.Delay(1000);
        var stats = await room.StatsAsync();
        var sinks = stats.GetProperty("sinks").EnumerateArray().Select(s => (s.GetProperty("kind").GetString(), s.GetProperty("tier").GetString())).ToList();
        Assert.Equal([("recording", "high"), ("stream", "high")], sinks.Order());
        Assert.Equal(withRecording, stats.GetProperty("videoEncoders").GetInt32());

        await room.StopAsync(id);
        await RecordingApi.StopAsync(room.Http, StreamedRoom.Room, recording);
        await server.WaitForExitAsync(TimeSpan.FromSeconds(15));
    }

    [Fact]
    public async Task Srt_gets_MPEG_TS_with_H264_and_AAC()
    {
        int port = FfmpegListener.FreeUdpPort();
        using var server = FfmpegListener.Srt(port, Path.Combine(_folder, "got.ts"));
        string id = await room.StartAsync("streams", new { url = server.Url, resolution = "640x360" });
        var live = await room.WaitForStateAsync(id, "live", TimeSpan.FromSeconds(20));
        Assert.Equal("srt", live.GetProperty("kind").GetString());
        Assert.Equal($"srt://127.0.0.1:{port}", live.GetProperty("target").GetString());
        await Task.Delay(TimeSpan.FromSeconds(5));
        await room.StopAsync(id);
        await server.WaitForExitAsync(TimeSpan.FromSeconds(15));
        var probe = await MediaTools.ProbeAsync(server.Output);
        Assert.Equal(["h264"], probe.Streams.Where(s => s.CodecType == "video").Select(s => s.CodecName));
        Assert.Equal(["aac"], probe.Streams.Where(s => s.CodecType == "audio").Select(s => s.CodecName));
        Assert.InRange(probe.Duration, 4, 6.5);
        var frames = await MediaTools.VideoFramesAsync(server.Output, W, H);
        var colour = MediaTools.ColourAt(frames[frames.Count / 2].Rgb, W, H, 0.25, 0.25);
        Assert.True(Signals.Near(colour, StreamedRoom.People[0].Colour, 45), $"red: {colour}");
    }

    [Fact]
    public async Task Bad_requests_are_refused()
    {
        foreach (object body in new object[] { new { }, new { url = "http://127.0.0.1/x" }, new { url = "rtmp:///nohost" }, new { url = "rtmp://127.0.0.1/live/k", resolution = "1x1" },
                     new { url = "rtmp://127.0.0.1/live/k", videoBitrateKbps = 9000 }, new { url = "rtmp://127.0.0.1/live/k", layout = "nope" } })
        {
            var response = await room.Http.PostAsync($"/api/rooms/{StreamedRoom.Room}/streams", System.Net.Http.Json.JsonContent.Create(body));
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{System.Text.Json.JsonSerializer.Serialize(body)}: {(int)response.StatusCode}");
        }
        using var anonymous = new HttpClient { BaseAddress = room.Server.BaseAddress };
        var noKey = await anonymous.PostAsync($"/api/rooms/{StreamedRoom.Room}/streams", System.Net.Http.Json.JsonContent.Create(new { url = "rtmp://127.0.0.1/live/k" }));
        Assert.Equal(HttpStatusCode.Unauthorized, noKey.StatusCode);
        using var viewer = new HttpClient { BaseAddress = room.Server.BaseAddress };
        viewer.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await room.TokenAsync(StreamedRoom.Room, "viewer"));
        var notAdmin = await viewer.PostAsync($"/api/rooms/{StreamedRoom.Room}/hls", System.Net.Http.Json.JsonContent.Create(new { }));
        Assert.Equal(HttpStatusCode.Forbidden, notAdmin.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await room.Http.GetAsync($"/api/rooms/{StreamedRoom.Room}/streams/nope")).StatusCode);
    }

    /// <summary>The lowest frame rate any bot received over one-second windows, until cancelled.</summary>
    private async Task<double> SampleLowestFps(CancellationToken stop)
    {
        double lowest = double.MaxValue;
        try
        {
            while (true)
            {
                await Task.Delay(1000, stop);
                lowest = Math.Min(lowest, room.Bots.Min(b => b.ReceivedFps(TimeSpan.FromSeconds(1))));
            }
        }
        catch (OperationCanceledException)
        {
        }
        return lowest;
    }

    private static async Task<(int Exit, string Errors)> RunAsync(TimeSpan within, string tool, params string[] arguments)
    {
        var start = new ProcessStartInfo(tool) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string a in arguments)
        {
            start.ArgumentList.Add(a);
        }
        using var process = Process.Start(start)!;
        var errors = process.StandardError.ReadToEndAsync();
        _ = process.StandardOutput.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(within);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            return (-1, $"{tool} did not finish within {within.TotalSeconds} s: {await errors}");
        }
        return (process.ExitCode, await errors);
    }
}
