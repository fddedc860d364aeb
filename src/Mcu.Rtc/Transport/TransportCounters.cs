namespace Mcu.Rtc.Transport;

/// <summary>What the transport has seen; written by its receive loops only, read by anyone.</summary>
public sealed class TransportCounters
{
    internal long _received;
    internal long _droppedUnknownSource;
    internal long _droppedByPeer;
    internal long _sent;
    internal long _sendErrors;
    internal long _refusedChecks;
    internal long _tcpAccepted;
    internal long _tcpRefused;
    internal long _tcpClosedBadInput;
    internal long _tcpClosedTimedOut;
    internal long _tcpSendDrops;

    /// <summary>Datagrams and TCP frames.</summary>
    public long Received => Volatile.Read(ref _received);

    /// <summary>Datagrams (and first TCP frames) from a source no peer has authenticated, and not a valid STUN check for one.</summary>
    public long DroppedUnknownSource => Volatile.Read(ref _droppedUnknownSource);

    /// <summary>Datagrams a known peer refused: malformed, failed authentication, replayed, before keys.</summary>
    public long DroppedByPeer => Volatile.Read(ref _droppedByPeer);

    /// <summary>STUN checks answered with an error (bad MESSAGE-INTEGRITY and the like); they teach the transport nothing.</summary>
    public long RefusedChecks => Volatile.Read(ref _refusedChecks);

    public long Sent => Volatile.Read(ref _sent);

    /// <summary>UDP sends that failed, and TCP frames not queued (connection closed or its queue full).</summary>
    public long SendErrors => Volatile.Read(ref _sendErrors);

    /// <summary>ICE-TCP connections accepted.</summary>
    public long TcpAccepted => Volatile.Read(ref _tcpAccepted);

    /// <summary>ICE-TCP connections closed at once: past <see cref="TcpTransportOptions.MaxConnections"/> or the per-address limit.</summary>
    public long TcpRefused => Volatile.Read(ref _tcpRefused);

    /// <summary>TCP connections closed for what they sent: a frame length no peer sends, or a first frame that is not a check for a session.</summary>
    public long TcpClosedBadInput => Volatile.Read(ref _tcpClosedBadInput);

    /// <summary>TCP connections closed for silence: no valid check in time, half a frame held, or our bytes not taken.</summary>
    public long TcpClosedTimedOut => Volatile.Read(ref _tcpClosedTimedOut);

    /// <summary>Frames dropped because a TCP connection's send queue was full (the peer reads slower than we send).</summary>
    public long TcpSendDrops => Volatile.Read(ref _tcpSendDrops);
}
