using System.Text.Json.Serialization;
using Mcu.Conference.Rooms;

namespace Mcu.Server.Api;

/// <summary>POST /api/rooms. Everything but the name is optional; <c>node</c> places the room on that node of the cluster.</summary>
public sealed record CreateRoomRequest(
    string Name,
    string? Layout = null,
    string? DefaultTier = null,
    string? MaxTier = null,
    IReadOnlyList<string>? Codecs = null,
    int? MaxParticipants = null,
    int? FramesPerSecond = null,
    bool? HideSelf = null,
    int? MaxViewers = null,
    string? Node = null,
    bool? LossRecovery = null,
    bool? NoiseSuppression = null,
    bool? AutoGain = null);

/// <summary>
/// GET /api/rooms. With several nodes also the room's <c>node</c> and <c>state</c> ("live", or "ended"
/// when its node died or restarted, with when and why); one node in memory lists only its live rooms, without them.
/// </summary>
public sealed record RoomSummary(string Name, int Participants, string? Layout, bool Recording, DateTimeOffset CreatedAt,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Node = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? State = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] DateTimeOffset? EndedAt = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Reason = null);

public sealed record RoomView(
    string Name,
    DateTimeOffset CreatedAt,
    string Layout,
    string? CurrentTemplate,
    string? ActiveSpeakerId,
    string? PinnedSpeakerId,
    string? SpeakerId,
    bool Recording,
    int Recorders,
    int VideoEncoders,
    RoomSettings Settings,
    IReadOnlyList<ParticipantView> Participants,
    // With several nodes: the node hosting the room and its URL (where the events socket is, for a page served by another node).
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Node = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? NodeUrl = null);

public sealed record RoomSettings(string DefaultTier, string MaxTier, IReadOnlyList<string> Codecs, int MaxParticipants, int FramesPerSecond, bool HideSelf, int MaxViewers, bool LossRecovery = true, bool NoiseSuppression = false, bool AutoGain = false);

public sealed record ParticipantView(
    string Id,
    string DisplayName,
    string Role,
    string State,
    bool AudioMuted,
    bool VideoMuted,
    string Tier,
    string? PinnedTier,
    string Codec,
    bool SendsVideo,
    DateTimeOffset JoinedAt,
    bool OnStage,
    bool Pinned,
    bool NoiseSuppression = false,
    bool AutoGain = false)
{
    public static ParticipantView Of(Participant p) => new(
        p.Id, p.DisplayName, p.Role switch { ParticipantRole.Viewer => "viewer", ParticipantRole.Screen => "screen", _ => "participant" }, p.State.ToString(),
        p.AudioMuted, p.VideoMuted, p.Tier.Name, p.Tiers.Pinned?.Name, p.OutputCodec.ToString(), p.SendsVideo, p.JoinedAt, p.OnStage, p.Pinned,
        p.NoiseSuppression, p.AutoGain);
}

/// <summary>
/// PATCH /api/rooms/{room}/participants/{id}: fields left out stay as they are. Tier "auto" unpins.
/// Pinned: always on the canvas, even when the room holds more people than its layout shows.
/// </summary>
public sealed record UpdateParticipantRequest(string? DisplayName = null, bool? AudioMuted = null, bool? VideoMuted = null, string? Tier = null, bool? Pinned = null,
    bool? NoiseSuppression = null, bool? AutoGain = null);

/// <summary>PUT /api/rooms/{room}/speaker: a participant id, or null to let the loudest speak.</summary>
public sealed record SpeakerRequest(string? ParticipantId);

/// <summary>PUT /api/rooms/{room}/layout.</summary>
public sealed record LayoutRequest(string Layout);

/// <summary>POST /api/rooms/{room}/tokens.</summary>
public sealed record TokenRequest(string? Role = null, int? TtlSeconds = null);

public sealed record TokenResponse(string Token, string Room, string Role, DateTimeOffset ExpiresAt);
