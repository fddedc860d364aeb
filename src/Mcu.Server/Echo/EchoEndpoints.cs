using System.Collections.Concurrent;
using Mcu.Rtc.Transport;
using Mcu.Server.Rtc;

namespace Mcu.Server.Echo;

/// <summary><c>/api/echo/whip</c>: a WHIP resource that sends everyone their own media back.</summary>
public static class EchoEndpoints
{
    private static readonly ConcurrentDictionary<string, (EchoSession Session, RtcConnection Connection)> Sessions = new();

    public static void MapEchoEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/echo/whip", async (HttpContext context, RtcHost host, CancellationToken ct) =>
        {
            var (offer, problem) = await SdpHttp.ReadOfferAsync(context.Request, ct);
            if (problem is not null)
            {
                return problem;
            }
            try
            {
                EchoSession? session = null;
                var (connection, answer) = host.Accept(offer!, receiveMedia: true,
                    (answer, streams) => session = new EchoSession(answer, streams));
                Sessions[session!.Id] = (session, connection);
                return SdpHttp.Created(context, $"/api/echo/whip/{session.Id}", answer);
            }
            catch (Exception e) when (SdpHttp.Problem(e) is { } result)
            {
                return result;
            }
        }).WithName("EchoWhip").WithTags("Echo");

        app.MapDelete("/api/echo/whip/{id}", (string id) =>
        {
            if (!Sessions.TryRemove(id, out var entry))
            {
                return Results.Problem("No such echo session.", statusCode: StatusCodes.Status404NotFound);
            }
            entry.Connection.Close();
            return Results.Ok();
        }).WithTags("Echo");

        app.MapGet("/api/echo/whip/{id}", (string id) =>
            Sessions.TryGetValue(id, out var entry)
                ? Results.Ok(new
                {
                    state = entry.Session.State.ToString(),
                    packetsEchoed = entry.Session.PacketsEchoed,
                    keyframeRequestsForwarded = entry.Session.KeyframeRequestsForwarded,
                })
                : Results.Problem("No such echo session.", statusCode: StatusCodes.Status404NotFound))
            .WithTags("Echo");
    }
}
