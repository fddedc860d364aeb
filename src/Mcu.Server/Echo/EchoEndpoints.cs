using Mcu.Rtc.Echo;
using Mcu.Server.Rtc;

namespace Mcu.Server.Echo;

/// <summary><c>/api/echo/whip</c>: a WHIP resource that sends everyone their own media back.</summary>
public static class EchoEndpoints
{
    public static void MapEchoEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/echo/whip", async (HttpContext context, RtcHost host, EchoSessions sessions, CancellationToken ct) =>
        {
            if (!sessions.Enabled)
            {
                return TurnedOff();
            }
            var (offer, problem) = await SdpHttp.ReadOfferAsync(context.Request, ct);
            if (problem is not null)
            {
                return problem;
            }
            if (!sessions.TryReserve())
            {
                // The diagnostic is open to anyone: a bounded number of sessions, each gone once it fails or ends.
                context.Response.Headers.RetryAfter = "30";
                return Results.Problem(
                    $"The echo diagnostic has {sessions.MaxSessions} sessions already (Mcu:Echo:MaxSessions); try again later.",
                    title: "Too many echo sessions", statusCode: StatusCodes.Status503ServiceUnavailable);
            }
            try
            {
                EchoSession? session = null;
                var (connection, answer) = host.Accept(offer!, receiveMedia: true,
                    (answer, streams) => session = new EchoSession(answer, streams));
                sessions.Add(session!, connection);
                return SdpHttp.Created(context, $"/api/echo/whip/{session!.Id}", answer);
            }
            catch (Exception e) when (SdpHttp.Problem(e) is { } result)
            {
                sessions.Release();
                return result;
            }
            catch
            {
                sessions.Release();
                throw;
            }
        }).WithName("EchoWhip").WithTags("Echo");

        app.MapDelete("/api/echo/whip/{id}", (string id, EchoSessions sessions) =>
            !sessions.Enabled ? TurnedOff()
            : sessions.TryClose(id) ? Results.Ok()
            : NotFound()).WithTags("Echo");

        app.MapGet("/api/echo/whip/{id}", (string id, EchoSessions sessions) =>
            !sessions.Enabled ? TurnedOff()
            : sessions.TryGet(id, out var session)
                ? Results.Ok(new
                {
                    state = session.State.ToString(),
                    packetsEchoed = session.PacketsEchoed,
                    keyframeRequestsForwarded = session.KeyframeRequestsForwarded,
                })
                : NotFound())
            .WithTags("Echo");
    }

    private static IResult NotFound() =>
        Results.Problem("No such echo session (it ended, failed or timed out).", title: "Not found",
            statusCode: StatusCodes.Status404NotFound);

    private static IResult TurnedOff() =>
        Results.Problem("The echo diagnostic is turned off on this server (Mcu:Echo:Enabled).", title: "Not found",
            statusCode: StatusCodes.Status404NotFound);
}
