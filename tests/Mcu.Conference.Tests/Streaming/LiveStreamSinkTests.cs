using System.Diagnostics;
using Mcu.Conference.Mixing;
using Mcu.Conference.Streaming;
using Mcu.Media.Codecs;
using Mcu.Media.Frames;
using Mcu.Media.Streaming;
using Mcu.Testing.Streaming;

namespace Mcu.Conference.Tests.Streaming;

/// <summary>The sink against FFmpeg as the RTMP server, fed in real time as a room's clocks would feed it.</summary>
public sealed class LiveStreamSinkTests : IDisposable
{
    private static readonly OutputTier Tier = OutputTier.Medium;
    private readonly string _folder = Directory.CreateTempSubdirectory("mcu-sink-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task GoesLiveReconnectsWhenTheServerRestartsAndNeverHoldsTheClock()
    {
        int port = FfmpegListener.FreeTcpPort();
        var first = FfmpegListener.Rtmp(port, Path.Combine(_folder, "first.flv"));
        var states = new List<LiveStreamState>();
        using var sink = new LiveStreamSink(new LiveStreamTarget(StreamFormat.Flv, first.Url, null, "test"), Tier,
            new LiveStreamOptions { FirstBackoff = TimeSpan.FromMilliseconds(200), MaxBackoff = TimeSpan.FromMilliseconds(500), IoTimeout = TimeSpan.FromSeconds(2) });
        sink.StateChanged += (_, state, _) => { lock (states) { states.Add(state); } };
        using var feeder = new RoomClockFeeder(sink);
        sink.Start();

        await WaitFor(() => sink.State == LiveStreamState.Live, "live");
        await Task.Delay(2000);
        first.Kill();
        await WaitFor(() => sink.State == LiveStreamState.Reconnecting, "reconnecting");
        Assert.NotNull(sink.Reason);
        await Task.Delay(1000);
        using var second = FfmpegListener.Rtmp(port, Path.Combine(_folder, "second.flv"));
        await WaitFor(() => sink.State == LiveStreamState.Live, "live again");
        await Task.Delay(3000);
        feeder.Dispose();

        Assert.Null(await sink.StopAsync().WaitAsync(TimeSpan.FromSeconds(10)));
        await second.WaitForExitAsync(TimeSpan.FromSeconds(10));
        first.Dispose();
        Assert.Equal(LiveStreamState.Stopped, sink.State);
        Assert.Equal(1, sink.Reconnects);
        Assert.True(sink.BytesSent > 20_000, $"{sink.BytesSent} bytes");
        lock (states)
        {
            Assert.Equal([LiveStreamState.Live, LiveStreamState.Reconnecting, LiveStreamState.Live, LiveStreamState.Stopped],
                states.Where((s, i) => i == 0 || states[i - 1] != s).SkipWhile(s => s == LiveStreamState.Starting)); // tries while FFmpeg comes up
        }
        // What the restarted server got starts at a keyframe and decodes: H.264 and AAC for about 3 s.
        var (codecs, duration) = Probe(second.Output);
        Assert.Equal(["aac", "h264"], codecs.Order());
        Assert.InRange(duration, 2.5, 4.5);
        // The room's clock threads only ever queued: no call took long while the server was gone.
        Assert.True(feeder.LongestCall < TimeSpan.FromMilliseconds(50), $"longest sink call {feeder.LongestCall.TotalMilliseconds} ms");
    }

    [Fact]
    public async Task FailsWithTheReasonWhenTheEndpointStaysAway()
    {
        int port = FfmpegListener.FreeTcpPort(); // nobody listens
        using var sink = new LiveStreamSink(new LiveStreamTarget(StreamFormat.Flv, $"rtmp://127.0.0.1:{port}/live/key", null, "the platform"), Tier,
            new LiveStreamOptions { ReconnectWindow = TimeSpan.FromSeconds(1.5), FirstBackoff = TimeSpan.FromMilliseconds(200) });
        var clock = Stopwatch.StartNew();
        sink.Start();
        string? failure = await sink.Ended.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(1.4), TimeSpan.FromSeconds(8));
        Assert.Equal(LiveStreamState.Failed, sink.State);
        Assert.NotNull(failure);
        Assert.Contains("the platform", failure);
        Assert.DoesNotContain("live/key", failure);
        Assert.Equal(failure, sink.Reason);
    }

