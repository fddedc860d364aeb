using Mcu.Conference.Layouts;
using Mcu.Conference.Mixing;
using Mcu.Conference.Rooms;
using Mcu.Server.Api;
using Mcu.Server.Auth;
using Mcu.Server.Cluster;
using Mcu.Server.Rtc;

namespace Mcu.Server.Conference;

/// <summary>
/// Joining a room over WHIP (participants: send and receive) and WHEP (viewers: receive
/// only). The session's resource (the <c>Location</c>) is deleted to leave, by the token
/// that made it or the admin key. A join to a room that does not exist makes it (with the
/// default settings, ended when idle), but only once the offer has been accepted: a failed
/// join leaves nothing behind.
/// </summary>
public static class WhipEndpoints
{
    public static void MapWhipEndpoints(this IEndpointRouteBuilder app)
    {
        // ?role=screen: a participant's second session sharing a screen (video only, sent nothing), same token.
        app.MapPost("/api/rooms/{room}/whip", (HttpContext context, string room, string? name, string? tier, string? role, CancellationToken ct) =>
            role switch
            {
                null or "participant" => Join(context, room, name, tier, ParticipantRole.Participant, ct),
                "screen" => Join(context, room, name, tier, ParticipantRole.Screen, ct),
                _ => Task.FromResult(RoomEndpoints.Invalid($"role '{role}' is not one of participant, screen")),
            })
            .WithTags("WHIP").RequireRoomToken(ParticipantRole.Participant);
        app.MapPost("/api/rooms/{room}/whep", (HttpContext context, string room, string? name, string? tier, CancellationToken ct) =>
            Join(context, room, name, tier, ParticipantRole.Viewer, ct))
            .WithTags("WHEP").RequireRoomToken(ParticipantRole.Viewer);

        app.MapDelete("/api/rooms/{room}/sessions/{id}", (HttpContext context, string room, string id, RoomDirectory rooms, SessionOwners owners) =>
        {
            if (!rooms.TryGet(room, out var r) || r.Find(id) is not { } participant)
            {
                return Results.Problem("No such session.", title: "Not found", statusCode: StatusCodes.Status404NotFound);
            }
            if (!owners.MayEnd(Caller.From(context), room, id))
            {
                return BearerAuth.Forbidden(context, "Only the token that made this session, or the admin key, ends it.");
            }
            r.Remove(participant, "left (WHIP DELETE)");
            return Results.Ok();
        }).WithTags("WHIP").RequireAnyRoomToken();
    }

    private static async Task<IResult> Join(HttpContext context, string roomName, string? name, string? tierName, ParticipantRole role, CancellationToken ct)
    {
        var services = context.RequestServices;
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
            return RoomEndpoints.Invalid(e.Message);
        }
        if (!string.IsNullOrWhiteSpace(name) && DisplayName.Problem("name", name) is { } badName)
        {
            return RoomEndpoints.Invalid(badName);
        }
        OutputTier? pinned = null;
        if (tierName is not null && (pinned = OutputTier.Find(tierName)) is null)
        {
            return RoomEndpoints.Invalid($"tier '{tierName}' is not one of {string.Join(", ", OutputTier.All.Select(t => t.Name))}");
        }

