using Microsoft.AspNetCore.Http.Features;

namespace Mcu.Server;

/// <summary>
/// How the server stops (SIGTERM, docker stop). Kestrel's stop waits for every request in
/// flight, and a WebSocket the web page holds open (the room's events) never ends on its own:
/// it would hold the whole stop until Mcu:ShutdownSeconds ran out, and docker's SIGKILL comes
/// soon after. So upgraded requests see their RequestAborted fire when the host starts stopping.
/// </summary>
public static class HostShutdown
{
    public static void UseEndUpgradedRequestsOnStop(this WebApplication app)
    {
        var stopping = app.Lifetime.ApplicationStopping;
        app.Use(async (context, next) =>
        {
            if (context.Features.Get<IHttpUpgradeFeature>() is { IsUpgradableRequest: true })
            {
                using var either = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, stopping);
                context.RequestAborted = either.Token;
                await next(context);
                return;
            }
            await next(context);
        });
    }
}
