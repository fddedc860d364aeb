using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace Mcu.EndToEnd.Tests.Recording;

/// <summary>FFmpeg's command-line tools, to judge a recording as any player would see it.</summary>
public static class MediaTools
{
    public sealed record Stream(string CodecType, string CodecName, double StartTime);

    public sealed record Probe(IReadOnlyList<Stream> Streams, double Duration);

    public static async Task<Probe> ProbeAsync(string file)
    {
        var (output, _) = await RunAsync("ffprobe", "-v", "error", "-show_entries", "stream=codec_type,codec_name,start_time:format=duration", "-of", "json", file);
        using var json = JsonDocument.Parse(output);
        var streams = json.RootElement.GetProperty("streams").EnumerateArray()
            .Select(s => new Stream(s.GetProperty("codec_type").GetString()!, s.GetProperty("codec_name").GetString()!,
                s.TryGetProperty("start_time", out var st) ? Parse(st.GetString()) : 0))
            .ToList();
        double duration = Parse(json.RootElement.GetProperty("format").GetProperty("duration").GetString());
        return new Probe(streams, duration);
    }

    /// <summary>What <c>ffmpeg -v error -i file -f null -</c> prints: empty for a clean file.</summary>
    public static async Task<string> DecodeErrorsAsync(string file)
    {
        var (output, errors) = await RunAsync("ffmpeg", "-nostdin", "-v", "error", "-i", file, "-f", "null", "-");
        return (output + errors).Trim();
    }

    /// <summary>
    /// The file plays as a player sees it: H.264 and AAC streams, and video frames decoded
    /// through to at least <paramref name="seconds"/> (its last fragment); returns the frames.
    /// </summary>
    public static async Task<List<(double Time, byte[] Rgb)>> AssertPlaysToAsync(string file, double seconds, int width = 64, int height = 36)
    {
        var probe = await ProbeAsync(file);
        Assert.Contains(probe.Streams, s => s.CodecType == "video" && s.CodecName == "h264");
        Assert.Contains(probe.Streams, s => s.CodecType == "audio" && s.CodecName == "aac");
        var frames = await VideoFramesAsync(file, width, height);
        Assert.True(frames.Count > 0 && frames[^1].Time >= seconds, $"{frames.Count} frames up to {(frames.Count > 0 ? frames[^1].Time : 0):F2} s, wanted {seconds:F2} s");
        return frames;
    }

    /// <summary>
    /// A fragmented MP4 as the recorder writes one (H.264 with a keyframe every second, AAC,
    /// a fragment per keyframe), of a test pattern and a 400 Hz tone, to plant in a recordings folder.
    /// </summary>
    public static async Task MakeFragmentedMp4Async(string path, double seconds)
    {
        string duration = seconds.ToString(CultureInfo.InvariantCulture);
        var (_, errors) = await RunAsync("ffmpeg", "-nostdin", "-v", "error", "-y",
            "-f", "lavfi", "-i", "testsrc=size=320x180:rate=25", "-f", "lavfi", "-i", "sine=frequency=400:sample_rate=48000",
            "-t", duration, "-c:v", "libx264", "-g", "25", "-pix_fmt", "yuv420p", "-c:a", "aac",
            "-movflags", "frag_keyframe+empty_moov+default_base_moof", path);
        Assert.True(File.Exists(path) && errors.Length == 0, $"ffmpeg: {errors}");
    }

    /// <summary>Every decoded video frame, scaled to <paramref name="width"/>x<paramref name="height"/> RGB, with its time.</summary>
    public static async Task<List<(double Time, byte[] Rgb)>> VideoFramesAsync(string file, int width, int height)
    {
        var (times, _) = await RunAsync("ffprobe", "-v", "error", "-select_streams", "v", "-show_entries", "frame=best_effort_timestamp_time", "-of", "csv=p=0", file);
        var pts = times.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(Parse).ToList();
        byte[] raw = await RunBytesAsync("ffmpeg", "-nostdin", "-v", "error", "-i", file, "-an", "-fps_mode", "passthrough",
            "-vf", $"scale={width}:{height}", "-f", "rawvideo", "-pix_fmt", "rgb24", "-");
        int size = width * height * 3;
        int count = Math.Min(pts.Count, raw.Length / size);
        return Enumerable.Range(0, count).Select(i => (pts[i], raw.AsSpan(i * size, size).ToArray())).ToList();
    }

    /// <summary>The audio decoded to 48 kHz mono.</summary>
    public static async Task<short[]> AudioAsync(string file)
    {
        byte[] raw = await RunBytesAsync("ffmpeg", "-nostdin", "-v", "error", "-i", file, "-vn", "-ac", "1", "-ar", "48000", "-f", "s16le", "-");
        var pcm = new short[raw.Length / 2];
        Buffer.BlockCopy(raw, 0, pcm, 0, pcm.Length * 2);
        return pcm;
    }

    /// <summary>Average colour around a point (fractions of the picture) of an RGB frame.</summary>
    public static (int R, int G, int B) ColourAt(byte[] rgb, int width, int height, double fx, double fy, int radius = 2)
    {
        int cx = (int)(fx * width), cy = (int)(fy * height);
        int r = 0, g = 0, b = 0, n = 0;
        for (int y = cy - radius; y <= cy + radius; y++)
        {
            for (int x = cx - radius; x <= cx + radius; x++)
            {
                int i = (y * width + x) * 3;
                r += rgb[i];
                g += rgb[i + 1];
                b += rgb[i + 2];
                n++;
            }
        }
        return (r / n, g / n, b / n);
    }

    private static double Parse(string? text) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) ? value : double.NaN;

    private static async Task<(string Output, string Errors)> RunAsync(string tool, params string[] arguments)
    {
        using var process = Start(tool, arguments);
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (await output, await errors);
    }

    private static async Task<byte[]> RunBytesAsync(string tool, params string[] arguments)
    {
        using var process = Start(tool, arguments);
        using var buffer = new MemoryStream();
        var errors = process.StandardError.ReadToEndAsync();
        await process.StandardOutput.BaseStream.CopyToAsync(buffer);
        await process.WaitForExitAsync();
        string text = await errors;
        Assert.True(process.ExitCode == 0 && text.Length == 0, $"{tool} failed: {text}");
        return buffer.ToArray();
    }

    private static Process Start(string tool, string[] arguments)
    {
        var start = new ProcessStartInfo(tool) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        return Process.Start(start)!;
    }
}