        var caller = Caller.From(context);
        var owners = services.GetRequiredService<SessionOwners>();
        if (!owners.TryReserve(caller))
        {
            return Results.Problem($"This token already holds {owners.MaxPerToken} sessions (Mcu:Limits:MaxSessionsPerToken); end one, or get a token per person.",
                title: "Too many sessions", statusCode: StatusCodes.Status429TooManyRequests);
        }
        var rooms = services.GetRequiredService<RoomDirectory>();
        var cluster = services.GetRequiredService<IClusterDirectory>();
        bool claimed = false;
        if (cluster.IsShared && !rooms.TryGet(roomName, out _))
        {
            // A token from before the room existed may make it, unless the room was deleted (on any node) since.
            if (caller.Token is { Incarnation: null } early && await cluster.DeletedAtAsync(roomName, ct) is { } deletedAt && deletedAt >= early.IssuedAt)
            {
                owners.Release(caller.Id);
                return BearerAuth.Unauthorized(context, caller with { Problem = $"Room '{roomName}' was deleted after the token was issued." });
            }
            // A join may make the room: take its name in the directory first. Lost to another node meanwhile: join there.
            var holder = await cluster.ClaimAsync(roomName, ct);
            if (holder.IsElsewhere)
            {
                owners.Release(caller.Id);
                context.Response.Headers.Location = new Uri(holder.Url!, context.Request.Path + context.Request.QueryString).ToString();
                return Results.StatusCode(StatusCodes.Status307TemporaryRedirect);
            }
            if (holder.Kind != RoomHostKind.Here)
            {
                owners.Release(caller.Id);
                return Results.Problem($"Room '{roomName}' was being made or ended on another node as this join came in; try again.",
                    title: "Room changing hands", statusCode: StatusCodes.Status409Conflict);
            }
            claimed = true;
        }
        string id = Guid.NewGuid().ToString("N")[..12];
        Room? room = null;
        bool created = false;
        bool registered = false;
        Participant? participant = null;
        try
        {
            var (connection, answer) = services.GetRequiredService<RtcHost>().Accept(offer!, receiveMedia: role != ParticipantRole.Viewer, (answer, streams) =>
            {
                // Only now, with the offer parsed and answered, may the join make the room.
                room = rooms.GetOrCreate(roomName, out created);
                services.GetRequiredService<RoomCodecs>().Check(room.Name, answer);
                owners.Register(room, id, caller.Id);
                registered = true;
                return participant = room.Join(id, string.IsNullOrWhiteSpace(name) ? DefaultName(role, id) : name.Trim(), role, answer, streams, pinned);
            });
            participant!.Attach(connection);
            // With several nodes the session's URL is absolute, so a client that came through a redirect ends it here.
            return SdpHttp.Created(context, $"/api/rooms/{roomName}/sessions/{id}", answer, cluster.IsShared ? cluster.NodeUrl : null);
        }
        catch (Exception e)
        {
            // Joined but not connected (the transport refused it): no participant may stay behind without a connection.
            if (participant is not null)
            {
                room!.Remove(participant, "join failed");
            }
            if (registered)
            {
                owners.Forget(roomName, id);
            }
            else
            {
                owners.Release(caller.Id);
            }
            if (created && room is not null)
            {
                rooms.CloseIfEmpty(room);
            }
            else if (claimed && !rooms.TryGet(roomName, out _))
            {
                // Refused before the room was made: its name goes back (closing a room frees it by itself).
                await cluster.ReleaseAsync(roomName, CancellationToken.None);
            }
            if (JoinProblem(e) is { } refused)
            {
                return refused;
            }
            throw;
        }
    }

    private static IResult? JoinProblem(Exception e) => e switch
    {
        RoomFullException => Results.Problem(e.Message, title: "Room full", statusCode: StatusCodes.Status409Conflict),
        TierAboveLimitException => RoomEndpoints.Invalid(e.Message),
        RoomLimitException => Results.Problem(e.Message + " (Mcu:Limits:MaxRooms)", title: "No room for more rooms", statusCode: StatusCodes.Status503ServiceUnavailable),
        LayoutTemplateException => RoomEndpoints.Invalid(e.Message),
        // Room.Add refuses a room that closed (deleted, or idle) between finding it and joining it.
        RoomClosedException =>
            Results.Problem("The room closed while joining; try again.", title: "Room closed", statusCode: StatusCodes.Status409Conflict),
        _ => SdpHttp.Problem(e),
    };

    private static string DefaultName(ParticipantRole role, string id) => role switch
    {
        ParticipantRole.Viewer => "Viewer ",
        ParticipantRole.Screen => "Screen ",
        _ => "Guest ",
    } + id[..4];
}
