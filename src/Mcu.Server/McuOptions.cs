using Mcu.Server.Cluster;
using Mcu.Server.Echo;

namespace Mcu.Server;

/// <summary>The "Mcu" configuration section (also <c>Mcu__Name</c> environment variables).</summary>
public sealed class McuOptions
{
    public const string Section = "Mcu";

    /// <summary>Address the media sockets bind to: the UDP socket and the ICE-TCP listener.</summary>
    public string UdpBind { get; set; } = "127.0.0.1";

    /// <summary>The one UDP port all participants' media uses; 0 picks a free one.</summary>
    public int UdpPort { get; set; } = 50000;

    /// <summary>
    /// The ICE-TCP port (RFC 6544) for clients whose UDP is blocked: a passive TCP candidate beside the
    /// UDP one. Unset: the UDP port's number (any free port when <see cref="UdpPort"/> is 0); 0: no TCP.
    /// </summary>
    public int? TcpPort { get; set; }

    /// <summary>Address put in ICE candidates when clients reach us through NAT/Docker; default: the bound address.</summary>
    public string? PublicIp { get; set; }

    /// <summary>Folder of layout templates; default: ./layouts if it exists, else the copy beside the server.</summary>
    public string? LayoutsPath { get; set; }

    /// <summary>Folder for recordings (created on demand).</summary>
    public string RecordingsPath { get; set; } = "recordings";

    /// <summary>PostgreSQL connection string for Hangfire and the directory of nodes and rooms; empty means one node, in memory.</summary>
    public string? StorageConnectionString { get; set; }

    /// <summary>This node's name: its recording queue, its row among the nodes. With PostgreSQL it is required and must stay the same across restarts.</summary>
    public string? NodeName { get; set; }

    /// <summary>
    /// With PostgreSQL: the base URL other nodes and clients reach this node at (redirects, forwarded
    /// calls, absolute session URLs); default: the one address it listens on, unless that is a wildcard.
    /// </summary>
    public string? NodeUrl { get; set; }

    /// <summary>Mcu:Cluster:* — heartbeats and the dead-node timeout (with PostgreSQL).</summary>
    public ClusterOptions Cluster { get; set; } = new();

    /// <summary>Bearer key for the admin API; generated and printed at start-up when empty.</summary>
    public string? AdminKey { get; set; }

    /// <summary>
    /// On SIGTERM (docker stop), the time the server gives itself to finish recordings and exit;
    /// keep it under the stop timeout (docker's default is 10 s), or the rest is left to the next start.
    /// </summary>
    public double ShutdownSeconds { get; set; } = 8;

    /// <summary>Mcu:Recording:* — how recordings are run.</summary>
    public RecordingOptions Recording { get; set; } = new();

    // --- Trust: who may read, which web sites may call, idle rooms, limits (see README "Security") ---

    /// <summary>Open the reads (room list and details, participants, stats, events) to anyone, for demos; default: they need a token.</summary>
    public bool PublicReads { get; set; }

    /// <summary>/metrics needs the admin key (Prometheus: <c>authorization: { credentials: … }</c>); default: open, it holds only counts.</summary>
    public bool MetricsNeedAdminKey { get; set; }

    /// <summary>A room made by a WHIP/WHEP join (not through the API) ends after this many seconds with nobody in it; 0 keeps it.</summary>
    public int IdleRoomSeconds { get; set; } = 120;

    /// <summary>Which web sites may call the API from a browser (WHIP/WHEP are open to every origin, RFC 9725).</summary>
    public CorsSettings Cors { get; set; } = new();

    /// <summary>Ceilings on what one node, room or token may hold at once.</summary>
    public LimitSettings Limits { get; set; } = new();

    // ---- Media path limits ----

    /// <summary>The open echo diagnostic: <c>Mcu:Echo:Enabled</c>, <c>Mcu:Echo:MaxSessions</c>.</summary>
    public EchoOptions Echo { get; set; } = new();

    /// <summary>Largest picture a participant may send; a bigger keyframe is refused before it is decoded.</summary>
    public int MaxInputWidth { get; set; } = 1920;

    /// <summary>See <see cref="MaxInputWidth"/>.</summary>
    public int MaxInputHeight { get; set; } = 1080;

    /// <summary>A connection that has not finished ICE and DTLS this long after its offer is failed and removed.</summary>
    public int ConnectTimeoutSeconds { get; set; } = 30;

    /// <summary>STUN/TURN servers offered to WHIP/WHEP clients as <c>Link</c> headers (RFC 9725 §4.6); default none.</summary>
    public List<IceServerOptions> IceServers { get; set; } = [];
}

/// <summary>Mcu:IceServers:N:* — one STUN or TURN server for clients (e.g. <c>turn:turn.example.net?transport=udp</c>).</summary>
public sealed class IceServerOptions
{
    public string Url { get; set; } = "";

    public string? Username { get; set; }

    public string? Credential { get; set; }
}

/// <summary>Mcu:Recording:* settings.</summary>
public sealed class RecordingOptions
{
    /// <summary>Hangfire workers for post-processing (faststart copy, thumbnail), apart from the recording jobs' own.</summary>
    public int PostProcessWorkers { get; set; } = 2;

    /// <summary>With shared storage: a node whose Hangfire server has not sent a heartbeat for this long is gone, and its recordings are settled by a live node.</summary>
    public double NodeTimeoutSeconds { get; set; } = 60;

    /// <summary>With shared storage: how often a node looks for recordings of nodes that are gone.</summary>
    public double RecoveryIntervalSeconds { get; set; } = 30;
}
