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
}
