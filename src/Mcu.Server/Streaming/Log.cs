using Microsoft.Extensions.Logging;

namespace Mcu.Server.Streaming;

internal static partial class Log
{
    [LoggerMessage(1500, LogLevel.Information, "Stream {Id} of room {Room} to {Target}: {State} {Reason}")]
    public static partial void StateChanged(ILogger logger, string id, string room, string target, string state, string? reason);

    [LoggerMessage(1501, LogLevel.Information, "Stream {Id}: job skipped, {Why}")]
    public static partial void Skipped(ILogger logger, string id, string why);

    [LoggerMessage(1502, LogLevel.Warning, "Stream {Id}: cannot clear the HLS folder: {Error}")]
    public static partial void HlsFolderNotCleared(ILogger logger, string id, string error);
}
