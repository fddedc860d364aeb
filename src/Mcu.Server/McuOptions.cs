using Mcu.Server.Echo;

namespace Mcu.Server;

/// <summary>The "Mcu" configuration section (also <c>Mcu__Name</c> environment variables).</summary>
public sealed class McuOptions
{
    public const string Section = "Mcu";

    /// <summary>Address the media UDP socket binds to.</summary>
    public string UdpBind { get; set; } = "127.0.0.1";

    /// <summary>The one UDP port all participants' media uses; 0 picks a free one.</summary>
    public int UdpPort { get; set; } = 50000;

    /// <summary>Address put in ICE candidates when clients reach us through NAT/Docker; default: the bound address.</summary>
    public string? PublicIp { get; set; }

    /// <summary>Folder of layout templates; default: ./layouts if it exists, else the copy beside the server.</summary>
    public string? LayoutsPath { get; set; }

    /// <summary>Folder for recordings (created on demand).</summary>
    public string RecordingsPath { get; set; } = "recordings";

    /// <summary>PostgreSQL connection string for Hangfire; empty means in-memory storage.</summary>
    public string? StorageConnectionString { get; set; }

    /// <summary>Bearer key for the admin API; generated and printed at start-up when empty.</summary>
    public string? AdminKey { get; set; }

    // ---- Media path limits ----

    /// <summary>The open echo diagnostic: <c>Mcu:Echo:Enabled</c>, <c>Mcu:Echo:MaxSessions</c>.</summary>
    public EchoOptions Echo { get; set; } = new();

    /// <summary>Largest picture a participant may send; a bigger keyframe is refused before it is decoded.</summary>
    public int MaxInputWidth { get; set; } = 1920;

    /// <summary>See <see cref="MaxInputWidth"/>.</summary>
    public int MaxInputHeight { get; set; } = 1080;

    /// <summary>A connection that has not finished ICE and DTLS this long after its offer is failed and removed.</summary>
    public int ConnectTimeoutSeconds { get; set; } = 30;
}
