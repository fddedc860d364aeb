using Mcu.Conference.Layouts;
using Mcu.Server.Auth;
using Mcu.Server.Events;
using Mcu.Server.Layouts;
using Mcu.Server.Metrics;
using Microsoft.OpenApi;
using Prometheus;

namespace Mcu.Server.Api;

/// <summary>The management API in two calls for <see cref="McuApp"/>: its services, then its middleware and endpoints.</summary>
public static class ApiRegistration
{
    public static IServiceCollection AddMcuApi(this IServiceCollection services)
    {
        services.AddSingleton(s => LayoutSchema.Load(s.GetRequiredService<LayoutTemplateStore>().Folder));
        services.AddSingleton<RoomCodecs>();
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<AdminKey>();
        services.AddSingleton<RoomTokenIssuer>();
        services.AddSingleton<RoomIncarnations>();
        services.AddSingleton<SessionOwners>();
        services.AddSingleton<EventSockets>();
        services.AddHostedService<IdleRooms>();
        services.AddSingleton<McuExporter>();
        services.AddOpenApi(options => options.AddDocumentTransformer((document, _, _) =>
        {
            document.Components ??= new OpenApiComponents();
            document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
            document.Components.SecuritySchemes["bearer"] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.Http,
                Scheme = "bearer",
                Description = "The admin key (Mcu:AdminKey), or a room token from POST /api/rooms/{room}/tokens: WHIP/WHEP and reads of its own room.",
            };
            return Task.CompletedTask;
        }));
        return services;
    }

    public static void MapMcuApi(this WebApplication app)
    {
        app.UseWebSockets();
        app.MapOpenApi();
        var metrics = app.MapMetrics("/metrics", app.Services.GetRequiredService<McuExporter>().Registry);
        if (app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<McuOptions>>().Value.MetricsNeedAdminKey)
        {
            metrics.RequireAdmin();
        }
        app.MapRoomEndpoints();
        app.MapParticipantEndpoints();
        app.MapTokenEndpoints();
        app.MapLayoutEndpoints();
        app.MapRoomEventsEndpoint();
        app.Lifetime.ApplicationStarted.Register(() =>
        {
            LayoutEndpoints.LogSkippedTemplates(app.Services.GetRequiredService<LayoutTemplateStore>(), app.Logger);
            var adminKey = app.Services.GetRequiredService<AdminKey>();
            if (adminKey.IsGenerated)
            {
                // Printed to the console once, never logged: set Mcu:AdminKey to keep one across restarts.
                Console.WriteLine($"Mcu admin key (generated; set Mcu:AdminKey to choose one): {adminKey.Value}");
            }
        });
    }
}
