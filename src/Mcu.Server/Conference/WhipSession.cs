using System.Security.Cryptography;
using System.Text;
using Mcu.Conference.Rooms;
using Mcu.Server.Auth;
using Mcu.Server.Rtc;
using Microsoft.Extensions.Options;

namespace Mcu.Server.Conference;

/// <summary>
/// The parts of RFC 9725 (WHIP) a client library relies on beyond POST and DELETE:
/// <c>OPTIONS</c> on the endpoints (<c>Accept-Post</c>), ICE servers as <c>Link</c> headers
/// where configured (<c>Mcu:IceServers</c>), the session's <c>ETag</c>, and <c>PATCH</c> with an
/// <c>application/trickle-ice-sdpfrag</c>. We are ICE-lite and put every candidate in the answer,
/// and we learn a client's address from its checks, so trickled candidates need nothing from us
/// (<c>204</c>); an ICE restart (new credentials) is not supported (<c>422</c>, §4.3.1). Other methods
/// on a session get <c>405</c> with <c>Allow</c>.
/// </summary>
public static class WhipSession
{
    public const string TrickleContentType = "application/trickle-ice-sdpfrag";
    private const int MaxFragment = 16 * 1024;
    private const string SessionMethods = "DELETE, PATCH, OPTIONS";

    public static void MapWhipSessionEndpoints(this IEndpointRouteBuilder app)
    {
        foreach (string endpoint in new[] { "/api/rooms/{room}/whip", "/api/rooms/{room}/whep" })
        {
            // A CORS preflight never gets here: the CORS middleware answers it.
            app.MapMethods(endpoint, ["OPTIONS"], (HttpContext context, string room) =>
            {
                context.Response.Headers.Allow = "POST, OPTIONS";
                context.Response.Headers["Accept-Post"] = SdpHttp.ContentType;
                // TURN credentials are for the room's callers only, never for anyone who asks.
                if (Caller.From(context).MayAct(room))
                {
                    AddIceServerLinks(context);
                }
                return Results.NoContent();
            }).WithTags("WHIP");
        }

        const string session = "/api/rooms/{room}/sessions/{id}";
        app.MapMethods(session, ["OPTIONS"], (HttpContext context) =>
        {
            context.Response.Headers.Allow = SessionMethods;
            return Results.NoContent();
        }).WithTags("WHIP");
        app.MapMethods(session, ["GET", "HEAD", "PUT", "POST"], (HttpContext context) =>
        {
            context.Response.Headers.Allow = SessionMethods;
            return Results.Problem($"A WHIP/WHEP session takes {SessionMethods}.", title: "Method not allowed",
                statusCode: StatusCodes.Status405MethodNotAllowed);
        }).WithTags("WHIP");
        app.MapPatch(session, Patch).WithTags("WHIP").RequireAnyRoomToken();
    }

    /// <summary>A strong entity tag for the session at <paramref name="location"/>: its one ICE generation.</summary>
    public static string ETag(string location) =>
        "\"" + Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(location)).AsSpan(0, 8)).ToLowerInvariant() + "\"";

    /// <summary>RFC 9725 §4.6: each configured STUN/TURN server as a <c>Link</c> header.</summary>
    public static void AddIceServerLinks(HttpContext context)
    {
        foreach (var server in context.RequestServices.GetRequiredService<IOptions<McuOptions>>().Value.IceServers)
        {
            if (string.IsNullOrWhiteSpace(server.Url))
            {
                continue;
            }
            var link = new StringBuilder($"<{server.Url}>; rel=\"ice-server\"");
            if (!string.IsNullOrEmpty(server.Username))
            {
                link.Append($"; username=\"{server.Username}\"; credential=\"{server.Credential}\"; credential-type=\"password\"");
            }
            context.Response.Headers.Append("Link", link.ToString());
        }
    }

    private static async Task<IResult> Patch(HttpContext context, string room, string id, RoomDirectory rooms, SessionOwners owners, CancellationToken ct)
    {
        if (!rooms.TryGet(room, out var r) || r.Find(id) is not { } participant)
        {
            return Results.Problem("No such session.", title: "Not found", statusCode: StatusCodes.Status404NotFound);
        }
        if (!owners.MayEnd(Caller.From(context), room, id))
        {
            return BearerAuth.Forbidden(context, "Only the token that made this session, or the admin key, changes it.");
        }
        if (!string.Equals(context.Request.ContentType?.Split(';')[0].Trim(), TrickleContentType, StringComparison.OrdinalIgnoreCase))
        {
            return Results.Problem($"PATCH takes {TrickleContentType} (RFC 8840).", title: "Unsupported media type",
                statusCode: StatusCodes.Status415UnsupportedMediaType);
        }
        string etag = ETag($"/api/rooms/{room}/sessions/{id}");
        string? ifMatch = context.Request.Headers.IfMatch;
        // §4.3.2: an ICE restart is asked for with If-Match: * and new credentials; we keep one ICE generation.
        if (ifMatch == "*")
        {
            return RestartRefused();
        }
        if (!string.IsNullOrEmpty(ifMatch) && ifMatch != etag)
        {
            return Results.Problem("If-Match does not name this session's ICE generation.", title: "Precondition failed",
                statusCode: StatusCodes.Status412PreconditionFailed);
        }
        var body = new byte[MaxFragment + 1];
        int length = 0, read;
        while (length < body.Length && (read = await context.Request.Body.ReadAsync(body.AsMemory(length), ct)) > 0)
        {
            length += read;
        }
        if (length > MaxFragment)
        {
            return Results.Problem($"An SDP fragment is at most {MaxFragment} bytes.", title: "Too large", statusCode: StatusCodes.Status413PayloadTooLarge);
        }
        foreach (var line in Encoding.UTF8.GetString(body, 0, length).Split('\n'))
        {
            string text = line.TrimEnd('\r');
            if (text.StartsWith("a=ice-ufrag:", StringComparison.Ordinal) && text["a=ice-ufrag:".Length..] != participant.RemoteIceUfrag)
            {
                return RestartRefused();
            }
        }
        context.Response.Headers.ETag = etag;
        return Results.NoContent();
    }

    private static IResult RestartRefused() =>
        Results.Problem("This server does not support ICE restarts: end the session (DELETE) and join again.",
            title: "ICE restart not supported", statusCode: StatusCodes.Status422UnprocessableEntity);
}
