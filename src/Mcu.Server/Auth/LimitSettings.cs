namespace Mcu.Server;

/// <summary><c>Mcu:Limits</c>: what one node, room or token may hold at once. Past a limit the request is refused with a problem document.</summary>
public sealed class LimitSettings
{
    /// <summary>Rooms this node hosts (created through the API or by a join); past it 503.</summary>
    public int MaxRooms { get; set; } = 100;

    /// <summary>WHEP viewers in one room (participants have the room's maxParticipants); past it 409.</summary>
    public int MaxViewersPerRoom { get; set; } = 100;

    /// <summary>WHIP/WHEP sessions one room token holds at once (the admin key has no limit); past it 429.</summary>
    public int MaxSessionsPerToken { get; set; } = 10;

    /// <summary>Event WebSockets open on one room; past it 429.</summary>
    public int MaxEventSocketsPerRoom { get; set; } = 50;

    /// <summary>Event WebSockets one room token holds open (the admin key has no limit); past it 429.</summary>
    public int MaxEventSocketsPerToken { get; set; } = 5;

    /// <summary>Event WebSockets open on this node; past it 503.</summary>
    public int MaxEventSockets { get; set; } = 1000;

    /// <summary>Recordings running (or queued) on one node at once; more are refused with 503.</summary>
    public int MaxRecordings { get; set; } = 10;

    /// <summary>ICE-TCP connections open on this node; past it a new one is closed at once.</summary>
    public int MaxTcpConnections { get; set; } = 1000;

    /// <summary>ICE-TCP connections from one IP address (people behind one firewall share it); past it a new one is closed at once.</summary>
    public int MaxTcpConnectionsPerAddress { get; set; } = 100;
}
