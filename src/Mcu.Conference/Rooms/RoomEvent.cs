namespace Mcu.Conference.Rooms;

public enum RoomEventType
{
    ParticipantJoined,
    ParticipantLeft,
    ParticipantUpdated,
    SpeakerChanged,

    /// <summary>Who is seen changed (last N): <see cref="RoomEvent.Detail"/> lists the ids on stage, comma-separated.</summary>
    StageChanged,
    LayoutChanged,
    RecordingStarted,
    RecordingStopped,
    RecordingFailed,
    RoomClosed,
    StreamStarted,
    StreamStopped,
    StreamFailed,
}

/// <summary>Something that happened in a room, for the events WebSocket and the log.</summary>
public sealed record RoomEvent(RoomEventType Type, string? ParticipantId, string? Detail)
{
    public DateTimeOffset Timestamp { get; } = DateTimeOffset.UtcNow;
}
