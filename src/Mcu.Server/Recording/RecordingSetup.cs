using Hangfire;
using Hangfire.AspNetCore;
using Hangfire.InMemory;
using Hangfire.PostgreSql;
using Hangfire.PostgreSql.Factories;
using Mcu.Server.Recording;
using Mcu.Server.Auth;

// In Mcu.Server so McuApp needs no using for its two registration lines.
namespace Mcu.Server;

/// <summary>Recording's services (Hangfire, its storage and server, the store) and its endpoints.</summary>
public static class RecordingSetup
{
    public const string DashboardPath = "/hangfire";

    /// <summary>
    /// Hangfire with PostgreSQL when Mcu:StorageConnectionString is set, else in memory. The storage
    /// is this app's own, not Hangfire's global one, so several servers can live in one process (tests).
    /// This node's Hangfire servers are <see cref="RecordingWorkers"/>.
    /// </summary>
    public static void AddRecording(this WebApplicationBuilder builder)
    {
        var options = builder.Configuration.GetSection(McuOptions.Section).Get<McuOptions>() ?? new McuOptions();
        bool postgres = !string.IsNullOrWhiteSpace(options.StorageConnectionString);
        var (node, nodeSource) = NodeName(builder.Configuration["Mcu:NodeName"], postgres);
        var shutdown = TimeSpan.FromSeconds(Math.Max(3, options.ShutdownSeconds));
        var settings = new RecordingSettings
        {
            Folder = Path.GetFullPath(options.RecordingsPath),
            Node = node,
            NodeSource = nodeSource,
            NodeQueue = RecordingSettings.QueueFor(node),
            SharedStorage = postgres,
            Ffmpeg = builder.Configuration["Mcu:FfmpegPath"] is { Length: > 0 } ffmpeg ? ffmpeg : "ffmpeg",
            Ffprobe = builder.Configuration["Mcu:FfprobePath"] is { Length: > 0 } ffprobe ? ffprobe : "ffprobe",
            MaxRecordings = Math.Max(1, options.Limits.MaxRecordings),
            PostProcessWorkers = Math.Max(1, options.Recording.PostProcessWorkers),
            // What is left after it is for saving states, Hangfire and Kestrel to stop, and the process to exit.
            ShutdownBudget = shutdown - TimeSpan.FromSeconds(2),
            NodeTimeout = TimeSpan.FromSeconds(Math.Max(1, options.Recording.NodeTimeoutSeconds)),
            RecoveryInterval = TimeSpan.FromSeconds(Math.Max(1, options.Recording.RecoveryIntervalSeconds)),
        };
        var services = builder.Services;
        services.AddSingleton(settings);
        services.AddSingleton(new RecordingStore(settings.Folder));
        services.AddSingleton<RecordingSessions>();
        services.AddSingleton<AdminKeyDashboardFilter>();
        services.AddSingleton<DashboardCookie>();
        services.AddTransient<RecordingJob>();
        services.AddTransient<PostProcessJob>();
        // The host's whole stop is bounded, so docker's SIGKILL (10 s after SIGTERM by default) never
        // lands in the middle: recordings finish inside it, and the rest is left to the next start.
        services.Configure<HostOptions>(host => host.ShutdownTimeout = shutdown);
        // Registered before Hangfire's own, which only fill in what is missing and would use its
        // process-wide statics (JobStorage.Current, JobActivator.Current): jobs must see this app's services.
        services.AddSingleton<JobStorage>(provider =>
        {
            _ = provider.GetRequiredService<IGlobalConfiguration>(); // our log provider first: storages log from their constructors
            return postgres
                ? new PostgreSqlStorage(new NpgsqlConnectionFactory(options.StorageConnectionString!, new PostgreSqlStorageOptions()),
                    new PostgreSqlStorageOptions { PrepareSchemaIfNecessary = true, UseSlidingInvisibilityTimeout = true, QueuePollInterval = TimeSpan.FromSeconds(1) })
                : new InMemoryStorage(new InMemoryStorageOptions());
        });
        services.AddSingleton<IBackgroundJobClient>(provider => new BackgroundJobClient(provider.GetRequiredService<JobStorage>()));
        services.AddSingleton<JobActivator>(provider => new AspNetCoreJobActivator(provider.GetRequiredService<IServiceScopeFactory>()));
        services.AddHangfire((provider, config) => config
            .SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
            .UseSimpleAssemblyNameTypeSerializer()
            .UseRecommendedSerializerSettings()
            .UseLogProvider(new HangfireLogProvider(provider.GetRequiredService<ILoggerFactory>())));
        // Before the Hangfire servers start taking jobs: settle what a stopped or killed process left
        // behind. Stopped after them: what is still queued of this node then never starts.
        services.AddSingleton<RecordingRecovery>();
        services.AddHostedService(provider => provider.GetRequiredService<RecordingRecovery>());
        services.AddHostedService<RecordingWorkers>();
    }

    /// <summary>
    /// The node's name and where it came from. With in-memory storage there is one node and
    /// the name only labels its queue and sidecars, so the default is the constant "local":
    /// a container's host name changes with every new container, and nothing gains from that.
    /// With shared storage, names must differ between nodes (each serves its own queue), so
    /// the default is the host name, unique per container; nothing depends on it staying the
    /// same, as a gone node's recordings are settled by a live one by heartbeat, not by name.
    /// </summary>
    public static (string Name, string Source) NodeName(string? configured, bool sharedStorage) =>
        configured is { Length: > 0 } name ? (name, "Mcu:NodeName")
        : sharedStorage ? (Environment.MachineName, "the host name, as Mcu:NodeName is not set")
        : ("local", "the default with in-memory storage");

    /// <summary>The recording API and the Hangfire dashboard (admin key only).</summary>
    public static void MapRecording(this WebApplication app)
    {
        app.MapRecordingEndpoints();
        app.MapPost("/api/dashboard/session", (HttpContext context, DashboardCookie cookie) =>
        {
            cookie.Issue(context, DashboardPath);
            return Results.NoContent();
        }).WithTags("recordings").RequireAdmin();
        var storage = app.Services.GetRequiredService<JobStorage>();
        app.UseHangfireDashboard(DashboardPath, new DashboardOptions
        {
            Authorization = [app.Services.GetRequiredService<AdminKeyDashboardFilter>()],
            IgnoreAntiforgeryToken = true,
        }, storage);
    }
}
