namespace Mcu.Server.Api;

/// <summary>What the management API changed. Never a token: only rooms, roles and expiry.</summary>
internal static partial class Log
{
    [LoggerMessage(200, LogLevel.Information, "Room {Room} created (layout {Layout})")]
    public static partial void RoomCreated(ILogger logger, string room, string layout);

    [LoggerMessage(201, LogLevel.Information, "Room {Room} closed by the API")]
    public static partial void RoomClosed(ILogger logger, string room);

    [LoggerMessage(202, LogLevel.Information, "Room {Room}: layout set to {Layout}")]
    public static partial void LayoutApplied(ILogger logger, string room, string layout);

    [LoggerMessage(203, LogLevel.Information, "Room {Room}: {Participant} changed ({Changes})")]
    public static partial void ParticipantUpdated(ILogger logger, string room, string participant, string changes);

    [LoggerMessage(204, LogLevel.Information, "Room {Room}: {Participant} removed by the API")]
    public static partial void ParticipantRemoved(ILogger logger, string room, string participant);

    [LoggerMessage(205, LogLevel.Information, "Room {Room}: {Role} token issued, expires {ExpiresAt:u}")]
    public static partial void TokenIssued(ILogger logger, string room, string role, DateTimeOffset expiresAt);

    [LoggerMessage(206, LogLevel.Information, "Room {Room} ended: nobody in it for {Seconds} s and it was not created through the API")]
    public static partial void IdleRoomClosed(ILogger logger, string room, int seconds);
}
