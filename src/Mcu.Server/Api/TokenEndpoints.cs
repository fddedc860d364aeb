using Mcu.Conference.Rooms;
using Mcu.Server.Auth;

namespace Mcu.Server.Api;

/// <summary>POST /api/rooms/{room}/tokens: the admin issues join tokens for WHIP (participant) and WHEP (viewer).</summary>
public static class TokenEndpoints
{
    private const int DefaultTtlSeconds = 3600;
    public const int MaxTtlSeconds = 7 * 24 * 3600;

    public static void MapTokenEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/rooms/{room}/tokens", async (string room, HttpRequest request, RoomTokenIssuer issuer, RoomIncarnations incarnations, TimeProvider time, ILogger<RoomTokenIssuer> logger, CancellationToken ct) =>
        {
            var (body, problem) = await JsonBody.ReadAsync<TokenRequest>(request, ct);
            if (problem is not null)
            {
                return problem;
            }
            try
            {
                RoomDirectory.ValidateName(room);
            }
            catch (ArgumentException e)
            {
                return RoomEndpoints.Invalid(e.Message);
            }
            if (body!.Role is not (null or "participant" or "viewer"))
            {
                return RoomEndpoints.Invalid("role: 'participant' or 'viewer'");
            }
            if (body.TtlSeconds is < 1 or > MaxTtlSeconds)
            {
                return RoomEndpoints.Invalid($"ttlSeconds: 1 to {MaxTtlSeconds}");
            }
            var role = body.Role == "viewer" ? ParticipantRole.Viewer : ParticipantRole.Participant;
            var expires = time.GetUtcNow().AddSeconds(body.TtlSeconds ?? DefaultTtlSeconds);
            // Bound to the room as it is now (or, if it does not exist yet, to whichever room comes next).
            string token = issuer.Issue(new RoomToken(room, role, expires, incarnations.Current(room)));
            Log.TokenIssued(logger, room, body.Role ?? "participant", expires);
            return Results.Ok(new TokenResponse(token, room, body.Role ?? "participant", expires));
        }).Accepts<TokenRequest>("application/json").Produces<TokenResponse>().WithTags("Auth").RequireAdmin();
    }
}
