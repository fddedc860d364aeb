namespace Mcu.Server.Echo;

/// <summary>The "Mcu:Echo" section: the open echo diagnostic (<c>/api/echo/whip</c>).</summary>
public sealed class EchoOptions
{
    /// <summary>Off: the echo endpoints answer 404.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Echo sessions alive at once (connected or still connecting); more get 503.</summary>
    public int MaxSessions { get; set; } = 50;
}
