namespace Mcu.Rtc.Transport;

/// <summary>What the transport has seen; written by its receive loop only, read by anyone.</summary>
public sealed class TransportCounters
{
    internal long _received;
    internal long _droppedUnknownSource;
    internal long _droppedByPeer;
    internal long _sent;
    internal long _sendErrors;
    internal long _refusedChecks;

    public long Received => Volatile.Read(ref _received);

    /// <summary>Datagrams from an address no peer has authenticated (and not a valid STUN check for one).</summary>
    public long DroppedUnknownSource => Volatile.Read(ref _droppedUnknownSource);

    /// <summary>Datagrams a known peer refused: malformed, failed authentication, replayed, before keys.</summary>
    public long DroppedByPeer => Volatile.Read(ref _droppedByPeer);

    /// <summary>STUN checks answered with an error (bad MESSAGE-INTEGRITY and the like); they teach the transport nothing.</summary>
    public long RefusedChecks => Volatile.Read(ref _refusedChecks);

    public long Sent => Volatile.Read(ref _sent);

    public long SendErrors => Volatile.Read(ref _sendErrors);
}
