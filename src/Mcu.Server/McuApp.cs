using Mcu.Conference.Layouts;
using Mcu.Conference.Rooms;
using Mcu.Server.Api;
using Mcu.Server.Conference;
using Mcu.Server.Auth;
using Mcu.Server.Cluster;
using Mcu.Server.Echo;
using Microsoft.AspNetCore.Cors.Infrastructure;
using Microsoft.Extensions.Options;
using Mcu.Server.Rtc;

namespace Mcu.Server;

/// <summary>Builds the server; Program runs it, tests start it in-process on 127.0.0.1.</summary>
public static class McuApp
{
    public const string DefaultUrl = "http://127.0.0.1:8080";

    /// <param name="configure">Last word on the services before the app is built (tests add a log capture).</param>
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        // The content root is the app's folder, so the pages (wwwroot) are found wherever it is started from.
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = args,
            ContentRootPath = AppContext.BaseDirectory,
        });
        if (string.IsNullOrEmpty(builder.Configuration["urls"]) && string.IsNullOrEmpty(builder.Configuration["http_ports"]))
        {
            builder.WebHost.UseUrls(DefaultUrl);
        }
        builder.Services.Configure<McuOptions>(builder.Configuration.GetSection(McuOptions.Section));
        // Settings that would open the server or shut it to everyone stop it at start, saying which.
        builder.Services.AddOptions<McuOptions>()
            .Validate(o => o.Cors.Origins.All(origin => origin?.Trim() != "*"),
                "Mcu:Cors:Origins: '*' would let every web site call the whole API; list the origins (WHIP/WHEP answer every origin anyway)")
            .Validate(o => o.Limits is { MaxRooms: > 0, MaxViewersPerRoom: > 0, MaxSessionsPerToken: > 0, MaxEventSocketsPerRoom: > 0,
                MaxEventSocketsPerToken: > 0, MaxEventSockets: > 0, MaxRecordings: > 0, MaxTcpConnections: > 0, MaxTcpConnectionsPerAddress: > 0 },
                "Mcu:Limits: every limit is at least 1")
            .ValidateOnStart();
        builder.Services.AddSingleton<RtcHost>();
        builder.Services.AddSingleton<EchoSessions>();
        builder.Services.AddSingleton(services => new LayoutTemplateStore(LayoutsFolder(services.GetRequiredService<IOptions<McuOptions>>().Value)));
        builder.Services.AddSingleton(services =>
        {
            var o = services.GetRequiredService<IOptions<McuOptions>>().Value;
            return new RoomDirectory(services.GetRequiredService<LayoutTemplateStore>(), services.GetRequiredService<ILoggerFactory>())
            {
                MaxRooms = o.Limits.MaxRooms,
                DefaultOptions = new RoomOptions { MaxViewers = o.Limits.MaxViewersPerRoom, MaxInputSize = (o.MaxInputWidth, o.MaxInputHeight) },
            };
        });
        builder.Services.AddMcuApi();
        builder.Services.AddProblemDetails();
        configure?.Invoke(builder);
        builder.AddCluster();
        builder.AddRecording();
        builder.AddStreaming();
        // CORS per route (Auth/CorsPolicies): WHIP/WHEP for every origin, the rest for Mcu:Cors:Origins only.
        builder.Services.AddCors();
        builder.Services.AddSingleton<ICorsPolicyProvider, CorsPolicies>();

        var app = builder.Build();
        app.UseEndUpgradedRequestsOnStop();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseCors();
        app.UseDefaultFiles();
        app.UseStaticFiles();
        app.MapGet("/healthz", () => Results.Text("ok"));
        app.MapEchoEndpoints();
        app.MapWhipEndpoints();
        app.MapWhipSessionEndpoints();
        app.MapRoomStatsEndpoints();
        app.MapMcuApi();
        app.MapRecording();
        app.MapStreaming();
        app.MapNodeEndpoints();
        // After CORS and the WebSocket middleware, before any endpoint: rooms of other nodes go there.
        app.UseClusterRouting();

        // Open the media socket at start-up, not on the first offer, so a bad port fails fast.
        app.Lifetime.ApplicationStarted.Register(() =>
        {
            var host = app.Services.GetRequiredService<RtcHost>();
            foreach (var url in app.Urls)
            {
                string tcp = host.Transport.TcpLocalEndPoint is { } t ? $" and TCP {t}" : "";
                Console.WriteLine($"Mcu is running: open {url}/ (media on UDP {host.Transport.LocalEndPoint}{tcp})");
            }
        });
        return app;
    }

    private static string LayoutsFolder(McuOptions options)
    {
        if (!string.IsNullOrWhiteSpace(options.LayoutsPath))
        {
            return options.LayoutsPath;
        }
        return Directory.Exists("layouts") ? Path.GetFullPath("layouts") : Path.Combine(AppContext.BaseDirectory, "layouts");
    }
}
