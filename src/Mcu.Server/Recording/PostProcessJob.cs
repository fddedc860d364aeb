using System.Diagnostics;
using System.Globalization;
using Hangfire;

namespace Mcu.Server.Recording;

/// <summary>
/// After a recording's file is closed: rewrite it as a plain MP4 with the index first
/// (faststart: players and browsers seek in it at once, where a fragmented file makes them
/// read every fragment), take a JPEG thumbnail, and measure duration and size. Uses FFmpeg's
/// command-line tools; without them the fragmented file stays, which plays too. Runs on the
/// shared queue (any node that sees the recordings folder). A problem here never loses the
/// recording: it is done, with the problem as its reason.
/// </summary>
public sealed class PostProcessJob(RecordingStore store, RecordingSettings settings, RecordingSessions sessions, ILogger<PostProcessJob> logger)
{
    private static readonly TimeSpan ToolTimeout = TimeSpan.FromMinutes(10);

    [AutomaticRetry(Attempts = 2)]
    [JobDisplayName("Post-process {0}")]
    public async Task RunAsync(string id)
    {
        var info = store.Get(id);
        if (info?.File is null || info.State is not (RecordingState.Finalizing or RecordingState.Interrupted))
        {
            Log.Skipped(logger, id, info is null ? "no such recording" : $"nothing to post-process ({info.State})");
            return;
        }
        if (!store.TryPathOf(info.File, out string path))
        {
            End(id, RecordingState.Failed, "its file is not a file of the recordings folder");
            return;
        }
        if (!File.Exists(path) || new FileInfo(path).Length == 0)
        {
            End(id, RecordingState.Failed, info.State == RecordingState.Interrupted
                ? "the server stopped before anything was written" : "nothing was recorded (stopped before the first picture): its file is missing or empty");
            return;
        }
        // At a shutdown, ffmpeg is stopped when the budget runs out and the recording stays
        // finalizing: the next start post-processes it again from the start.
        var deadline = sessions.ShutdownDeadline;
        try
        {
            await ProcessAsync(info, path, deadline);
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
            Log.PostProcessCutShort(logger, id);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A failure here must not leave it finalizing for good (a retry would meet the same disk).
            Log.PostProcessProblem(logger, id, e.Message);
            store.Update(id, current => current with
            {
                State = current.State == RecordingState.Interrupted ? RecordingState.Interrupted : RecordingState.Done,
                Reason = Reasons.WithoutPaths(current.State == RecordingState.Interrupted ? current.Reason : "post-processing: " + e.Message),
            });
        }
    }

    private async Task ProcessAsync(RecordingInfo info, string path, CancellationToken deadline)
    {
        string id = info.Id;
        var problems = new List<string>();
        bool finalized = info.Finalized;
        // An interrupted file is kept as it is: it is the evidence of what was recorded.
        if (info.State == RecordingState.Finalizing && !finalized)
        {
            string temp = path + ".faststart.tmp";
            try
            {
                string? error = await RunToolAsync(settings.Ffmpeg, ["-nostdin", "-v", "error", "-y", "-i", path, "-c", "copy", "-movflags", "+faststart", "-f", "mp4", temp], deadline);
                if (error is null)
                {
                    File.Move(temp, path, overwrite: true);
                    finalized = true;
                }
                else
                {
                    problems.Add("faststart copy: " + error);
                }
            }
            finally
            {
                File.Delete(temp);
            }
        }
        double duration = info.DurationSeconds;
        var (probeError, probed) = await ProbeDurationAsync(path, deadline);
        if (probed is double seconds)
        {
            duration = seconds;
        }
        else
        {
            problems.Add("duration: " + probeError);
        }
        string thumbnail = Path.GetFileNameWithoutExtension(info.File) + ".jpg";
        string at = Math.Min(1.0, duration / 2).ToString("F2", CultureInfo.InvariantCulture);
        string? thumbError = await RunToolAsync(settings.Ffmpeg, ["-nostdin", "-v", "error", "-y", "-ss", at, "-i", path, "-frames:v", "1", "-q:v", "4", store.PathOf(thumbnail)], deadline);
        if (thumbError is not null)
        {
            problems.Add("thumbnail: " + thumbError);
        }
        foreach (var problem in problems)
        {
            Log.PostProcessProblem(logger, id, problem);
        }
        string problemText = Reasons.WithoutPaths(string.Join("; ", problems))!;
        var done = store.Update(id, current => current with
        {
            // A file ffprobe cannot read is no recording: say so rather than call it done.
            State = probed is null ? RecordingState.Failed
                : current.State == RecordingState.Interrupted ? RecordingState.Interrupted : RecordingState.Done,
            Finalized = finalized,
            DurationSeconds = duration,
            SizeBytes = new FileInfo(path).Length,
            Thumbnail = thumbError is null ? thumbnail : null,
            Reason = probed is null ? $"the file does not play ({problemText})"
                : current.State == RecordingState.Interrupted ? current.Reason
                : problems.Count > 0 ? "post-processing: " + problemText : current.Reason,
        });
        if (done is not null)
        {
            Log.Done(logger, id, done.DurationSeconds, done.SizeBytes);
        }
    }

    private void End(string id, RecordingState state, string reason)
    {
        Log.PostProcessProblem(logger, id, reason);
        store.Update(id, current => current with { State = state, Reason = reason, EndedAt = current.EndedAt ?? DateTimeOffset.UtcNow });
    }

    private async Task<(string? Error, double? Seconds)> ProbeDurationAsync(string path, CancellationToken deadline)
    {
        var (error, output) = await RunAsync(settings.Ffprobe, ["-v", "error", "-show_entries", "format=duration", "-of", "default=nw=1:nk=1", path], deadline);
        if (error is not null)
        {
            return (error, null);
        }
        return double.TryParse(output.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out double seconds)
            ? (null, seconds)
            : ($"ffprobe said '{output.Trim()}'", null);
    }

    private static async Task<string?> RunToolAsync(string tool, string[] arguments, CancellationToken deadline) => (await RunAsync(tool, arguments, deadline)).Error;

    /// <summary>Runs a tool; the error is null on exit code 0 with nothing on stderr.</summary>
    /// <exception cref="OperationCanceledException"><paramref name="deadline"/> came first (the tool is killed).</exception>
    private static async Task<(string? Error, string Output)> RunAsync(string tool, string[] arguments, CancellationToken deadline)
    {
        deadline.ThrowIfCancellationRequested();
        var start = new ProcessStartInfo(tool) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException($"{tool} did not start");
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            return ($"{tool} is not available ({e.Message})", "");
        }
        using (process)
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(deadline);
            timeout.CancelAfter(ToolTimeout);
            var output = process.StandardOutput.ReadToEndAsync(timeout.Token);
            var error = process.StandardError.ReadToEndAsync(timeout.Token);
            try
            {
                await process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync(CancellationToken.None); // its output file is closed before anyone deletes it
                deadline.ThrowIfCancellationRequested();
                return ($"{tool} took longer than {ToolTimeout.TotalMinutes} minutes", "");
            }
            string stderr = (await error).Trim();
            if (process.ExitCode != 0 || stderr.Length > 0)
            {
                return ($"{tool} exited {process.ExitCode}: {(stderr.Length > 300 ? stderr[..300] : stderr)}", await output);
            }
            return (null, await output);
        }
    }
}
