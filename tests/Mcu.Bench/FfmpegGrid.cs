using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Mcu.Bench;

/// <summary>
/// The baseline a composing MCU is measured against: FFmpeg itself doing the video half of the
/// job for N participants in one process, single-threaded — decode N 640x360@30 VP8 streams
/// (one clip, looped, read at its own rate), scale each into its cell, stack them in a grid
/// (xstack) and encode the one 1280x720 canvas to VP8 in real time. Its CPU per participant
/// per second is what <c>--baseline</c> prints beside the server's (which also does the audio,
/// the SRTP and a send per participant).
/// </summary>
internal static class FfmpegGrid
{
    public const int Participants = 36;
    private static readonly TimeSpan WarmUp = TimeSpan.FromSeconds(2);

    /// <summary>Runs the grid for <paramref name="seconds"/> after a warm-up; returns its CPU in ms per participant per second.</summary>
    public static async Task<double> CpuMsPerParticipantSecond(int seconds, TextWriter human)
    {
        string folder = Directory.CreateTempSubdirectory("mcu-baseline").FullName;
        try
        {
            string clip = Path.Combine(folder, "clip.webm");
            await RunToEnd("-hide_banner -loglevel error -f lavfi -i testsrc2=size=640x360:rate=30 -t 4 " +
                           $"-c:v libvpx -b:v 800k -deadline realtime -cpu-used 8 -g 60 -y {clip}");
            int columns = (int)Math.Ceiling(Math.Sqrt(Participants));
            int rows = (Participants + columns - 1) / columns;
            int cellWidth = 1280 / columns / 2 * 2, cellHeight = 720 / rows / 2 * 2;
            var args = new StringBuilder("-hide_banner -loglevel error -nostats ");
            for (int i = 0; i < Participants; i++)
            {
                args.Append(CultureInfo.InvariantCulture, $"-threads 1 -stream_loop -1 -re -i {clip} ");
            }
            var filter = new StringBuilder();
            var layout = new List<string>();
            for (int i = 0; i < Participants; i++)
            {
                filter.Append(CultureInfo.InvariantCulture, $"[{i}:v]scale={cellWidth}:{cellHeight}[c{i}];");
                layout.Add($"{i % columns * cellWidth}_{i / columns * cellHeight}");
            }
            for (int i = 0; i < Participants; i++)
            {
                filter.Append(CultureInfo.InvariantCulture, $"[c{i}]");
            }
            filter.Append(CultureInfo.InvariantCulture, $"xstack=inputs={Participants}:layout={string.Join('|', layout)}:fill=black[out]");
            args.Append("-filter_threads 1 -filter_complex_threads 1 -filter_complex \"").Append(filter).Append("\" -map [out] ")
                .Append("-c:v libvpx -b:v 1500k -deadline realtime -cpu-used 8 -threads 1 -f null -");
            using var ffmpeg = Start(args.ToString());
            await Task.Delay(WarmUp);
            var before = Cpu(ffmpeg);
            var wall = Stopwatch.StartNew();
            await Task.Delay(TimeSpan.FromSeconds(seconds));
            var cpu = Cpu(ffmpeg) - before;
            double elapsed = wall.Elapsed.TotalSeconds;
            if (ffmpeg.HasExited)
            {
                throw new InvalidOperationException($"the ffmpeg grid exited early ({ffmpeg.ExitCode}): {await ffmpeg.StandardError.ReadToEndAsync()}");
            }
            ffmpeg.Kill(entireProcessTree: true);
            double perParticipantSecond = cpu.TotalMilliseconds / Participants / elapsed;
            human.WriteLine($"baseline: ffmpeg grid of {Participants} (decode, scale, xstack, one VP8 encode; video only, one thread): " +
                            $"{cpu.TotalSeconds / elapsed * 100:F0} % of one core = {perParticipantSecond:F1} ms of CPU per participant per second");
            return perParticipantSecond;
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static Process Start(string arguments) =>
        Process.Start(new ProcessStartInfo("ffmpeg", arguments) { RedirectStandardError = true, RedirectStandardInput = true })
        ?? throw new InvalidOperationException("could not start ffmpeg");

    private static async Task RunToEnd(string arguments)
    {
        using var process = Start(arguments);
        string error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"ffmpeg {arguments} failed: {error}");
        }
    }

    private static TimeSpan Cpu(Process process)
    {
        process.Refresh();
        return process.TotalProcessorTime;
    }
}
