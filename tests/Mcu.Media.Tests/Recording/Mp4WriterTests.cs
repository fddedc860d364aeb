using System.Diagnostics;
using System.Text.Json;
using Mcu.Media.Codecs;
using Mcu.Media.Frames;
using Mcu.Media.Recording;
using Mcu.Media.Tests.Codecs;

namespace Mcu.Media.Tests.Recording;

public sealed class Mp4WriterTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("mcu-mp4-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    /// <summary>5 s of 320x180 H.264 at 30 fps with a keyframe every second, and a 440 Hz tone.</summary>
    private string WriteFiveSeconds()
    {
        string path = Path.Combine(_folder, "room.mp4");
        using var writer = new Mp4Writer(path, 320, 180);
        using var encoder = new VideoEncoder(VideoCodec.H264, 320, 180, 30, 400);
        var pcm = new short[AudioFormat.SamplesPerFrame];
        long nextAudio = 0;
        int audioFrames = 0;
        for (int i = 0; i < 150; i++)
        {
            var frame = TestPattern.Draw(320, 180, i);
            frame.TimestampMicros = i * 1_000_000L / 30;
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
        writer.Complete();
        return path;
    }

    [Fact]
    public void WritesH264AndAacThatFfprobeReads()
    {
        string path = WriteFiveSeconds();
        var (exit, output, errors) = Run("ffprobe", "-v", "error", "-show_entries", "stream=codec_name:format=duration",
            "-of", "json", path);
        Assert.True(exit == 0, errors);
        using var json = JsonDocument.Parse(output);
        var codecs = json.RootElement.GetProperty("streams").EnumerateArray()
            .Select(s => s.GetProperty("codec_name").GetString()).ToList();
        Assert.Contains("h264", codecs);
        Assert.Contains("aac", codecs);
        double duration = double.Parse(json.RootElement.GetProperty("format").GetProperty("duration").GetString()!,
            System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(duration, 4.8, 5.2);
        Assert.Equal(150, CountVideoFrames(path));
    }

    [Fact]
    public void FileCutAtTheLastFragmentStillDecodes()
    {
        string path = WriteFiveSeconds();
        byte[] file = File.ReadAllBytes(path);
        int lastMoof = LastBoxOffset(file, "moof"u8);
        Assert.True(lastMoof > 0);

        string truncated = Path.Combine(_folder, "truncated.mp4");
        File.WriteAllBytes(truncated, file[..lastMoof]);
        var (exit, _, errors) = Run("ffmpeg", "-v", "error", "-i", truncated, "-f", "null", "-");
        Assert.True(exit == 0, errors);
        // One keyframe per second and one fragment per keyframe: only the last second is gone.
        Assert.Equal(120, CountVideoFrames(truncated));
    }

    [Fact]
    public void UnwritableFolderThrowsIOException()
    {
        string path = Path.Combine(_folder, "missing", "room.mp4");
        var error = Assert.Throws<IOException>(() => new Mp4Writer(path, 320, 180));
        Assert.Contains(path, error.Message);
        Assert.Contains("No such file or directory", error.Message);
    }

    [Fact]
    public void FileStartsAtTheFirstKeyframe()
    {
        string path = Path.Combine(_folder, "late.mp4");
        using (var writer = new Mp4Writer(path, 320, 180))
        using (var encoder = new VideoEncoder(VideoCodec.H264, 320, 180, 30, 400))
        {
            var frames = new List<(byte[] Data, bool Key, long Ts)>();
            for (int i = 0; i < 20; i++)
            {
                var frame = TestPattern.Draw(320, 180, i);
                encoder.Encode(frame, i == 10, (data, key, ts) => frames.Add((data.ToArray(), key, ts)));
                frame.Release();
            }
            // A recorder that joins late sees delta frames first: those are dropped.
            foreach (var f in frames.Skip(5))
            {
                writer.WriteVideo(f.Data, f.Ts, f.Key);
            }
        }
        Assert.Equal(10, CountVideoFrames(path));
    }

    private static int LastBoxOffset(byte[] file, ReadOnlySpan<byte> type)
    {
        // Walk the top-level boxes: size (32-bit big-endian), then the four-letter type.
        int offset = 0, last = -1;
        while (offset + 8 <= file.Length)
        {
            uint size = System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(file.AsSpan(offset));
            if (file.AsSpan(offset + 4, 4).SequenceEqual(type))
            {
                last = offset;
            }
            if (size < 8)
            {
                break;
            }
            offset += (int)size;
        }
        return last;
    }

    private static int CountVideoFrames(string path)
    {
        var (exit, output, errors) = Run("ffprobe", "-v", "error", "-count_frames", "-select_streams", "v:0",
            "-show_entries", "stream=nb_read_frames", "-of", "csv=p=0", path);
        Assert.True(exit == 0, errors);
        return int.Parse(output.Trim().TrimEnd(','));
    }

    private static (int ExitCode, string Output, string Errors) Run(string tool, params string[] arguments)
    {
        var start = new ProcessStartInfo(tool)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
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
