namespace Mcu.Server.Cluster;

/// <summary>What the cluster directory saw: nodes, dead nodes, rooms taken away. Never a token.</summary>
internal static partial class Log
{
    [LoggerMessage(900, LogLevel.Information, "Node {Node} registered at {Url} (PostgreSQL directory, heartbeat every {Heartbeat} s, dead after {Timeout} s)")]
    public static partial void Registered(ILogger logger, string node, string url, double heartbeat, double timeout);

    [LoggerMessage(901, LogLevel.Warning, "Node name {Node} was alive moments ago under another process: taking it back (a restart). If another server runs with this name, give each node its own Mcu:NodeName")]
    public static partial void NameTakenBack(ILogger logger, string node);

    [LoggerMessage(902, LogLevel.Warning, "Node {Node} is dead (no heartbeat for {Timeout} s): its rooms ended, its recordings are settled by a live node")]
    public static partial void NodeDead(ILogger logger, string node, double timeout);

    [LoggerMessage(903, LogLevel.Warning, "Room {Room} of node {Node} ended: the node stopped answering")]
    public static partial void RoomOfDeadNodeEnded(ILogger logger, string room, string node);

    [LoggerMessage(904, LogLevel.Warning, "Heartbeat failed: {Why}")]
    public static partial void HeartbeatFailed(ILogger logger, string why);

    [LoggerMessage(905, LogLevel.Warning, "Room {Room} is no longer this node's in the directory (it was ended or placed elsewhere while this node was unreachable): closing it here")]
    public static partial void RoomTakenAway(ILogger logger, string room);

    [LoggerMessage(906, LogLevel.Error, "No heartbeat reached the database for {Seconds:F0} s: the other nodes count this one dead, so it ends its {Rooms} rooms")]
    public static partial void Fenced(ILogger logger, double seconds, int rooms);

    [LoggerMessage(907, LogLevel.Warning, "Releasing room {Room} in the directory failed ({Why}); the next heartbeat does it")]
    public static partial void ReleaseFailed(ILogger logger, string room, string why);

    [LoggerMessage(908, LogLevel.Warning, "{Method} {Path}: node {Node} at {Url} did not answer ({Why})")]
    public static partial void ForwardFailed(ILogger logger, string method, string path, string node, string url, string why);

    [LoggerMessage(909, LogLevel.Information, "Node {Node} stopped: its rooms left the directory")]
    public static partial void Stopped(ILogger logger, string node);

    [LoggerMessage(910, LogLevel.Warning, "{Method} {Path}: the directory (PostgreSQL) did not answer: {Why}")]
    public static partial void DirectoryDown(ILogger logger, string method, string path, string why);
}
