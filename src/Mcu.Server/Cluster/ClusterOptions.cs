namespace Mcu.Server.Cluster;

/// <summary>The "Mcu:Cluster" section: how nodes sharing one PostgreSQL tell each other they are alive.</summary>
public sealed class ClusterOptions
{
    /// <summary>How often this node writes its heartbeat (and load) and looks for dead nodes.</summary>
    public double HeartbeatSeconds { get; set; } = 2;

    /// <summary>A node whose heartbeat is this old, by the database's clock, is dead: its rooms end and its recordings are settled.</summary>
    public double NodeTimeoutSeconds { get; set; } = 15;
}
