namespace Mcu.Rtc.Dtls;

/// <summary>
/// The datagrams of the last flight a session sent, and when to send them again
/// (RFC 6347 §4.2.4: the timer starts at one second and doubles on each expiry, up to a cap).
/// </summary>
/// <remarks>
/// The copies are verbatim, record sequence numbers included: records the peer already has
/// it drops as replays, the ones it lost it takes. OpenSSL's own retransmission would renumber
/// them, but it runs on the real clock (see <see cref="DtlsSession"/>).
/// </remarks>
internal sealed class DtlsFlight(long initialIntervalMs, long maxIntervalMs)
{
    private readonly List<byte[]> _datagrams = [];
    private long _intervalMs;

    /// <summary>When the flight goes out again; <see cref="long.MaxValue"/> when there is none.</summary>
    internal long ResendAtMs { get; private set; } = long.MaxValue;

    /// <summary>How often this flight has been sent again.</summary>
    internal int Resends { get; private set; }

    internal IReadOnlyList<byte[]> Datagrams => _datagrams;

    /// <summary>A new flight went out at <paramref name="nowMs"/>: the timer starts afresh.</summary>
    internal void Replace(List<byte[]> datagrams, long nowMs)
    {
        _datagrams.Clear();
        _datagrams.AddRange(datagrams);
        _intervalMs = initialIntervalMs;
        ResendAtMs = nowMs + _intervalMs;
        Resends = 0;
    }

    /// <summary>Nothing more to resend: the peer answered, or the session ended.</summary>
    internal void Stop()
    {
        _datagrams.Clear();
        ResendAtMs = long.MaxValue;
    }

    /// <summary>True if the flight is due at <paramref name="nowMs"/>; the timer then doubles.</summary>
    internal bool TryResend(long nowMs)
    {
        if (_datagrams.Count == 0 || nowMs < ResendAtMs)
        {
            return false;
        }
        Resends++;
        _intervalMs = Math.Min(_intervalMs * 2, maxIntervalMs);
        ResendAtMs = nowMs + _intervalMs;
        return true;
    }
}
