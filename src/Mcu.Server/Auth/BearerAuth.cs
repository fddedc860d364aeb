using Mcu.Conference.Rooms;

namespace Mcu.Server.Auth;

/// <summary>
/// Endpoint filters for the two kinds of bearer token: 401 (with <c>WWW-Authenticate</c>)
/// when there is no valid token, 403 when the token is valid but not for this.
/// </summary>
public static class BearerAuth
{
    /// <summary>Only the admin key.</summary>
    public static TBuilder RequireAdmin<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.Require(openToPublicReads: false, (caller, _) => caller.IsAdmin ? null : "This needs the admin key.");

    /// <summary>The admin key, or a token for the route's <c>{room}</c> that allows <paramref name="role"/>.</summary>
    public static TBuilder RequireRoomToken<TBuilder>(this TBuilder builder, ParticipantRole role) where TBuilder : IEndpointConventionBuilder =>
        builder.Require(openToPublicReads: false, (caller, room) =>
            caller.MayJoin(room, role) ? null
            : caller.Token!.Room != room ? "This token is for another room."
            : "This token is for viewing (WHEP) only.");

    /// <summary>The admin key or any token for the route's <c>{room}</c> (leaving a session).</summary>
    public static TBuilder RequireAnyRoomToken<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.Require(openToPublicReads: false, OnlyThisRoom);

    /// <summary>
    /// Reads about the route's <c>{room}</c> (details, participants, stats, events): the admin
    /// key or any token of that room, viewer included; anyone when <c>Mcu:PublicReads</c> is on.
    /// </summary>
    public static TBuilder RequireRoomReader<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.Require(openToPublicReads: true, OnlyThisRoom);

    /// <summary>Reads across rooms (the room list): the admin key; anyone when <c>Mcu:PublicReads</c> is on.</summary>
    public static TBuilder RequireAdminReader<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.Require(openToPublicReads: true, (caller, _) => caller.IsAdmin ? null : "Listing rooms needs the admin key.");

    /// <summary>
    /// 401 without a valid credential; 403 with the reason <paramref name="refusal"/> gives for a valid
    /// one (null: allowed), given the route's <c>{room}</c>.
    /// </summary>
    private static TBuilder Require<TBuilder>(this TBuilder builder, bool openToPublicReads, Func<Caller, string, string?> refusal)
        where TBuilder : IEndpointConventionBuilder =>
        builder.AddEndpointFilter(async (context, next) =>
        {
            if (openToPublicReads && PublicReads(context.HttpContext))
            {
                return await next(context);
            }
            var caller = Caller.From(context.HttpContext);
            if (!caller.IsAuthenticated)
            {
                return Unauthorized(context.HttpContext, caller);
            }
            string room = context.HttpContext.GetRouteValue("room") as string ?? "";
            return refusal(caller, room) is { } reason ? Forbidden(context.HttpContext, reason) : await next(context);
        });

    private static string? OnlyThisRoom(Caller caller, string room) => caller.MayAct(room) ? null : "This token is for another room.";

    private static bool PublicReads(HttpContext context) =>
        context.RequestServices.GetRequiredService<Microsoft.Extensions.Options.IOptions<McuOptions>>().Value.PublicReads;

    public static IResult Unauthorized(HttpContext context, Caller caller)
    {
        Refused(context, StatusCodes.Status401Unauthorized, caller.HasCredentials ? "invalid token" : "no token");
        // RFC 6750 §3: say which scheme, and whether the token presented was bad.
        context.Response.Headers.WWWAuthenticate = caller.HasCredentials
            ? "Bearer realm=\"mcu\", error=\"invalid_token\""
            : "Bearer realm=\"mcu\"";
        return Results.Problem(caller.HasCredentials
                ? caller.Problem ?? "The bearer token is not valid (wrong, malformed or expired)."
                : "This needs Authorization: Bearer <admin key or room token>.",
            title: "Unauthorized", statusCode: StatusCodes.Status401Unauthorized);
    }

    public static IResult Forbidden(HttpContext context, string detail)
    {
        Refused(context, StatusCodes.Status403Forbidden, detail);
        return Results.Problem(detail, title: "Forbidden", statusCode: StatusCodes.Status403Forbidden);
    }

    private static void Refused(HttpContext context, int status, string reason) =>
        Log.Refused(context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("Mcu.Auth"),
            context.Request.Method, context.Request.Path, status, reason);
}
