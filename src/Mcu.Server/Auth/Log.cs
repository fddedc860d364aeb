namespace Mcu.Server.Auth;

/// <summary>Refusals, by method and path only: the token itself is never logged.</summary>
internal static partial class Log
{
    [LoggerMessage(400, LogLevel.Information, "Refused {Method} {Path}: {Status} ({Reason})")]
    public static partial void Refused(ILogger logger, string method, string path, int status, string reason);
}
