using Mcu.Conference.Rooms;
using Mcu.Server.Auth;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Mcu.Server.Cluster;

/// <summary>
/// Any node answers for any room. A call on <c>/api/rooms/{room}/…</c> for a room that another live
/// node hosts goes there before this node's endpoint runs:
/// <list type="bullet">
/// <item>WHIP and WHEP <c>POST</c>, and the events WebSocket: <c>307 Temporary Redirect</c> to the same
/// path and query on the hosting node (RFC 9725 §4.5); the client sends the same request again there,
/// where the media flows;</item>
/// <item>everything else (details, layout, speaker, participants, sessions, tokens, recordings, stats):
/// forwarded with the caller's credentials (<see cref="RoomForwarder"/>).</item>
/// </list>
/// Only callers with a credential for the room get that far: the admin key, or a room token of
/// this room whose signature holds (its incarnation is the hosting node's to check); the others
/// are refused here as with one node, learning nothing of where the room is, and cost no query.
/// Rooms hosted here or nowhere are this node's to answer, as with one node.
/// </summary>
public static class ClusterRouting
{
    private const string RoomPrefix = "/api/rooms/{room}";

    public static void UseClusterRouting(this WebApplication app)
    {
        if (!app.Services.GetRequiredService<IClusterDirectory>().IsShared)
        {
            return; // one node: every room is here or nowhere
        }
        app.Use(DirectoryDownAsync);
        app.Use(RouteAsync);
    }

    /// <summary>A call that needed the directory while PostgreSQL was unreachable: 503, saying so, rather than a bare 500.</summary>
    private static async Task DirectoryDownAsync(HttpContext context, RequestDelegate next)
    {
        try
        {
            await next(context);
        }
        catch (NpgsqlException e) when (!context.Response.HasStarted)
        {
            Log.DirectoryDown(context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("Mcu.Cluster"), context.Request.Method,
                context.Request.Path, e.Message);
            context.Response.Clear();
            context.Response.Headers.RetryAfter = "5";
            await Results.Problem("The cluster's directory (PostgreSQL) did not answer; try again.", title: "Directory unavailable",
                statusCode: StatusCodes.Status503ServiceUnavailable).ExecuteAsync(context);
        }
    }

    private static async Task RouteAsync(HttpContext context, RequestDelegate next)
    {
        if (context.GetEndpoint() is not RouteEndpoint { RoutePattern.RawText: { } pattern }
            || !pattern.StartsWith(RoomPrefix, StringComparison.Ordinal)
            || context.GetRouteValue("room") is not string room
            || HttpMethods.IsOptions(context.Request.Method)
            || context.Request.Headers.ContainsKey(RoomForwarder.ForwardedBy)
            || context.RequestServices.GetRequiredService<RoomDirectory>().TryGet(room, out _)
            // Without a credential for the room the endpoint here refuses it as it would anyway, and the directory is not asked.
            || !MayBeFor(context, room))
        {
            await next(context);
            return;
        }
        var services = context.RequestServices;
        var host = await services.GetRequiredService<IClusterDirectory>().HostOfAsync(room, context.RequestAborted);
        if (!host.IsElsewhere)
        {
            await next(context);
            return;
        }
        if (Redirects(pattern, context.Request.Method))
        {
            context.Response.StatusCode = StatusCodes.Status307TemporaryRedirect;
            context.Response.Headers.Location = new Uri(host.Url!, context.Request.Path + context.Request.QueryString).ToString();
            return;
        }
        await services.GetRequiredService<RoomForwarder>().ForwardAsync(context, host.Node!, host.Url!);
    }

    /// <summary>Joins and the events socket go to the media's node themselves; the rest is forwarded.</summary>
    private static bool Redirects(string pattern, string method) =>
        (HttpMethods.IsPost(method) && (pattern.EndsWith("/whip", StringComparison.Ordinal) || pattern.EndsWith("/whep", StringComparison.Ordinal)))
        || (HttpMethods.IsGet(method) && pattern.EndsWith("/events", StringComparison.Ordinal));

    /// <summary>
    /// Whether the caller has a credential that may be good for <paramref name="room"/>: the admin key,
    /// a correctly signed, unexpired token of that room (its incarnation is the hosting node's to
    /// check), or nothing at all for a read when reads are public.
    /// </summary>
    private static bool MayBeFor(HttpContext context, string room)
    {
        var services = context.RequestServices;
        if ((HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method))
            && services.GetRequiredService<IOptions<McuOptions>>().Value.PublicReads)
        {
            return true;
        }
        string? bearer = Caller.Bearer(context);
        return !string.IsNullOrEmpty(bearer) && (services.GetRequiredService<AdminKey>().Matches(bearer)
            || (services.GetRequiredService<RoomTokenIssuer>().TryValidate(bearer, out var token) && token.Room == room));
    }
}
