using Mcu.Conference.Mixing;
using Mcu.Conference.Rooms;
using Mcu.Server.Auth;

namespace Mcu.Server.Api;

/// <summary>/api/rooms/{room}/participants: list, change (mute, name, tier) and remove people.</summary>
public static class ParticipantEndpoints
{
    public static void MapParticipantEndpoints(this IEndpointRouteBuilder app)
    {
        var participants = app.MapGroup("/api/rooms/{room}/participants").WithTags("Participants");

        participants.MapGet("/", (string room, RoomDirectory directory) =>
            directory.TryGet(room, out var r)
                ? Results.Ok(r.Participants.Select(ParticipantView.Of).ToList())
                : RoomEndpoints.NoRoom(room))
            .Produces<List<ParticipantView>>().RequireRoomReader();

        participants.MapGet("/{id}", (string room, string id, RoomDirectory directory) =>
            Find(directory, room, id, out var p) is { } problem ? problem : Results.Ok(ParticipantView.Of(p)))
            .Produces<ParticipantView>().RequireRoomReader();

        participants.MapPatch("/{id}", async (string room, string id, HttpRequest request, RoomDirectory directory, SessionOwners owners, ILogger<Room> logger, CancellationToken ct) =>
        {
            var (body, problem) = await JsonBody.ReadAsync<UpdateParticipantRequest>(request, ct);
            if (problem is not null)
            {
                return problem;
            }
            // A person mutes and unmutes themselves (the page's buttons) with the token that made their
            // session, the one that may also end it; names and tiers stay the admin's.
            var caller = Caller.From(request.HttpContext);
            if (!caller.IsAdmin && (!owners.MayEnd(caller, room, id) || body!.DisplayName is not null || body.Tier is not null || body.Pinned is not null
                                    || body.NoiseSuppression is not null || body.AutoGain is not null))
            {
                return BearerAuth.Forbidden(request.HttpContext,
                    "A room token changes only audioMuted and videoMuted, of the session it made; the rest needs the admin key.");
            }
            if (Find(directory, room, id, out var p) is { } missing)
            {
                return missing;
            }
            OutputTier? tier = null;
            if (body!.Tier is { } tierName && tierName != "auto" && (tier = OutputTier.Find(tierName)) is null)
            {
                return RoomEndpoints.Invalid($"tier '{tierName}' is not auto or one of {string.Join(", ", OutputTier.All.Select(t => t.Name))}");
            }
            if (body.DisplayName is { } name && DisplayName.Problem("displayName", name) is { } badName)
            {
                return RoomEndpoints.Invalid(badName);
            }
            if (!directory.TryGet(room, out var r))
            {
                return RoomEndpoints.NoRoom(room); // it closed since the participant was found
            }
            if (tier is not null && OutputTier.Find(r.Options.MaxTier) is { } max && Room.IsAbove(tier, max))
            {
                return RoomEndpoints.Invalid($"tier '{tier.Name}' is above room {room}'s maxTier '{max.Name}'");
            }
            var changes = new List<string>();
            if (body.DisplayName is not null && body.DisplayName.Trim() != p.DisplayName)
            {
                p.DisplayName = body.DisplayName.Trim();
                changes.Add("displayName");
            }
            if (body.AudioMuted is { } audio && audio != p.AudioMuted)
            {
                p.AudioMuted = audio;
                changes.Add(audio ? "audioMuted" : "audioUnmuted");
            }
            if (body.VideoMuted is { } video && video != p.VideoMuted)
            {
                p.VideoMuted = video;
                changes.Add(video ? "videoMuted" : "videoUnmuted");
            }
            if (body.Tier is not null)
            {
                p.Tiers.Pin(tier);
                changes.Add("tier");
            }
            if (body.Pinned is { } pinned && pinned != p.Pinned)
            {
                p.Pinned = pinned;
                changes.Add(pinned ? "pinned" : "unpinned");
            }
            if ((body.NoiseSuppression is not null || body.AutoGain is not null) && p.SetVoiceProcessing(body.NoiseSuppression, body.AutoGain))
            {
                changes.Add("voiceProcessing");
            }
            if (changes.Count > 0)
            {
                r.OnParticipantUpdated(p, string.Join(",", changes));
                Log.ParticipantUpdated(logger, room, id, string.Join(",", changes));
            }
            return Results.Ok(ParticipantView.Of(p));
        }).Accepts<UpdateParticipantRequest>("application/json").Produces<ParticipantView>().RequireAnyRoomToken();

        participants.MapDelete("/{id}", (string room, string id, RoomDirectory directory, ILogger<Room> logger) =>
        {
            if (Find(directory, room, id, out var p) is { } problem)
            {
                return problem;
            }
            if (!directory.TryGet(room, out var r))
            {
                return RoomEndpoints.NoRoom(room);
            }
            r.Remove(p, "removed by the API");
            Log.ParticipantRemoved(logger, room, id);
            return Results.NoContent();
        }).RequireAdmin();
    }

    public static IResult NoParticipant(string room, string id) =>
        Results.Problem($"no participant '{id}' in room '{room}'", title: "Not found", statusCode: StatusCodes.Status404NotFound);

    private static IResult? Find(RoomDirectory directory, string room, string id, out Participant participant)
    {
        participant = null!;
        if (!directory.TryGet(room, out var r))
        {
            return RoomEndpoints.NoRoom(room);
        }
        if (r.Find(id) is not { } p)
        {
            return NoParticipant(room, id);
        }
        participant = p;
        return null;
    }
}
