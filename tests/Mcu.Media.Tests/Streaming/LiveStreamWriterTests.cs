using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Mcu.Media.Codecs;
using Mcu.Media.Frames;
using Mcu.Media.Streaming;
using Mcu.Media.Tests.Codecs;
using Mcu.Testing.Streaming;

namespace Mcu.Media.Tests.Streaming;

public sealed class LiveStreamWriterTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("mcu-stream-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task PublishesH264AndAacToAnRtmpServer()
    {
        int port = FfmpegListener.FreeTcpPort();
        using var server = FfmpegListener.Rtmp(port, Path.Combine(_folder, "got.flv"));
        using var writer = OpenWithRetry(() => new LiveStreamWriter(StreamFormat.Flv, server.Url, 320, 180, TimeSpan.FromSeconds(5)));
        WriteSeconds(writer, 4);
        Assert.True(writer.BytesSent > 10_000, $"{writer.BytesSent} bytes sent");
        writer.Complete();
        await server.WaitForExitAsync(TimeSpan.FromSeconds(10));
        AssertH264AndAac(server.Output, 4);
    }

    [Fact]
    public async Task SendsMpegTsToAnSrtListener()
    {
        int port = FfmpegListener.FreeUdpPort();
        using var server = FfmpegListener.Srt(port, Path.Combine(_folder, "got.ts"));
        using var writer = OpenWithRetry(() => new LiveStreamWriter(StreamFormat.MpegTs, server.Url, 320, 180, TimeSpan.FromSeconds(5)));
        WriteSeconds(writer, 4, realTime: true); // SRT's live mode drops what a burst leaves unsent at close
        writer.Complete();
        await server.WaitForExitAsync(TimeSpan.FromSeconds(10));
        AssertH264AndAac(server.Output, 4);
    }

    [Fact]
    public void WritesHlsWithFmp4SegmentsOfTwoSeconds()
    {
        string playlist = Path.Combine(_folder, "index.m3u8");
        using (var writer = new LiveStreamWriter(StreamFormat.Hls, playlist, 320, 180, TimeSpan.FromSeconds(5),
            $"hls_time=2:hls_list_size=0:hls_segment_type=fmp4:hls_fmp4_init_filename=init.mp4:hls_segment_filename={_folder}/seg%05d.m4s"))
        {
            writer.Open();
            WriteSeconds(writer, 6);
            writer.Complete();
        }
        string text = File.ReadAllText(playlist);
        Assert.Contains("#EXT-X-MAP:URI=\"init.mp4\"", text);
        Assert.Contains("seg00000.m4s", text);
        Assert.Contains("#EXT-X-ENDLIST", text);
        Assert.Equal(3, text.Split('\n').Count(l => l.StartsWith("#EXTINF:", StringComparison.Ordinal)));
        AssertH264AndAac(playlist, 6);
    }

    [Fact]
    public void RefusedConnectionFailsAtOnce()
    {
        int port = FfmpegListener.FreeTcpPort(); // nobody listens
        using var writer = new LiveStreamWriter(StreamFormat.Flv, $"rtmp://127.0.0.1:{port}/live/key", 320, 180, TimeSpan.FromSeconds(10),
            displayTarget: "the test endpoint");
        var clock = Stopwatch.StartNew();
        var error = Assert.Throws<IOException>(writer.Open);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"took {clock.Elapsed}");
        Assert.Contains("the test endpoint", error.Message);
        Assert.DoesNotContain("live/key", error.Message);
    }

    [Fact]
    public void SilentEndpointTimesOut()
    {
        using var silent = new TcpListener(IPAddress.Loopback, 0); // accepts (the kernel does) and never answers the handshake
        silent.Start();
        int port = ((IPEndPoint)silent.LocalEndpoint).Port;
        using var writer = new LiveStreamWriter(StreamFormat.Flv, $"rtmp://127.0.0.1:{port}/live/key", 320, 180, TimeSpan.FromMilliseconds(700));
        var clock = Stopwatch.StartNew();
        var error = Assert.Throws<IOException>(writer.Open);
        Assert.InRange(clock.Elapsed, TimeSpan.FromMilliseconds(600), TimeSpan.FromSeconds(5));
        Assert.Contains("timed out", error.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task AbortEndsABlockedConnectFromAnotherThread()
    {
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        int port = ((IPEndPoint)silent.LocalEndpoint).Port;
        using var writer = new LiveStreamWriter(StreamFormat.Flv, $"rtmp://127.0.0.1:{port}/live/key", 320, 180, TimeSpan.FromSeconds(60));
        var clock = Stopwatch.StartNew();
        var opening = Task.Run(writer.Open);
        await Task.Delay(300);
        Assert.False(opening.IsCompleted);
        writer.Abort();
        var error = await Assert.ThrowsAsync<IOException>(() => opening);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"took {clock.Elapsed}");
        Assert.Contains("exit", error.Message, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>The listener takes a moment to start listening: a refused connection is tried again.</summary>
    private static LiveStreamWriter OpenWithRetry(Func<LiveStreamWriter> make)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (true)
        {
            var writer = make();
            try
            {
                writer.Open();
                return writer;
            }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
                writer.Dispose();
                Thread.Sleep(100);
            }
        }
    }

    /// <summary>Seconds of 320x180 H.264 at 30 fps (a keyframe every second) and a 440 Hz tone, as fast as they encode or in real time.</summary>
    private static void WriteSeconds(LiveStreamWriter writer, int seconds, bool realTime = false)
    {
        var clock = Stopwatch.StartNew();
        using var encoder = new VideoEncoder(VideoCodec.H264, 320, 180, 30, 400);
        var pcm = new short[AudioFormat.SamplesPerFrame];
        long nextAudio = 0;
        int audioFrames = 0;
        for (int i = 0; i < seconds * 30; i++)
        {
            var frame = TestPattern.Draw(320, 180, i);
            frame.TimestampMicros = i * 1_000_000L / 30;
            if (realTime && clock.Elapsed.Ticks / 10 < frame.TimestampMicros)
            {
                Thread.Sleep(TimeSpan.FromTicks(frame.TimestampMicros * 10 - clock.Elapsed.Ticks));
            }
            encoder.Encode(frame, i % 30 == 0, (data, key, ts) => writer.WriteVideo(data, ts, key));
            frame.Release();
            while (nextAudio <= (i + 1) * 1_000_000L / 30)
            {
                for (int s = 0; s < pcm.Length; s++)
                {
                    int n = audioFrames * pcm.Length + s;
                    pcm[s] = (short)(8000 * Math.Sin(2 * Math.PI * 440 * n / AudioFormat.SampleRate));
                }
                writer.WriteAudio(pcm, nextAudio);
                audioFrames++;
                nextAudio += AudioFormat.FrameMillis * 1000;
            }
        }
    }

    private static void AssertH264AndAac(string path, double seconds)
    {
        var (exit, output, errors) = Run("ffprobe", "-v", "error", "-show_entries", "stream=codec_name:format=duration", "-of", "json", path);
        Assert.True(exit == 0, errors);
        using var json = JsonDocument.Parse(output);
        var codecs = json.RootElement.GetProperty("streams").EnumerateArray().Select(s => s.GetProperty("codec_name").GetString()).ToList();
        Assert.Contains("h264", codecs);
        Assert.Contains("aac", codecs);
        // Decode it all: the whole stream is playable, not just its headers.
        var (decodeExit, _, decodeErrors) = Run("ffmpeg", "-v", "error", "-i", path, "-f", "null", "-");
        Assert.True(decodeExit == 0, decodeErrors);
        double duration = double.Parse(json.RootElement.GetProperty("format").GetProperty("duration").GetString()!, CultureInfo.InvariantCulture);
        Assert.InRange(duration, seconds * 0.9, seconds * 1.1);
    }

    private static (int ExitCode, string Output, string Errors) Run(string tool, params string[] arguments)
    {
        var start = new ProcessStartInfo(tool) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        string stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, stdout, stderr.Result);
    }
}