    [Fact]
    public async Task StopEndsAConnectThatHangs()
    {
        using var silent = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        silent.Start();
        int port = ((System.Net.IPEndPoint)silent.LocalEndpoint).Port;
        using var sink = new LiveStreamSink(new LiveStreamTarget(StreamFormat.Flv, $"rtmp://127.0.0.1:{port}/live/key", null, "test"), Tier,
            new LiveStreamOptions { IoTimeout = TimeSpan.FromSeconds(60) });
        sink.Start();
        await Task.Delay(500);
        Assert.Equal(LiveStreamState.Starting, sink.State);
        var clock = Stopwatch.StartNew();
        Assert.Null(await sink.StopAsync().WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(3), $"took {clock.Elapsed}");
        Assert.Equal(LiveStreamState.Stopped, sink.State);
    }

    [Fact]
    public async Task StopBeforeStartEnds()
    {
        using var sink = new LiveStreamSink(new LiveStreamTarget(StreamFormat.Flv, "rtmp://127.0.0.1:1/live/key", null, "test"), Tier);
        Assert.Null(await sink.StopAsync().WaitAsync(TimeSpan.FromSeconds(1)));
        Assert.Equal(LiveStreamState.Stopped, sink.State);
    }

    private static async Task WaitFor(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"the stream did not get {what} within 20 s");
            }
            await Task.Delay(50);
        }
    }

    private static (List<string> Codecs, double Duration) Probe(string path)
    {
        var start = new ProcessStartInfo("ffprobe") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string a in (string[])["-v", "error", "-show_entries", "stream=codec_name:format=duration", "-of", "csv=p=0", path])
        {
            start.ArgumentList.Add(a);
        }
        using var process = Process.Start(start)!;
        string output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var codecs = lines.Where(l => char.IsLetter(l[0])).Select(l => l.TrimEnd(',')).ToList();
        double duration = lines.Where(l => char.IsDigit(l[0])).Select(l => double.Parse(l, System.Globalization.CultureInfo.InvariantCulture)).Last();
        return (codecs, duration);
    }

    /// <summary>A room's two clocks in real time: 30 fps of H.264 (keyframes when the sink asks) and 20 ms of a tone.</summary>
    private sealed class RoomClockFeeder : IDisposable
    {
        private readonly LiveStreamSink _sink;
        private readonly Thread _thread;
        private volatile bool _stop;
        private long _longestTicks;

        public RoomClockFeeder(LiveStreamSink sink)
        {
            _sink = sink;
            _thread = new Thread(Run) { IsBackground = true };
            _thread.Start();
        }

        public TimeSpan LongestCall => TimeSpan.FromTicks(Interlocked.Read(ref _longestTicks));

        public void Dispose()
        {
            _stop = true;
            _thread.Join();
        }

        private void Run()
        {
            using var encoder = new VideoEncoder(VideoCodec.H264, Tier.Width, Tier.Height, 30, 500);
            var frame = VideoFrame.Create(Tier.Width, Tier.Height);
            frame.Y.Fill(120);
            frame.U.Fill(60);
            frame.V.Fill(200);
            var pcm = new short[AudioFormat.SamplesPerFrame];
            var clock = Stopwatch.StartNew();
            long nextVideo = 0, nextAudio = 0, samples = 0;
            while (!_stop)
            {
                long now = clock.Elapsed.Ticks / 10;
                if (now >= nextAudio)
                {
                    for (int i = 0; i < pcm.Length; i++, samples++)
                    {
                        pcm[i] = (short)(6000 * Math.Sin(2 * Math.PI * 660 * samples / AudioFormat.SampleRate));
                    }
                    Timed(() => _sink.OnAudio(pcm, nextAudio));
                    nextAudio += 20_000;
                }
                if (now >= nextVideo)
                {
                    frame.TimestampMicros = nextVideo;
                    long at = nextVideo;
                    bool key = _sink.WantsKeyframe;
                    encoder.Encode(frame, key, (data, keyframe, _) =>
                    {
                        var copy = data.ToArray();
                        Timed(() => _sink.OnVideo(copy, keyframe, at));
                    });
                    nextVideo += 33_333;
                }
                Thread.Sleep(2);
            }
            frame.Release();
        }

        private void Timed(Action call)
        {
            long start = Stopwatch.GetTimestamp();
            call();
            long ticks = Stopwatch.GetElapsedTime(start).Ticks;
            long seen;
            while (ticks > (seen = Interlocked.Read(ref _longestTicks)) && Interlocked.CompareExchange(ref _longestTicks, ticks, seen) != seen)
            {
            }
        }
    }
}
