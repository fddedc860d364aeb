using Hangfire;
using Hangfire.AspNetCore;
using Hangfire.InMemory;
using Hangfire.PostgreSql;
using Hangfire.PostgreSql.Factories;
using Mcu.Server.Recording;

// In Mcu.Server so McuApp needs no using for its two registration lines.
namespace Mcu.Server;

/// <summary>Recording's services (Hangfire, its storage and server, the store) and its endpoints.</summary>
public static class RecordingSetup
{
    public const string DashboardPath = "/hangfire";

    /// <summary>
    /// Hangfire with PostgreSQL when Mcu:StorageConnectionString is set, else in memory. The storage
    /// is this app's own, not Hangfire's global one, so several servers can live in one process (tests).
    /// This node's server serves its own queue (recording jobs for its rooms) and the shared one.
    /// </summary>
    public static void AddRecording(this WebApplicationBuilder builder)
    {
        var options = builder.Configuration.GetSection(McuOptions.Section).Get<McuOptions>() ?? new McuOptions();
        string node = builder.Configuration["Mcu:NodeName"] is { Length: > 0 } name ? name : Environment.MachineName;
        bool postgres = !string.IsNullOrWhiteSpace(options.StorageConnectionString);
        var settings = new RecordingSettings
        {
            Folder = Path.GetFullPath(options.RecordingsPath),
            Node = node,
            NodeQueue = RecordingSettings.QueueFor(node),
            SharedStorage = postgres,
            Ffmpeg = builder.Configuration["Mcu:FfmpegPath"] is { Length: > 0 } ffmpeg ? ffmpeg : "ffmpeg",
            Ffprobe = builder.Configuration["Mcu:FfprobePath"] is { Length: > 0 } ffprobe ? ffprobe : "ffprobe",
        };
        var services = builder.Services;
        services.AddSingleton(settings);
        services.AddSingleton(new RecordingStore(settings.Folder));
        services.AddSingleton<RecordingSessions>();
        services.AddSingleton<AdminKeyDashboardFilter>();
        services.AddTransient<RecordingJob>();
        services.AddTransient<PostProcessJob>();
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
        // Before the Hangfire server starts taking jobs: settle what a killed process left behind.
        services.AddHostedService<RecordingRecovery>();
        services.AddHangfireServer((provider, server) =>
        {
            // Jobs are made from this app's services, not from whichever app last set JobActivator.Current.
            server.Activator = provider.GetRequiredService<JobActivator>();
            server.ServerName = $"{node}:{Environment.ProcessId}";
            server.Queues = [settings.NodeQueue, RecordingSettings.SharedQueue];
            server.WorkerCount = 20; // recording jobs sit in a worker for as long as they record
            server.SchedulePollingInterval = TimeSpan.FromSeconds(1);
        });
    }

    /// <summary>The recording API and the Hangfire dashboard (admin key only).</summary>
    public static void MapRecording(this WebApplication app)
    {
        app.MapRecordingEndpoints();
        var storage = app.Services.GetRequiredService<JobStorage>();
        app.UseHangfireDashboard(DashboardPath, new DashboardOptions
        {
            Authorization = [app.Services.GetRequiredService<AdminKeyDashboardFilter>()],
            IgnoreAntiforgeryToken = true,
        }, storage);
    }
}
