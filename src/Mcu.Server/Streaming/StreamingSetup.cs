using Hangfire;
using Mcu.Server.Recording;
using Mcu.Server.Streaming;

// In Mcu.Server so McuApp needs no using for its two registration lines.
namespace Mcu.Server;

/// <summary>Live streaming's services (registry, settings, its Hangfire server) and its endpoints. After <see cref="RecordingSetup.AddRecording"/>, whose job storage it shares.</summary>
public static class StreamingSetup
{
    public static void AddStreaming(this WebApplicationBuilder builder)
    {
        var options = builder.Configuration.GetSection(StreamingOptions.Section).Get<StreamingOptions>() ?? new StreamingOptions();
        builder.Services.AddSingleton(provider => new StreamSettings
        {
            HlsFolder = Path.GetFullPath(options.HlsPath),
            // Its own queue and workers: a stream holds a worker as long as it runs, and must not take a recording's.
            Queue = provider.GetRequiredService<RecordingSettings>().NodeQueue + "-streams",
            HlsListSize = Math.Max(2, options.HlsListSize),
            ReconnectWindow = TimeSpan.FromSeconds(Math.Max(0, options.ReconnectSeconds)),
            IoTimeout = TimeSpan.FromSeconds(Math.Clamp(options.IoTimeoutSeconds, 0.5, 60)),
            MaxStreams = Math.Max(1, options.MaxStreams),
        });
        builder.Services.AddSingleton<StreamRegistry>();
        builder.Services.AddTransient<StreamJob>();
        builder.Services.AddHostedService<StreamWorkers>();
    }

    /// <summary>The stream API and the HLS files; before cluster routing, which reads the caller.</summary>
    public static void MapStreaming(this WebApplication app)
    {
        app.UseHlsCookie();
        app.MapStreamEndpoints();
    }
}
