using Microsoft.Extensions.Logging;

namespace Mcu.Server.Recording;

internal static partial class Log
{
    [LoggerMessage(700, LogLevel.Information, "Recording {Id} of room {Room} started: {File}")]
    public static partial void Started(ILogger logger, string id, string room, string file);

    [LoggerMessage(701, LogLevel.Information, "Recording {Id} stopped after {Seconds:F1} s ({Dropped} items dropped)")]
    public static partial void Stopped(ILogger logger, string id, double seconds, long dropped);

    [LoggerMessage(702, LogLevel.Error, "Recording {Id} failed: {Reason}")]
    public static partial void Failed(ILogger logger, string id, string reason);

    [LoggerMessage(703, LogLevel.Warning, "Recording {Id} was interrupted (the server stopped while it recorded)")]
    public static partial void Interrupted(ILogger logger, string id);

    [LoggerMessage(704, LogLevel.Information, "Recording {Id}: job skipped, {Why}")]
    public static partial void Skipped(ILogger logger, string id, string why);

    [LoggerMessage(705, LogLevel.Warning, "Recording {Id}: post-processing: {Problem}")]
    public static partial void PostProcessProblem(ILogger logger, string id, string problem);

    [LoggerMessage(706, LogLevel.Information, "Recording {Id} done: {Seconds:F1} s, {Bytes} bytes")]
    public static partial void Done(ILogger logger, string id, double seconds, long bytes);

    [LoggerMessage(707, LogLevel.Warning, "Recording {Id}: post-processing cut short by the shutdown; the next start finishes it")]
    public static partial void PostProcessCutShort(ILogger logger, string id);

    [LoggerMessage(708, LogLevel.Warning, "Recording {Id} of node {Node}: {State} -> {NewState} ({Why})")]
    public static partial void Recovered(ILogger logger, string id, string? node, RecordingState state, RecordingState newState, string why);

    [LoggerMessage(709, LogLevel.Information, "Recording {Id} of node {Node}: finalizing without post-processing pending; post-processing it")]
    public static partial void PostProcessRequeued(ILogger logger, string id, string? node);

    [LoggerMessage(710, LogLevel.Warning, "Recovery of recordings skipped this time: {Why}")]
    public static partial void RecoverySkipped(ILogger logger, string why);

    [LoggerMessage(711, LogLevel.Information, "Node name: {Node} ({Source}); its recording jobs use the Hangfire queue {Queue}")]
    public static partial void NodeName(ILogger logger, string node, string source, string queue);

    [LoggerMessage(712, LogLevel.Warning, "Recording workers still busy {Seconds:F0} s into the stop; what they leave unfinished, the next start finishes")]
    public static partial void WorkersStillBusy(ILogger logger, double seconds);
}
