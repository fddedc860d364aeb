namespace Mcu.Conference.Rooms;

/// <summary>A snapshot of one participant's media counters.</summary>
public sealed record ParticipantStats(
    long VideoFramesDecoded,
    long VideoPacketsReceived,
    long VideoPacketsLost,
    long AudioPacketsReceived,
    long AudioFramesConcealed,
    long NacksSent,
    long KeyframeRequestsSent,
    long NacksReceived,
    long KeyframeRequestsReceived,
    long VideoPacketsSent,
    long AudioPacketsSent,
    long Retransmissions,
    int RoundTripMs,
    long RetransmissionsRefused = 0,
    long VideoPicturesTooLarge = 0,
    long VideoDecodeFailures = 0,
    long AudioPacketsDropped = 0,
    long VideoFramesDropped = 0,
    long VideoFramesUnsent = 0,
    long VideoFramesHidden = 0,
    int VideoInputWidth = 0,

    long AudioFramesDecoded = 0,             // RED's copies of lost packets included
    long AudioFramesRecoveredByRed = 0,
    long AudioFramesRecoveredByFec = 0,
    long AudioFramesSilent = 0);
