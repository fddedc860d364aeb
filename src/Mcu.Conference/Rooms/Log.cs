using Microsoft.Extensions.Logging;

namespace Mcu.Conference.Rooms;

internal static partial class Log
{
    [LoggerMessage(100, LogLevel.Information, "Room {Room}: {Participant} ({DisplayName}) joined")]
    public static partial void Joined(ILogger logger, string room, string participant, string displayName);

    [LoggerMessage(101, LogLevel.Information, "Room {Room}: {Participant} left ({Reason})")]
    public static partial void Left(ILogger logger, string room, string participant, string reason);

    [LoggerMessage(102, LogLevel.Error, "Room {Room}: a media tick failed")]
    public static partial void TickFailed(ILogger logger, string room, Exception exception);

    [LoggerMessage(103, LogLevel.Warning, "Room {Room}: an event handler threw")]
    public static partial void EventHandlerFailed(ILogger logger, string room, Exception exception);

    [LoggerMessage(104, LogLevel.Warning, "Room {Room}: {Participant} sent a {Width}x{Height} picture, over the limit; refused, their placeholder is shown")]
    public static partial void PictureTooLarge(ILogger logger, string room, string participant, int width, int height);

    [LoggerMessage(105, LogLevel.Error, "Room {Room}: {Participant} threw in {What}; the room goes on")]
    public static partial void ParticipantFailed(ILogger logger, string room, string participant, string what, Exception exception);
}
