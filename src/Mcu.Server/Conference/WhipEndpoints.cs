using Mcu.Conference.Layouts;
using Mcu.Conference.Mixing;
using Mcu.Conference.Rooms;
using Mcu.Server.Api;
using Mcu.Server.Auth;
using Mcu.Server.Rtc;

namespace Mcu.Server.Conference;

/// <summary>
/// Joining a room over WHIP (participants: send and receive) and WHEP (viewers: receive
/// only). The session's resource (the <c>Location</c>) is deleted to leave.
/// </summary>
public static class WhipEndpoints
{
    public static void MapWhipEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/rooms/{room}/whip", (HttpContext context, string room, string? name, string? tier, RtcHost host, RoomDirectory rooms, RoomCodecs codecs, CancellationToken ct) =>
            Join(context, room, name, tier, ParticipantRole.Participant, host, rooms, codecs, ct))
            .WithTags("WHIP").RequireRoomToken(ParticipantRole.Participant);
        app.MapPost("/api/rooms/{room}/whep", (HttpContext context, string room, string? name, string? tier, RtcHost host, RoomDirectory rooms, RoomCodecs codecs, CancellationToken ct) =>
            Join(context, room, name, tier, ParticipantRole.Viewer, host, rooms, codecs, ct))
            .WithTags("WHEP").RequireRoomToken(ParticipantRole.Viewer);

        app.MapDelete("/api/rooms/{room}/sessions/{id}", (string room, string id, RoomDirectory rooms) =>
        {
            if (!rooms.TryGet(room, out var r) || r.Find(id) is not { } participant)
            {
                return Results.Problem("No such session.", statusCode: StatusCodes.Status404NotFound);
            }
            r.Remove(participant, "left (WHIP DELETE)");
            return Results.Ok();
        }).WithTags("WHIP").RequireAnyRoomToken();
    }

    private static async Task<IResult> Join(HttpContext context, string roomName, string? name, string? tierName, ParticipantRole role,
        RtcHost host, RoomDirectory rooms, RoomCodecs codecs, CancellationToken ct)
    {
        var (offer, problem) = await SdpHttp.ReadOfferAsync(context.Request, ct);
        if (problem is not null)
        {
            return problem;
        }
        try
        {
            RoomDirectory.ValidateName(roomName);
        }
        catch (ArgumentException e)
        {
            return Results.Problem(e.Message, statusCode: StatusCodes.Status400BadRequest);
        }
        OutputTier? pinned = null;
        if (tierName is not null && (pinned = OutputTier.Find(tierName)) is null)
        {
            return Results.Problem($"tier '{tierName}' is not one of {string.Join(", ", OutputTier.All.Select(t => t.Name))}",
                statusCode: StatusCodes.Status400BadRequest);
        }
        var room = rooms.GetOrCreate(roomName);
        string id = Guid.NewGuid().ToString("N")[..12];
        try
        {
            Participant? participant = null;
            var (connection, answer) = host.Accept(offer!, receiveMedia: role == ParticipantRole.Participant, (answer, streams) =>
            {
                codecs.Check(room.Name, answer);
                return participant = room.Join(id, string.IsNullOrWhiteSpace(name) ? DefaultName(role, id) : name.Trim(), role, answer, streams, pinned);
            });
            participant!.Attach(connection);
            return SdpHttp.Created(context, $"/api/rooms/{roomName}/sessions/{id}", answer);
        }
        catch (RoomFullException e)
        {
            return Results.Problem(e.Message, statusCode: StatusCodes.Status409Conflict);
        }
        catch (LayoutTemplateException e)
        {
            return Results.Problem(e.Message, statusCode: StatusCodes.Status400BadRequest);
        }
        catch (Exception e) when (SdpHttp.Problem(e) is { } result)
        {
            return result;
        }
    }

    private static string DefaultName(ParticipantRole role, string id) =>
        (role == ParticipantRole.Viewer ? "Viewer " : "Guest ") + id[..4];
}
