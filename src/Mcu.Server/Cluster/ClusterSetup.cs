using Mcu.Conference.Rooms;
using Mcu.Server.Cluster;
using Microsoft.Extensions.Options;

// In Mcu.Server so McuApp needs no using for its registration lines.
namespace Mcu.Server;

/// <summary>
/// The cluster's services: with <c>Mcu:StorageConnectionString</c>, the PostgreSQL directory of nodes
/// and rooms, this node's heartbeat and the forwarder; without it, one node in memory.
/// </summary>
public static class ClusterSetup
{
    public static void AddCluster(this WebApplicationBuilder builder)
    {
        var options = builder.Configuration.GetSection(McuOptions.Section).Get<McuOptions>() ?? new McuOptions();
        var services = builder.Services;
        services.AddSingleton<IValidateOptions<McuOptions>>(new ClusterSettingsValidation(builder.Configuration));
        services.AddSingleton<NodeLoad>();
        if (string.IsNullOrWhiteSpace(options.StorageConnectionString))
        {
            services.AddSingleton<IClusterDirectory>(s => new SingleNodeDirectory(RecordingSetup.NodeName(options.NodeName, false).Name,
                s.GetRequiredService<RoomDirectory>(), s.GetRequiredService<NodeLoad>(), s.GetRequiredService<TimeProvider>()));
            return;
        }
        // Started before recording recovery, which asks it which nodes are alive.
        services.AddSingleton(s =>
        {
            var o = s.GetRequiredService<IOptions<McuOptions>>().Value;
            var url = NodeAddress.Configured(o.NodeUrl) ?? (builder.Configuration["http_ports"] is null ? NodeAddress.FromListen(builder.Configuration["urls"]) : null);
            return new PostgresDirectory(o.StorageConnectionString!, o.NodeName!, url, o.Cluster.NodeTimeoutSeconds,
                s.GetRequiredService<RoomDirectory>(), s.GetRequiredService<ILogger<PostgresDirectory>>());
        });
        services.AddSingleton<IClusterDirectory>(s => s.GetRequiredService<PostgresDirectory>());
        services.AddSingleton<RoomForwarder>();
        services.AddHostedService<NodeHeartbeat>();
    }

    /// <summary>Settings a node of a cluster needs, checked at start (see <see cref="McuApp"/>).</summary>
    public static IEnumerable<string> Problems(McuOptions o, IConfiguration configuration)
    {
        if (o.Cluster.HeartbeatSeconds is <= 0 or > 60 || o.Cluster.NodeTimeoutSeconds < 3 * o.Cluster.HeartbeatSeconds)
        {
            yield return "Mcu:Cluster: HeartbeatSeconds is 0-60 and NodeTimeoutSeconds at least three heartbeats";
        }
        if (string.IsNullOrWhiteSpace(o.StorageConnectionString))
        {
            yield break;
        }
        if (string.IsNullOrWhiteSpace(o.NodeName) || o.NodeName.Length > 64 || !o.NodeName.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
        {
            yield return "Mcu:NodeName is required with Mcu:StorageConnectionString: 1-64 of letters, digits, '-', '_' and '.', "
                + "the same across restarts and different for each node";
        }
        if (string.IsNullOrWhiteSpace(o.AdminKey))
        {
            yield return "Mcu:AdminKey is required with Mcu:StorageConnectionString, the same on every node (it signs room tokens, which any node checks)";
        }
        if (NodeAddress.Problem(o.NodeUrl, configuration["urls"], !string.IsNullOrEmpty(configuration["http_ports"]) || !string.IsNullOrEmpty(configuration["https_ports"])) is { } url)
        {
            yield return url;
        }
    }
}

/// <summary>Stops the start with every cluster setting that is missing or wrong, each saying what to set.</summary>
internal sealed class ClusterSettingsValidation(IConfiguration configuration) : IValidateOptions<McuOptions>
{
    public ValidateOptionsResult Validate(string? name, McuOptions options)
    {
        var problems = ClusterSetup.Problems(options, configuration).ToList();
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
